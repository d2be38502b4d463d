package podplacement

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

const eciToleration = `{key: virtual-kubelet.io/provider, operator: Equal, value: alibabacloud, effect: NoSchedule}`

const requireECI = `{nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [
  {matchExpressions: [{key: type, operator: In, values: [virtual-kubelet]}]}]}}}`

// app is a SparkApplication whose executor spec is given in YAML flow style.
func app(t *testing.T, executor string) map[string]interface{} {
	t.Helper()
	return parseApp(t, `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: spark-pi, namespace: spark}
spec:
  sparkVersion: 3.5.2
  driver: {cores: 1}
  executor: `+executor)
}

func TestEligible(t *testing.T) {
	for _, tc := range []struct {
		name     string
		executor string
		want     Eligibility
	}{
		{"no rules: the taint keeps the pods on ECS", `{instances: 2}`, Eligibility{ECS: 3}},
		{"ECS-first tolerates the taint: either kind",
			`{tolerations: [` + eciToleration + `], affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [
			  {weight: 1, preference: {matchExpressions: [{key: type, operator: NotIn, values: [virtual-kubelet]}]}}]}}}`,
			Eligibility{ECS: 3, ECI: 2}},
		{"ECI: toleration and required affinity", `{tolerations: [` + eciToleration + `], affinity: ` + requireECI + `}`, Eligibility{ECI: 2}},
		{"required affinity without the toleration: nowhere", `{affinity: ` + requireECI + `}`, Eligibility{}},
		{"a toleration of every taint passes the not-ready one and the cordon too",
			`{tolerations: [{operator: Exists}]}`, Eligibility{ECS: 5, ECI: 3}},
		{"tolerating the cordon lets the pods onto cordoned nodes",
			`{tolerations: [` + eciToleration + `, {key: node.kubernetes.io/unschedulable, operator: Exists, effect: NoSchedule}]}`,
			Eligibility{ECS: 4, ECI: 3}},
		{"node selector on a zone", `{nodeSelector: {topology.kubernetes.io/zone: cn-hangzhou-j}, tolerations: [` + eciToleration + `]}`,
			Eligibility{ECS: 1, ECI: 1}},
		{"required terms are ORed",
			`{tolerations: [` + eciToleration + `], affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [
			  {matchExpressions: [{key: type, operator: In, values: [virtual-kubelet]}, {key: topology.kubernetes.io/zone, operator: In, values: [cn-hangzhou-j]}]},
			  {matchFields: [{key: metadata.name, operator: In, values: [cn-hangzhou.192.168.0.10]}]}]}}}}`,
			Eligibility{ECS: 1, ECI: 1}},
		{"a selector the scheduler cannot parse matches nothing",
			`{affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [
			  {matchExpressions: [{key: type, operator: Gt, values: [a, b]}]}]}}}}`,
			Eligibility{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := RolePodSpec(app(t, tc.executor), sparkapp.Executor)
			if err != nil {
				t.Fatal(err)
			}
			if got := cluster().Eligible(&spec); got != tc.want {
				t.Errorf("Eligible = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestRolePodSpecMergesTemplateAndWebhookFields(t *testing.T) {
	obj := parseApp(t, `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: ScheduledSparkApplication
metadata: {name: nightly, namespace: spark}
spec:
  schedule: "@daily"
  template:
    nodeSelector: {pool: spark, disk: ssd}
    driver:
      nodeSelector: {disk: nvme}
      tolerations: [{key: dedicated, operator: Exists, effect: NoSchedule}]
      template:
        spec:
          nodeSelector: {pool: default, arch: amd64}
          tolerations: [`+eciToleration+`]
          affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: a, operator: Exists}]}]}}}
    executor:
      affinity: `+requireECI+`
      template:
        spec:
          affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: a, operator: Exists}]}]}}}
`)
	driver, err := RolePodSpec(obj, sparkapp.Driver)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"pool": "spark", "disk": "nvme", "arch": "amd64"}; !reflect.DeepEqual(driver.NodeSelector, want) {
		t.Errorf("driver nodeSelector = %v, want %v", driver.NodeSelector, want)
	}
	if len(driver.Tolerations) != 2 || driver.Tolerations[0].Key != eciTaint.Key || driver.Tolerations[1].Key != "dedicated" {
		t.Errorf("driver tolerations = %+v, want the template's then the spec's", driver.Tolerations)
	}
	if driver.Affinity == nil || driver.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions[0].Key != "a" {
		t.Errorf("driver affinity = %+v, want the template's (the spec has none)", driver.Affinity)
	}
	executor, err := RolePodSpec(obj, sparkapp.Executor)
	if err != nil {
		t.Fatal(err)
	}
	if got := executor.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions[0].Key; got != "type" {
		t.Errorf("executor affinity key = %q, want the spec's in place of the template's", got)
	}
}

func TestRolePodSpecReadsWhatItCan(t *testing.T) {
	obj := app(t, `{tolerations: [`+eciToleration+`], template: {spec: {tolerations: "all of them"}}}`)
	spec, err := RolePodSpec(obj, sparkapp.Executor)
	if err == nil || !strings.HasPrefix(err.Error(), "executor: its pod template:") {
		t.Errorf("err = %v, want one about the executor's pod template", err)
	}
	if len(spec.Tolerations) != 1 {
		t.Errorf("tolerations = %+v, want the spec's", spec.Tolerations)
	}
}

func TestNodeKindsOfNodes(t *testing.T) {
	known := cluster()
	unknown := NewNodes(nil, false, placement.AlibabaCloudECI)
	for _, tc := range []struct {
		nodes *Nodes
		name  string
		want  placement.NodeKind
	}{
		{known, "virtual-kubelet-cn-hangzhou-i", placement.NodeECI},
		{known, "cn-hangzhou.192.168.0.10", placement.NodeECS},
		{known, "", ""},
		{unknown, "virtual-kubelet-cn-beijing-a", placement.NodeECI},
		{unknown, "cn-beijing.10.0.0.1", placement.NodeECS},
	} {
		if got := tc.nodes.Kinds.Of(tc.name); got != tc.want {
			t.Errorf("Kinds.Of(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	other, err := placement.ParseVirtualNodes("node.kubernetes.io/instance-type=virtual", "virtual=true:NoSchedule")
	if err != nil {
		t.Fatal(err)
	}
	n := NewNodes([]corev1.Node{ecsNode("vk-1", map[string]string{"node.kubernetes.io/instance-type": "virtual"})}, true, other)
	if got := n.Kinds.Of("vk-1"); got != placement.NodeECI {
		t.Errorf("with another provider's label: %q, want ECI", got)
	}
}
