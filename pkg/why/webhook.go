package why

import (
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// WebhookOf reads the operator's pod webhook out of the cluster's mutating
// webhook configurations (see sparkapp.PodWebhookOf).
func WebhookOf(configs []admissionregistrationv1.MutatingWebhookConfiguration) Webhook {
	config, wh, found := sparkapp.PodWebhookOf(configs)
	if !found {
		return Webhook{Known: true}
	}
	w := Webhook{Known: true, Name: config + "/" + wh.Name,
		IgnoresFailures: wh.FailurePolicy != nil && *wh.FailurePolicy == admissionregistrationv1.Ignore}
	if wh.NamespaceSelector != nil {
		selector, err := metav1.LabelSelectorAsSelector(wh.NamespaceSelector)
		if err != nil {
			selector = labels.Nothing() // the API server matches nothing with it either
		}
		w.Namespaces = selector
	}
	return w
}

// NeedsNamespaceLabels tells whether a webhook's namespaceSelector looks at
// more of a namespace than its name, which every namespace carries as the
// label kubernetes.io/metadata.name.
func NeedsNamespaceLabels(w Webhook) bool {
	if w.Namespaces == nil {
		return false
	}
	requirements, selectable := w.Namespaces.Requirements()
	if !selectable {
		return false
	}
	for _, r := range requirements {
		if r.Key() != "kubernetes.io/metadata.name" {
			return true
		}
	}
	return false
}

// LeavesOut tells whether the operator's webhook is known to leave out the
// namespace of these labels: its pods get none of a role's tolerations,
// node selector and affinity.
func (w Webhook) LeavesOut(namespace labels.Set) bool {
	return w.Known && w.Name != "" && w.Namespaces != nil && !w.Namespaces.Matches(namespace)
}

// LeftOut says that the webhook leaves the namespace out, and why.
func (w Webhook) LeftOut(namespace labels.Set) string {
	return fmt.Sprintf("the operator's webhook %s leaves namespace %s out (its namespaceSelector %s; the chart's spark.jobNamespaces)",
		w.Name, namespace[labelNamespaceName], w.Namespaces)
}

// leftOutFix is the fix of a namespace the webhook leaves out.
const leftOutFix = "add the namespace to the operator's spark.jobNamespaces (Helm), or put the placement in the pod templates: kubectl spark-eci place APP --via=template"

// LeftOutFix is the fix of a namespace the webhook leaves out, for the
// application named (NAME when none is).
func LeftOutFix(app, namespace string) string {
	return (Subject{App: app, Namespace: namespace}).fix(leftOutFix)
}
