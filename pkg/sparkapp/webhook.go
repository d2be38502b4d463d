package sparkapp

import (
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// sparkPodLabels are labels every driver and executor pod carries.
var sparkPodLabels = labels.Set{
	LabelLaunchedBy: "true",
	LabelAppName:    "app",
	LabelSparkRole:  string(Driver),
}

// IsPodWebhook tells whether wh is the operator's mutating pod webhook: the one
// that copies affinity, tolerations and node selectors from the application
// onto its pods when they are created.
func IsPodWebhook(wh admissionregistrationv1.MutatingWebhook) bool {
	return coversPodCreate(wh.Rules) && selectsSparkPods(wh.ObjectSelector) && looksLikeOperator(wh)
}

// FindPodWebhook finds the operator's pod webhook (see IsPodWebhook) among
// the mutating webhook configurations: its configuration and its webhook.
func FindPodWebhook(configs []admissionregistrationv1.MutatingWebhookConfiguration) (config, webhook string, found bool) {
	cfg, wh, found := PodWebhookOf(configs)
	return cfg, wh.Name, found
}

// PodWebhookOf is FindPodWebhook's webhook itself, with the name of its
// configuration.
func PodWebhookOf(configs []admissionregistrationv1.MutatingWebhookConfiguration) (config string, webhook admissionregistrationv1.MutatingWebhook, found bool) {
	for _, cfg := range configs {
		for _, wh := range cfg.Webhooks {
			if IsPodWebhook(wh) {
				return cfg.Name, wh, true
			}
		}
	}
	return "", admissionregistrationv1.MutatingWebhook{}, false
}

func coversPodCreate(rules []admissionregistrationv1.RuleWithOperations) bool {
	for _, rule := range rules {
		if matchesAny(rule.APIGroups, "") && matchesAny(rule.Resources, "pods") &&
			matchesAny(opsToStrings(rule.Operations), string(admissionregistrationv1.Create)) {
			return true
		}
	}
	return false
}

func selectsSparkPods(selector *metav1.LabelSelector) bool {
	if selector == nil {
		return true
	}
	s, err := metav1.LabelSelectorAsSelector(selector)
	return err == nil && s.Matches(sparkPodLabels)
}

// looksLikeOperator keeps other pod webhooks (service meshes, policy engines)
// from passing for the operator's: its webhook is named after the operator's
// group, or selects on the operator's label.
func looksLikeOperator(wh admissionregistrationv1.MutatingWebhook) bool {
	if wh.ObjectSelector != nil {
		if _, ok := wh.ObjectSelector.MatchLabels[LabelLaunchedBy]; ok {
			return true
		}
		for _, req := range wh.ObjectSelector.MatchExpressions {
			if req.Key == LabelLaunchedBy {
				return true
			}
		}
	}
	name := strings.ToLower(wh.Name)
	return strings.Contains(name, GroupVersion.Group) || strings.Contains(name, "spark")
}

func matchesAny(values []string, want string) bool {
	for _, v := range values {
		if v == want || v == "*" {
			return true
		}
	}
	return false
}

func opsToStrings(ops []admissionregistrationv1.OperationType) []string {
	s := make([]string, len(ops))
	for i, op := range ops {
		s[i] = string(op)
	}
	return s
}
