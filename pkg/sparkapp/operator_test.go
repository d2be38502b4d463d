package sparkapp

import (
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

func controller(image string, labels map[string]string, args ...string) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "spark-operator-controller", Namespace: "spark-operator", Labels: labels},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "spark-operator-controller", Image: image, Args: append([]string{"controller", "start"}, args...)},
		}}}},
	}
}

func TestOperatorOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    *appsv1.Deployment
		want Operator
	}{
		{"v2.5.2 with the gate", controller("ghcr.io/kubeflow/spark-operator/controller:2.5.2", nil, "--feature-gates=PartialRestart=true,LoadSparkDefaults=false"),
			Operator{Version: "v2.5.2", PartialRestart: true}},
		{"the gate off", controller("ghcr.io/kubeflow/spark-operator/controller:2.5.2", nil, "--feature-gates=PartialRestart=false"),
			Operator{Version: "v2.5.2"}},
		{"no gates", controller("ghcr.io/kubeflow/spark-operator/controller:v2.4.0", nil), Operator{Version: "v2.4.0"}},
		// Before v2.5.0 there is no such gate, whatever the arguments say.
		{"a gate v2.3.0 does not know", controller("registry:5000/spark-operator:2.3.0", nil, "--feature-gates=PartialRestart=true"),
			Operator{Version: "v2.3.0"}},
		{"a digest: the chart's label", controller("ghcr.io/kubeflow/spark-operator/controller@sha256:abc", map[string]string{"app.kubernetes.io/version": "2.5.2"},
			"--feature-gates=PartialRestart=true"), Operator{Version: "v2.5.2", PartialRestart: true}},
		// A controller of unknown version that is given the gate runs with it.
		{"latest: unknown", controller("spark-operator:latest", nil, "--feature-gates=PartialRestart=true"), Operator{PartialRestart: true}},
		{"each flag adds to the ones before", controller("ghcr.io/kubeflow/spark-operator/controller:2.5.2", nil,
			"--feature-gates=PartialRestart=true", "--feature-gates", "LoadSparkDefaults=true"), Operator{Version: "v2.5.2", PartialRestart: true}},
		{"AllAlpha", controller("ghcr.io/kubeflow/spark-operator/controller:2.5.2", nil, "--feature-gates=AllAlpha=true"),
			Operator{Version: "v2.5.2", PartialRestart: true}},
		{"the namespaces it manages, each flag adding to the ones before", controller("ghcr.io/kubeflow/spark-operator/controller:2.3.0", nil,
			"--namespaces=default,spark", "--namespaces", "ml"), Operator{Version: "v2.3.0", Namespaces: "default,spark,ml"}},
		{"AllAlpha, the gate off by name", controller("ghcr.io/kubeflow/spark-operator/controller:2.5.2", nil, "--feature-gates=AllAlpha=true,PartialRestart=false"),
			Operator{Version: "v2.5.2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := OperatorOf(tc.d)
			tc.want.From = "deployment spark-operator/spark-operator-controller"
			if got != tc.want {
				t.Errorf("OperatorOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseFeatureGates(t *testing.T) {
	if op, err := ParseFeatureGates("PartialRestart=true"); err != nil || !op.PartialRestart {
		t.Errorf("PartialRestart=true: %+v, %v", op, err)
	}
	if op, err := ParseFeatureGates("LoadSparkDefaults=true, PartialRestart=false"); err != nil || op.PartialRestart {
		t.Errorf("PartialRestart=false: %+v, %v", op, err)
	}
	for _, bad := range []string{"PartialRestart", "PartialRestart=yes please"} {
		if _, err := ParseFeatureGates(bad); err == nil || !strings.Contains(err.Error(), "invalid --operator-feature-gates") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func parse(t *testing.T, manifest string) map[string]interface{} {
	t.Helper()
	var obj map[string]interface{}
	if err := yaml.Unmarshal([]byte(manifest), &obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

const app = `
kind: SparkApplication
spec:
  image: spark:3.5.2
  driver: {cores: 1}
  executor: {instances: 2}
`

func TestWebhookFieldsOnlyChange(t *testing.T) {
	before := parse(t, app)
	for _, tc := range []struct {
		name  string
		after string
		want  bool
	}{
		{"executor tolerations and affinity", `
kind: SparkApplication
spec:
  image: spark:3.5.2
  driver: {cores: 1}
  executor:
    instances: 2
    tolerations: [{key: virtual-kubelet.io/provider, operator: Exists}]
    affinity: {nodeAffinity: {}}`, true},
		{"with suspend too", `
kind: SparkApplication
spec:
  suspend: false
  image: spark:3.5.2
  driver: {cores: 1}
  executor: {instances: 2, nodeSelector: {disk: ssd}}`, true},
		{"nothing changed", app, false},
		{"the driver's tolerations", `
kind: SparkApplication
spec:
  image: spark:3.5.2
  driver: {cores: 1, tolerations: [{operator: Exists}]}
  executor: {instances: 2}`, false},
		{"executor annotations with tolerations", `
kind: SparkApplication
spec:
  image: spark:3.5.2
  driver: {cores: 1}
  executor: {instances: 2, tolerations: [{operator: Exists}], annotations: {k8s.aliyun.com/eci-spot-strategy: SpotAsPriceGo}}`, false},
	} {
		if got := WebhookFieldsOnlyChange(before, parse(t, tc.after)); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	// An executor the user left out gets tolerations: the same, as typed specs.
	bare := parse(t, "kind: SparkApplication\nspec: {image: spark:3.5.2}\n")
	added := parse(t, "kind: SparkApplication\nspec: {image: spark:3.5.2, executor: {tolerations: [{operator: Exists}]}}\n")
	if !WebhookFieldsOnlyChange(bare, added) {
		t.Error("tolerations on an executor the spec left out: not a webhook-fields change")
	}
	kept := runtime.DeepCopyJSON(added)
	WebhookFieldsOnlyChange(bare, added)
	if !reflect.DeepEqual(kept, added) {
		t.Errorf("WebhookFieldsOnlyChange changed its input: %v", added)
	}
}

func TestOnChange(t *testing.T) {
	before := parse(t, app)
	executorsOnly := parse(t, "kind: SparkApplication\nspec:\n  image: spark:3.5.2\n  driver: {cores: 1}\n  executor: {instances: 2, tolerations: [{operator: Exists}]}\n")
	gate := Operator{Version: "v2.5.2", PartialRestart: true}
	for _, tc := range []struct {
		op         Operator
		state      string
		after      map[string]interface{}
		disruptive bool
		effect     string
	}{
		{gate, StateRunning, executorsOnly, false, "state RUNNING: under the operator's PartialRestart gate it goes on running: running executors keep their nodes"},
		{gate, StateSubmitted, executorsOnly, false, "state SUBMITTED: under the operator's PartialRestart gate"},
		{gate, StateCompleted, executorsOnly, false, "state COMPLETED: under the operator's PartialRestart gate this change does not run it again"},
		{gate, StateSuspended, executorsOnly, false, "stays suspended"},
		{gate, StatePendingRerun, executorsOnly, false, "state PENDING_RERUN: under the operator's PartialRestart gate this change restarts nothing; pods created from now on get this placement"},
		{gate, StateRunning, parse(t, "kind: SparkApplication\nspec: {image: spark:3.5.3}\n"), true, "will kill the driver"},
		{Operator{Version: "v2.5.2"}, StateRunning, executorsOnly, true, "will kill the driver"},
	} {
		got := tc.op.OnChange(KindSparkApplication, tc.state, before, tc.after)
		if got.Disruptive != tc.disruptive || !strings.Contains(got.Effect, tc.effect) {
			t.Errorf("%+v in %s: %+v, want disruptive %v and %q", tc.op, tc.state, got, tc.disruptive, tc.effect)
		}
	}
	if got := gate.OnChange(KindScheduledSparkApplication, StateRunning, before, executorsOnly); !strings.Contains(got.Effect, "future runs") {
		t.Errorf("scheduled: %+v", got)
	}
}

func TestMissesServerPodDeletion(t *testing.T) {
	for _, tc := range []struct {
		version, namespaces, namespace string
		want                           bool
	}{
		{"v2.3.0", "", "spark", true}, // every namespace, written as none
		{"v2.4.0", "", "spark", true},
		{"v2.3.0", ",", "spark", true},
		{"v2.3.0", "default,spark", "spark", false},
		{"v2.3.0", ",spark", "spark", false},
		{"v2.4.0", "default", "spark", true},
		{"v2.5.0", "", "spark", false},
		{"v2.5.2", "default", "spark", false},
		{"", "", "spark", false}, // not known: not said
		{"v2.2.0", "", "spark", false},
	} {
		op := Operator{Version: tc.version, Namespaces: tc.namespaces}
		if got := op.MissesServerPodDeletion(tc.namespace); got != tc.want {
			t.Errorf("%+v in %s: %v, want %v", op, tc.namespace, got, tc.want)
		}
	}
}

func TestOperatorOfAll(t *testing.T) {
	on := *controller("ghcr.io/kubeflow/spark-operator/controller:2.5.2", nil, "--feature-gates=PartialRestart=true")
	off := *controller("ghcr.io/kubeflow/spark-operator/controller:2.5.2", nil)
	if op := OperatorOfAll([]appsv1.Deployment{on, on}); !op.PartialRestart {
		t.Errorf("both with the gate: %+v", op)
	}
	if op := OperatorOfAll([]appsv1.Deployment{on, off}); op.PartialRestart {
		t.Errorf("one without the gate: %+v", op)
	}
	if op := OperatorOfAll(nil); op != (Operator{}) {
		t.Errorf("none: %+v", op)
	}
}
