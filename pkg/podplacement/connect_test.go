package podplacement

import (
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/spark-eci/kubectl-spark-eci/internal/golden"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// connectPod is a pod of a SparkConnect as the operator (the server) and the
// server's Spark (its executors) label it: no app-name, no submission.
func connectPod(conn, name, role string, opts ...podOpt) corev1.Pod {
	p := sparkPod("", name, role, t0, opts...)
	delete(p.Labels, sparkapp.LabelAppName)
	p.Labels[sparkapp.LabelConnectName] = conn
	p.Labels[sparkapp.LabelLaunchedBy] = "true"
	return p
}

const sparkConnectManifest = `
apiVersion: sparkoperator.k8s.io/v1alpha1
kind: SparkConnect
metadata: {name: spark-pi, namespace: spark}
spec:
  sparkVersion: 4.0.4
  server:
    template:
      spec:
        tolerations:
        - {key: virtual-kubelet.io/provider, operator: Equal, value: alibabacloud, effect: NoSchedule}
        affinity:
          nodeAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
              nodeSelectorTerms:
              - matchExpressions:
                - {key: type, operator: In, values: [virtual-kubelet]}
  executor:
    instances: 2
    template: {}
status:
  state: Ready
`

// A SparkConnect's pods are found by its connect-name label, its server
// counts as the driver, and an application of the same name keeps its own
// pods.
func TestClusterBuildsASparkConnect(t *testing.T) {
	c := NewCluster(cluster(), false)
	connKey := c.PutApp(&unstructured.Unstructured{Object: parseApp(t, sparkConnectManifest)})
	app, _, _ := seedApp(t) // a SparkApplication named spark-pi too
	appKey := c.PutApp(&unstructured.Unstructured{Object: app})
	if connKey == appKey {
		t.Fatalf("a SparkConnect and an application of one name share the key %q", connKey)
	}
	conn := parseApp(t, sparkConnectManifest)
	server := connectPod("spark-pi", "spark-pi-server", sparkapp.RoleConnectServer, onNode("virtual-kubelet-cn-hangzhou-i"), placedAs(t, conn, sparkapp.Driver))
	exec1 := connectPod("spark-pi", "spark-connect-exec-1", "executor", onNode("cn-hangzhou.192.168.0.10"))
	for _, p := range []corev1.Pod{exec1, server} {
		if got := c.PutPod(&p, false); got != connKey {
			t.Errorf("pod %s kept under %q, want %q", p.Name, got, connKey)
		}
	}
	appDriver := sparkPod("spark-pi", "spark-pi-driver", "driver", t0.Add(time.Second))
	if got := c.PutPod(&appDriver, false); got != appKey {
		t.Errorf("the application's driver kept under %q, want %q", got, appKey)
	}

	a, warnings, _ := c.Build(connKey)
	if len(warnings) > 0 {
		t.Errorf("warnings: %q", warnings)
	}
	if a.Kind != sparkapp.KindSparkConnect || a.Name != "spark-pi" || a.State != sparkapp.ConnectStateReady {
		t.Errorf("kind %q, name %q, state %q", a.Kind, a.Name, a.State)
	}
	if a.Placement != (Placement{Driver: placement.ECI, Executor: placement.ECS}) {
		t.Errorf("placement = %+v", a.Placement)
	}
	var names []string
	for _, p := range a.Pods {
		names = append(names, p.Name)
	}
	if want := []string{"spark-pi-server", "spark-connect-exec-1"}; !reflect.DeepEqual(names, want) {
		t.Errorf("pods = %q, want %q, the server first", names, want)
	}
	want := []Role{
		{Role: sparkapp.Driver, ExpectedPods: 1, Pods: 1, Scheduled: 1, ECIPods: 1, EligibleNodes: &Eligibility{ECI: 2}},
		{Role: sparkapp.Executor, ExpectedPods: 2, Pods: 1, Scheduled: 1, EligibleNodes: &Eligibility{ECS: 3}},
	}
	if !reflect.DeepEqual(a.Roles, want) {
		t.Errorf("roles = %+v, want %+v", a.Roles, want)
	}
	if a.Settled {
		t.Error("settled with one executor of two")
	}

	// The table names the SparkConnect and its server as such.
	var out strings.Builder
	if err := WriteTable(&out, NewStatus([]Application{a}), TableOptions{Wide: true, Now: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "status-connect-wide.txt", out.String())
}
