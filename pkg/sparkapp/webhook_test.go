package sparkapp

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func podCreateRule(groups, resources []string, ops ...admissionregistrationv1.OperationType) []admissionregistrationv1.RuleWithOperations {
	return []admissionregistrationv1.RuleWithOperations{{
		Operations: ops,
		Rule:       admissionregistrationv1.Rule{APIGroups: groups, APIVersions: []string{"v1"}, Resources: resources},
	}}
}

func TestIsPodWebhook(t *testing.T) {
	operatorSelector := &metav1.LabelSelector{MatchLabels: map[string]string{LabelLaunchedBy: "true"}}
	pods := podCreateRule([]string{""}, []string{"pods"}, admissionregistrationv1.Create)
	for _, tc := range []struct {
		name string
		wh   admissionregistrationv1.MutatingWebhook
		want bool
	}{
		{"the operator's, as its chart installs it",
			admissionregistrationv1.MutatingWebhook{Name: "mutate-pod.sparkoperator.k8s.io", Rules: pods, ObjectSelector: operatorSelector}, true},
		{"selector by expression, other name",
			admissionregistrationv1.MutatingWebhook{Name: "x.example.com", Rules: pods, ObjectSelector: &metav1.LabelSelector{
				MatchExpressions: []metav1.LabelSelectorRequirement{{Key: LabelLaunchedBy, Operator: metav1.LabelSelectorOpExists}},
			}}, true},
		{"named after the operator, no selector",
			admissionregistrationv1.MutatingWebhook{Name: "webhook.sparkoperator.k8s.io", Rules: podCreateRule([]string{"*"}, []string{"*"}, admissionregistrationv1.OperationAll)}, true},
		{"a mesh's pod webhook",
			admissionregistrationv1.MutatingWebhook{Name: "sidecar-injector.istio.io", Rules: pods}, false},
		{"the operator's SparkApplication webhook",
			admissionregistrationv1.MutatingWebhook{Name: "mutate-sparkapplication.sparkoperator.k8s.io",
				Rules: podCreateRule([]string{"sparkoperator.k8s.io"}, []string{"sparkapplications"}, admissionregistrationv1.Create)}, false},
		{"pods on update only",
			admissionregistrationv1.MutatingWebhook{Name: "mutate-pod.sparkoperator.k8s.io", Rules: podCreateRule([]string{""}, []string{"pods"}, admissionregistrationv1.Update)}, false},
		{"a selector Spark pods do not match",
			admissionregistrationv1.MutatingWebhook{Name: "mutate-pod.sparkoperator.k8s.io", Rules: pods,
				ObjectSelector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelLaunchedBy: "false"}}}, false},
	} {
		if got := IsPodWebhook(tc.wh); got != tc.want {
			t.Errorf("%s: IsPodWebhook = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestFindPodWebhook(t *testing.T) {
	pods := podCreateRule([]string{""}, []string{"pods"}, admissionregistrationv1.Create)
	mesh := admissionregistrationv1.MutatingWebhookConfiguration{Webhooks: []admissionregistrationv1.MutatingWebhook{{Name: "sidecar-injector.istio.io", Rules: pods}}}
	mesh.Name = "istio"
	operator := admissionregistrationv1.MutatingWebhookConfiguration{Webhooks: []admissionregistrationv1.MutatingWebhook{
		{Name: "mutate-sparkapplication.sparkoperator.k8s.io", Rules: podCreateRule([]string{"sparkoperator.k8s.io"}, []string{"sparkapplications"}, admissionregistrationv1.Create)},
		{Name: "mutate-pod.sparkoperator.k8s.io", Rules: pods, ObjectSelector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelLaunchedBy: "true"}}},
	}}
	operator.Name = "spark-operator-webhook"
	if cfg, wh, found := FindPodWebhook([]admissionregistrationv1.MutatingWebhookConfiguration{mesh, operator}); !found ||
		cfg != "spark-operator-webhook" || wh != "mutate-pod.sparkoperator.k8s.io" {
		t.Errorf("found %v: %s, %s", found, cfg, wh)
	}
	if _, _, found := FindPodWebhook([]admissionregistrationv1.MutatingWebhookConfiguration{mesh}); found {
		t.Error("found the operator's webhook among a mesh's")
	}
}
