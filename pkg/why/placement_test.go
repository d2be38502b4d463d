package why

import (
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
)

var (
	eciToleration = corev1.Toleration{Key: "virtual-kubelet.io/provider", Operator: corev1.TolerationOpEqual, Value: "alibabacloud", Effect: corev1.TaintEffectNoSchedule}
	requireECI    = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "type", Operator: corev1.NodeSelectorOpIn, Values: []string{"virtual-kubelet"}}}}},
	}}}
	askedECI = Asked{Placed: Placed{
		Tolerations:  []corev1.Toleration{eciToleration},
		NodeSelector: map[string]string{"topology.kubernetes.io/zone": "cn-hangzhou-i"},
		Affinity:     requireECI,
		Annotations:  map[string]string{"k8s.aliyun.com/eci-image-cache": "true"},
	}, ByWebhook: true, Target: placement.ECI}
)

func TestMissing(t *testing.T) {
	whole := askedECI.Placed
	for _, tc := range []struct {
		name   string
		placed Placed
		kind   placement.NodeKind
		want   []string
	}{
		{"everything", whole, placement.NodeECI, nil},
		{"more than asked", Placed{Tolerations: append([]corev1.Toleration{{Key: "other", Operator: corev1.TolerationOpExists}}, eciToleration),
			NodeSelector: map[string]string{"topology.kubernetes.io/zone": "cn-hangzhou-i", "extra": "x"}, Affinity: requireECI,
			Annotations: map[string]string{"k8s.aliyun.com/eci-image-cache": "true", "k8s.aliyun.com/eci-instance-spec": "2.0-4.0Gi"}}, placement.NodeECI, nil},
		{"nothing: the webhook did not run", Placed{}, placement.NodeECS, []string{
			"the toleration virtual-kubelet.io/provider=alibabacloud:NoSchedule", "the node selector topology.kubernetes.io/zone=cn-hangzhou-i",
			"the node affinity", "the annotation k8s.aliyun.com/eci-image-cache", runsOnECS}},
		{"another zone", Placed{Tolerations: whole.Tolerations, Affinity: requireECI, Annotations: whole.Annotations,
			NodeSelector: map[string]string{"topology.kubernetes.io/zone": "cn-hangzhou-j"}}, placement.NodeECI,
			[]string{"the node selector topology.kubernetes.io/zone=cn-hangzhou-i"}},
		{"a pod not yet scheduled is not told by its node", Placed{Tolerations: whole.Tolerations, NodeSelector: whole.NodeSelector, Affinity: requireECI,
			Annotations: whole.Annotations}, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := askedECI.Missing(tc.placed, tc.kind); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Missing = %q, want %q", got, tc.want)
			}
		})
	}
	// A role that asks nothing of ECI: ECI reached by other means is no
	// problem (ACK's ECI profile, a ResourcePolicy).
	if got := (Asked{Target: placement.ECS}).Missing(Placed{}, placement.NodeECI); got != nil {
		t.Errorf("a pod on ECI of a role that asks for ECS: %q", got)
	}
}

func TestPlacedOfKeepsECIAnnotationsOnly(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{"k8s.aliyun.com/eci-spot-strategy": "SpotAsPriceGo", "team": "ml"}},
		Spec: corev1.PodSpec{Tolerations: []corev1.Toleration{eciToleration}}}
	p := PlacedOf(pod)
	if !reflect.DeepEqual(p.Annotations, map[string]string{"k8s.aliyun.com/eci-spot-strategy": "SpotAsPriceGo"}) || len(p.Tolerations) != 1 {
		t.Errorf("PlacedOf = %+v", p)
	}
}

func TestNotPlacedTellsTheCause(t *testing.T) {
	s := Subject{App: "spark-pi", Namespace: "etl", Pod: "spark-pi-exec-1"}
	missing := []string{"the toleration virtual-kubelet.io/provider=alibabacloud:NoSchedule", runsOnECS}
	created := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	jobNamespaces, _ := metav1.LabelSelectorAsSelector(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
		{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpIn, Values: []string{"default", "spark"}}}})
	etl := labels.Set{"kubernetes.io/metadata.name": "etl"}
	spark := labels.Set{"kubernetes.io/metadata.name": "spark"}
	webhook := Webhook{Known: true, Name: "spark-operator-webhook/mutate--v1-pod.sparkoperator.k8s.io", Namespaces: jobNamespaces}
	lacks := "it lacks the toleration virtual-kubelet.io/provider=alibabacloud:NoSchedule and runs on ECS, though its role asks for ECI only"
	for _, tc := range []struct {
		name      string
		asked     Asked
		wh        Webhook
		namespace labels.Set
		message   string
		fix       string
	}{
		{"left out by the chart's spark.jobNamespaces", askedECI, webhook, etl,
			lacks + ": the operator's webhook spark-operator-webhook/mutate--v1-pod.sparkoperator.k8s.io leaves namespace etl out (its namespaceSelector kubernetes.io/metadata.name in (default,spark); the chart's spark.jobNamespaces)",
			"add the namespace to the operator's spark.jobNamespaces (Helm), or put the placement in the pod templates: kubectl spark-eci place spark-pi -n etl --via=template"},
		{"no webhook", askedECI, Webhook{Known: true}, etl,
			lacks + ": no mutating webhook of the Spark operator selects its pods, and only that webhook puts a role's tolerations, node selector and affinity on them",
			"enable the operator's webhook (Helm value webhook.enable=true)"},
		{"failurePolicy Ignore", askedECI, Webhook{Known: true, Name: "w/p", IgnoresFailures: true}, spark,
			lacks + ": the operator's webhook w/p lets pods through unchanged when it cannot be reached (failurePolicy Ignore)", "check that the operator's webhook runs"},
		{"selected, and nothing else to say", askedECI, webhook, spark, lacks, "--via=template"},
		{"the webhooks not known", askedECI, Webhook{}, etl, lacks, "--via=template"},
		{"placed after the pod was made", func() Asked { a := askedECI; a.Since = created.Add(time.Minute); return a }(), webhook, etl,
			lacks + ": it was created before the application's spec last changed (2026-12-06T10:01:00Z)",
			"the placement applies to pods created from now on; to resubmit the application with it: kubectl spark-eci place spark-pi -n etl --restart"},
		{"the templates need no webhook", func() Asked { a := askedECI; a.ByWebhook = false; return a }(), Webhook{Known: true}, etl, lacks, "--via=template"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := NotPlaced(s, tc.asked, missing, created, tc.wh, tc.namespace)
			if p.Reason != ReasonPlacementNotApplied || p.Source != SourcePlacement || p.Message != tc.message || !strings.Contains(p.Fix, tc.fix) {
				t.Errorf("NotPlaced =\n%+v\nwant message\n%s\nand a fix with %q", p, tc.message, tc.fix)
			}
		})
	}
}
