package cmd

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	admissionregistrationv1 "k8s.io/client-go/kubernetes/typed/admissionregistration/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/why"
)

// readPodWebhook reads the operator's pod webhook (podplacement.WebhookOf).
// When the user may not list webhook configurations, it is not Known.
func readPodWebhook(ctx context.Context, client admissionregistrationv1.AdmissionregistrationV1Interface) why.Webhook {
	list, err := client.MutatingWebhookConfigurations().List(ctx, metav1.ListOptions{})
	if err != nil {
		return why.Webhook{}
	}
	return why.WebhookOf(list.Items)
}

// podWebhookMissing tells whether the cluster has, for certain, no operator
// pod webhook.
func podWebhookMissing(wh why.Webhook) bool { return wh.Known && wh.Name == "" }
