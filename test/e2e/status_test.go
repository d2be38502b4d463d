//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/podplacement"
)

// zoneLabel keeps each test's nodes apart from every other test's: the
// applications of a test require its own zone, so counts are exact however
// many other nodes the shared cluster has.
const zoneLabel = "topology.kubernetes.io/zone"

// statusNodes are the nodes of one test, all in zone (the test's namespace).
type statusNodes struct {
	zone             string
	ecs1, ecs2, eci1 string // schedulable
	cordoned         string // ECS, cordoned
	notReadyECI      string // ECI, still carrying the not-ready taint
}

// newStatusNodes creates two schedulable ECS nodes, one schedulable ECI
// virtual node, a cordoned ECS node and an ECI node that is not ready, all in
// a zone of the test's own, and deletes them when the test ends.
func newStatusNodes(t *testing.T, ns string) statusNodes {
	t.Helper()
	n := statusNodes{
		zone: ns,
		ecs1: "cn-hangzhou." + ns + ".1", ecs2: "cn-hangzhou." + ns + ".2", cordoned: "cn-hangzhou." + ns + ".3",
		eci1: "virtual-kubelet-" + ns + "-a", notReadyECI: "virtual-kubelet-" + ns + "-b",
	}
	for _, node := range []fakeNode{
		{name: n.ecs1, zone: n.zone}, {name: n.ecs2, zone: n.zone}, {name: n.cordoned, zone: n.zone, cordoned: true},
		{name: n.eci1, zone: n.zone, eci: true}, {name: n.notReadyECI, zone: n.zone, eci: true, notReady: true},
	} {
		if err := createNode(t.Context(), cluster.client, node); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = cluster.client.CoreV1().Nodes().Delete(context.Background(), node.name, metav1.DeleteOptions{})
		})
	}
	return n
}

// createZonedApp creates a SparkApplication whose driver and executors are
// kept to zone, its executors placed on ECI as place places them: the
// toleration of the ECI taint, and the ECI requirement ANDed into the
// executors' zone term.
func createZonedApp(t *testing.T, ns, name, zone string, instances int, labels string) {
	t.Helper()
	createFromYAML(t, ns, fmt.Sprintf(`
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: %s, labels: {%s}}
spec:
  type: Scala
  mode: cluster
  image: %s
  mainClass: org.apache.spark.examples.SparkPi
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  sparkVersion: 3.5.2
  driver:
    cores: 1
    memory: 512m
    serviceAccount: spark
    nodeSelector: {%s: %s}
  executor:
    instances: %d
    cores: 1
    memory: 512m
    tolerations:
    - {key: virtual-kubelet.io/provider, operator: Equal, value: alibabacloud, effect: NoSchedule}
    affinity:
      nodeAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
          nodeSelectorTerms:
          - matchExpressions:
            - {key: %s, operator: In, values: [%s]}
            - {key: type, operator: In, values: [virtual-kubelet]}
`, name, labels, sparkImage, zoneLabel, zone, instances, zoneLabel, zone))
}

// pendingPod creates a pod of app as spark-submit does, not yet scheduled,
// placed as the operator's webhook places the pods of createZonedApp with
// the namespace as zone.
func pendingPod(t *testing.T, ns, app, name, role string) *corev1.Pod {
	t.Helper()
	return createPod(t, zonedPod(ns, app, name, role))
}

// zonedPod is the pod pendingPod creates.
func zonedPod(ns, app, name, role string) *corev1.Pod {
	pod := newSparkPod(ns, app, name, role, "")
	if role == "driver" {
		pod.Spec.NodeSelector = map[string]string{zoneLabel: ns}
		return pod
	}
	pod.Spec.Tolerations = []corev1.Toleration{{Key: "virtual-kubelet.io/provider", Operator: corev1.TolerationOpEqual, Value: "alibabacloud", Effect: corev1.TaintEffectNoSchedule}}
	pod.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{
			{Key: zoneLabel, Operator: corev1.NodeSelectorOpIn, Values: []string{ns}},
			{Key: "type", Operator: corev1.NodeSelectorOpIn, Values: []string{"virtual-kubelet"}},
		}}},
	}}}
	return pod
}

// bind binds a pod to a node as the scheduler does: through pods/binding.
func bind(t *testing.T, pod *corev1.Pod, node string) {
	t.Helper()
	binding := &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, UID: pod.UID},
		Target:     corev1.ObjectReference{Kind: "Node", Name: node},
	}
	if err := cluster.client.CoreV1().Pods(pod.Namespace).Bind(t.Context(), binding, metav1.CreateOptions{}); err != nil {
		t.Fatalf("bind %s to %s: %v", pod.Name, node, err)
	}
}

// failedScheduling posts a FailedScheduling event as kube-scheduler does,
// through events.k8s.io/v1: eventTime only; each repeat adds a series with
// its count and the time last observed.
func failedScheduling(t *testing.T, pod *corev1.Pod, message string, at time.Time, repeats int32) {
	t.Helper()
	events := cluster.client.EventsV1().Events(pod.Namespace)
	e := &eventsv1.Event{
		// Named as the event recorder names them: events.k8s.io validates
		// names strictly, and a trailing dot for generateName is refused.
		ObjectMeta:          metav1.ObjectMeta{Name: fmt.Sprintf("%s.%x", pod.Name, at.UnixNano()), Namespace: pod.Namespace},
		EventTime:           metav1.NewMicroTime(at),
		ReportingController: "default-scheduler",
		ReportingInstance:   "default-scheduler-e2e",
		Action:              "Scheduling",
		Reason:              "FailedScheduling",
		Regarding:           corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID},
		Note:                message,
		Type:                corev1.EventTypeWarning,
	}
	created, err := events.Create(t.Context(), e, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("post FailedScheduling on %s: %v", pod.Name, err)
	}
	for n := int32(2); n <= repeats; n++ {
		created.Series = &eventsv1.EventSeries{Count: n, LastObservedTime: metav1.NewMicroTime(at.Add(time.Duration(n) * time.Second))}
		if created, err = events.Update(t.Context(), created, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("repeat FailedScheduling on %s: %v", pod.Name, err)
		}
	}
}

// coreFailedScheduling posts a FailedScheduling event through core/v1, as
// older schedulers did: first and last timestamps and a count.
func coreFailedScheduling(t *testing.T, pod *corev1.Pod, message string, first, last time.Time, count int32) {
	t.Helper()
	podEvent(t, pod, "default-scheduler", corev1.EventTypeWarning, "FailedScheduling", message, first, last, count)
}

func statusJSON(t *testing.T, stdout string) podplacement.Status {
	t.Helper()
	var s podplacement.Status
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("status -o json: %v\n%s", err, stdout)
	}
	if s.APIVersion != podplacement.StatusAPIVersion || s.Kind != podplacement.StatusKind {
		t.Errorf("type %s %s", s.APIVersion, s.Kind)
	}
	return s
}

// Before any pod exists, status counts the nodes each role could be placed
// on, from the application's rules and the nodes' labels, taints and cordons,
// and warns about a role that fits nowhere.
func TestStatusBeforeThePodsExist(t *testing.T) {
	ns := newNamespace(t)
	nodes := newStatusNodes(t, ns)
	createZonedApp(t, ns, "etl", nodes.zone, 3, "team: data")

	stdout, stderr, code := runPlugin(t, "status", "-n", ns, "etl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	t.Logf("status:\n%s", stdout)
	wantHeader := "APPLICATION etl   NAMESPACE " + ns + "   STATE NEW   DRIVER ecs   EXECUTORS eci"
	if !strings.HasPrefix(stdout, wantHeader+"\n\nNo pods.\n") {
		t.Errorf("want the header line %q and no pods:\n%s", wantHeader, stdout)
	}
	if got := strings.Join(rowOf(stdout, "driver"), " "); got != "driver 0/1 0 0 2 0" {
		t.Errorf("driver: %q, want 2 ECS nodes (the third is cordoned), no ECI", got)
	}
	if got := strings.Join(rowOf(stdout, "executor"), " "); got != "executor 0/3 0 0 0 1" {
		t.Errorf("executor: %q, want 1 ECI node (the other is not ready), no ECS", got)
	}
	if strings.Contains(stderr, "no schedulable node") {
		t.Errorf("warned about a role that fits: %q", stderr)
	}
	// envtest runs no operator webhook: the counts assume it, and say so.
	if !strings.Contains(stderr, "Warning: no mutating webhook of the Spark operator selects Spark pods") {
		t.Errorf("stderr %q, want the webhook warning", stderr)
	}

	stdout, _, code = runPlugin(t, "status", "-n", ns, "etl", "-o", "json")
	s := statusJSON(t, stdout)
	if code != 0 || len(s.Applications) != 1 {
		t.Fatalf("exit %d: %s", code, stdout)
	}
	a := s.Applications[0]
	if a.Settled || a.Placement.Driver != "ecs" || a.Placement.Executor != "eci" || len(a.Pods) != 0 {
		t.Errorf("application %+v", a)
	}
	if e := a.Roles[0].EligibleNodes; e == nil || *e != (podplacement.Eligibility{ECS: 2}) {
		t.Errorf("driver eligible nodes %+v", e)
	}
	if e := a.Roles[1].EligibleNodes; e == nil || *e != (podplacement.Eligibility{ECI: 1}) || a.Roles[1].ExpectedPods != 3 {
		t.Errorf("executor %+v", a.Roles[1])
	}

	// Executors kept to a node pool no node of the zone is in fit nowhere.
	createZonedApp(t, ns, "stuck", nodes.zone, 1, "team: data")
	patch := `{"spec":{"executor":{"nodeSelector":{"pool":"gpu"}}}}`
	if _, err := cluster.dyn.Resource(sparkAppGVR).Namespace(ns).Patch(t.Context(), "stuck", "application/merge-patch+json", []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = runPlugin(t, "status", "-n", ns, "-l", "team=data")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "Warning: " + ns + "/stuck: no schedulable node matches the executor's tolerations, node selector and required node affinity: its pods cannot be placed\n"
	if !strings.Contains(stderr, want) || strings.Count(stderr, "no schedulable node") != 1 {
		t.Errorf("stderr %q, want one warning about stuck's executors", stderr)
	}
	if strings.Count(stdout, "APPLICATION ") != 2 || strings.Index(stdout, "APPLICATION etl ") > strings.Index(stdout, "APPLICATION stuck ") {
		t.Errorf("want etl then stuck:\n%s", stdout)
	}
}

// With pods, status gives a row per pod: role, phase, node and its kind, and
// for a pod still waiting, the scheduler's latest word, read from
// events.k8s.io-style and core/v1-style events alike.
func TestStatusRowsAndSchedulerReasons(t *testing.T) {
	ns := newNamespace(t)
	nodes := newStatusNodes(t, ns)
	createZonedApp(t, ns, "spark-pi", nodes.zone, 3, "team: ml")
	setAppState(t, ns, "spark-pi", "RUNNING")

	driver := pendingPod(t, ns, "spark-pi", "spark-pi-driver", "driver")
	exec1 := pendingPod(t, ns, "spark-pi", "spark-pi-exec-1", "executor")
	exec2 := pendingPod(t, ns, "spark-pi", "spark-pi-exec-2", "executor")
	exec3 := pendingPod(t, ns, "spark-pi", "spark-pi-exec-3", "executor")
	other := pendingPod(t, ns, "another-app", "another-app-driver", "driver")
	bind(t, driver, nodes.ecs1)
	bind(t, exec1, nodes.eci1)

	at := time.Now().Add(-time.Minute).Truncate(time.Microsecond)
	full := "0/5 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable, " +
		"2 node(s) didn't match Pod's node affinity/selector, 1 Insufficient cpu. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling."
	failedScheduling(t, exec2, "0/5 nodes are available: an older attempt.", at.Add(-time.Minute), 1)
	failedScheduling(t, exec2, full, at, 3)
	coreFailedScheduling(t, exec3, "0/5 nodes are available: 1 Insufficient memory.", at.Add(-time.Minute), at.Add(-time.Minute), 1)
	coreFailedScheduling(t, exec3, "0/5 nodes are available: 1 Insufficient cpu.", at.Add(-30*time.Second), at.Truncate(time.Second), 4)
	failedScheduling(t, other, "not this application's", at, 1)
	failedScheduling(t, exec1, "0/5 nodes are available: before exec-1 was bound.", at.Add(-2*time.Minute), 1)

	stdout, stderr, code := runPlugin(t, "status", "-n", ns, "spark-pi")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	t.Logf("status:\n%s", stdout)
	if !strings.HasPrefix(stdout, "APPLICATION spark-pi   NAMESPACE "+ns+"   STATE RUNNING   DRIVER ecs   EXECUTORS eci\n") {
		t.Errorf("header line:\n%s", stdout)
	}
	if got := rowOf(stdout, "POD"); strings.Join(got, ",") != "POD,ROLE,PHASE,NODE,KIND,AGE,REASON,MESSAGE" {
		t.Errorf("columns %q", got)
	}
	for _, want := range [][]string{
		{"spark-pi-driver", "driver", "Pending", nodes.ecs1, "ECS", "-", "-"},
		{"spark-pi-exec-1", "executor", "Pending", nodes.eci1, "ECI", "-", "-"},
		{"spark-pi-exec-2", "executor", "Pending", "-", "-", "Unschedulable", full},
		{"spark-pi-exec-3", "executor", "Pending", "-", "-", "Unschedulable", "0/5 nodes are available: 1 Insufficient cpu."},
	} {
		got := rowOf(stdout, want[0])
		if len(got) != 8 || strings.Join(append(got[:5:5], got[6:]...), "|") != strings.Join(want, "|") {
			t.Errorf("row %q, want %q (and an age)", got, want)
		}
	}
	if want := "\nWHY 2 of 3 executors wait for a node: Unschedulable: "; !strings.Contains(stdout, want) {
		t.Errorf("no verdict %q:\n%s", want, stdout)
	}
	if strings.Contains(stdout, "another-app") || strings.Contains(stdout, "ROLE   PODS") {
		t.Errorf("another application's pod, or the roles block with every role present:\n%s", stdout)
	}

	stdout, _, code = runPlugin(t, "status", "-n", ns, "spark-pi", "-o", "json")
	s := statusJSON(t, stdout)
	if code != 0 || len(s.Applications) != 1 || len(s.Applications[0].Pods) != 4 {
		t.Fatalf("exit %d:\n%s", code, stdout)
	}
	a := s.Applications[0]
	if a.Settled || a.Roles[1].Scheduled != 1 || a.Roles[1].ECIPods != 1 || a.Roles[1].Pods != 3 {
		t.Errorf("application %+v", a)
	}
	m := a.Pods[2].Scheduler
	if m == nil || m.Message != full || m.From != podplacement.FromEvent || m.Count != 3 || !m.Time.Equal(at.Add(3*time.Second)) {
		t.Errorf("exec-2's scheduler message %+v, want the series' last observation", m)
	}
	if m := a.Pods[3].Scheduler; m == nil || m.Count != 4 || !m.Time.Equal(at.Truncate(time.Second)) {
		t.Errorf("exec-3's scheduler message %+v, want the core/v1 event's last timestamp and count", m)
	}
	if a.Pods[1].Scheduler != nil {
		t.Errorf("exec-1 is bound but has a scheduler message: %+v", a.Pods[1].Scheduler)
	}

	// ECI writes the instance it made onto the pod; the spot strategy came
	// from spark-submit.
	patch := `{"metadata":{"annotations":{"k8s.aliyun.com/eci-instance-spec":"2.0-4.0Gi","k8s.aliyun.com/eci-spot-strategy":"SpotAsPriceGo"}}}`
	if _, err := cluster.client.CoreV1().Pods(ns).Patch(t.Context(), exec1.Name, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	stdout, _, _ = runPlugin(t, "status", "-n", ns, "spark-pi", "-o", "wide")
	if got := rowOf(stdout, "POD"); strings.Join(got, ",") != "POD,ROLE,PHASE,NODE,KIND,AGE,READY,RESTARTS,IP,NOMINATED NODE,ECI SPEC,SPOT,REASON,MESSAGE,FIX" {
		t.Errorf("wide columns %q", got)
	}
	for pod, want := range map[string]string{"spark-pi-exec-1": "2.0-4.0Gi SpotAsPriceGo - - -", "spark-pi-driver": "- - - - -"} {
		if row := rowOf(stdout, pod); len(row) < 5 || strings.Join(row[len(row)-5:], " ") != want {
			t.Errorf("wide row of %s: %q, want it to end %q", pod, row, want)
		}
	}
	if got := strings.Join(rowOf(stdout, "executor"), " "); got != "executor 3/3 1 1 0 1" {
		t.Errorf("wide roles block: %q\n%s", got, stdout)
	}

	// Across namespaces, by label, as a user of another namespace would.
	stdout, stderr, code = runPlugin(t, "status", "-A", "-l", "team=ml", "-o", "yaml")
	if code != 0 || !strings.Contains(stdout, "namespace: "+ns+"\n") || !strings.Contains(stdout, "name: spark-pi-exec-3\n") {
		t.Errorf("-A -l: exit %d %s\n%s", code, stderr, stdout)
	}
}

// --watch prints the pods as they change and ends when every expected pod
// has a node; -o json then prints the settled status once.
func TestStatusWatchEndsWhenEveryPodIsBound(t *testing.T) {
	ns := newNamespace(t)
	nodes := newStatusNodes(t, ns)
	createZonedApp(t, ns, "stream", nodes.zone, 2, "team: ml")

	driver := pendingPod(t, ns, "stream", "stream-driver", "driver")
	table := startKubectl(t, cluster.kubeconfig, "spark-eci", "status", "-n", ns, "stream", "--watch", "--timeout=90s")
	asJSON := startPlugin(t, cluster.kubeconfig, "status", "-n", ns, "stream", "--watch", "--timeout=90s", "-o", "json")
	waitForRows(t, table, []string{"stream-driver"})

	failedScheduling(t, driver, "0/5 nodes are available: 5 Insufficient cpu.", time.Now(), 1)
	waitForOutput(t, table, "5 Insufficient cpu.")
	bind(t, driver, nodes.ecs2)
	exec1 := pendingPod(t, ns, "stream", "stream-exec-1", "executor")
	bind(t, exec1, nodes.eci1)
	exec2 := pendingPod(t, ns, "stream", "stream-exec-2", "executor")
	failedScheduling(t, exec2, "0/5 nodes are available: 1 Too many pods.", time.Now(), 1)
	holdsFor(t, 2*time.Second, func(context.Context) error {
		if table.ended() {
			return fmt.Errorf("--watch ended with an executor still waiting: exit %d\n%s\n%s", table.code, table.stdout.String(), table.stderr.String())
		}
		return nil
	})
	bind(t, exec2, nodes.eci1)

	table.wait(t, time.Minute)
	stdout := table.stdout.String()
	t.Logf("table:\n%s", stdout)
	var driverRows, exec2Rows []string
	for _, line := range strings.Split(stdout, "\n") {
		switch c := cells(line); {
		case len(c) > 0 && c[0] == "stream-driver":
			driverRows = append(driverRows, strings.Join(c, "|"))
		case len(c) > 0 && c[0] == "stream-exec-2":
			exec2Rows = append(exec2Rows, strings.Join(c, "|"))
		}
	}
	if len(driverRows) != 3 || !strings.HasSuffix(driverRows[0], "|-") || !strings.HasSuffix(driverRows[1], "|0/5 nodes are available: 5 Insufficient cpu.") ||
		!strings.Contains(driverRows[2], "|"+nodes.ecs2+"|ECS|") {
		t.Errorf("driver rows %q: want waiting, the scheduler's reason, then its node", driverRows)
	}
	if len(exec2Rows) == 0 || !strings.Contains(exec2Rows[len(exec2Rows)-1], "|"+nodes.eci1+"|ECI|") {
		t.Errorf("exec-2 rows %q, want it last on its ECI node", exec2Rows)
	}
	if !strings.Contains(table.stderr.String(), "Every expected pod has a node.") {
		t.Errorf("stderr %q", table.stderr.String())
	}

	r := awaitPlugin(t, asJSON, time.Minute, "status --watch -o json, every pod bound")
	if a := statusJSON(t, r.stdout).Applications[0]; !a.Settled || len(a.Pods) != 3 || a.Pods[2].Node != nodes.eci1 || a.Pods[2].NodeKind != "ECI" {
		t.Errorf("final status %+v", a)
	}

	// An application already settled ends the watch at once.
	stdout, stderr, code := runPlugin(t, "status", "-n", ns, "stream", "--watch")
	if code != 0 || !strings.Contains(stdout, "stream-exec-2") || !strings.Contains(stderr, "Every expected pod has a node.") {
		t.Errorf("settled: exit %d %q %q", code, stdout, stderr)
	}
}

// A pod deleted while the watch was cut off is seen gone, though the watch's
// version is too old by then (etcd compacted, the API server restarted: 410
// Gone): its replacement settles the application and the watch ends.
func TestStatusWatchSeesAPodDeletedInAGap(t *testing.T) {
	ns := newNamespace(t)
	nodes := newStatusNodes(t, ns)
	createZonedApp(t, ns, "gap", nodes.zone, 1, "team: ml")
	bind(t, pendingPod(t, ns, "gap", "gap-driver", "driver"), nodes.ecs1)
	lost := pendingPod(t, ns, "gap", "gap-exec-1", "executor")
	failedScheduling(t, lost, "0/5 nodes are available: 5 Insufficient cpu.", time.Now(), 1)
	proxy, kubeconfig := newCuttableProxy(t)
	w := startKubectl(t, kubeconfig, "spark-eci", "status", "-n", ns, "gap", "--watch", "--timeout=40s")
	waitForRows(t, w, []string{"gap-exec-1"})

	proxy.pause()
	if err := cluster.client.CoreV1().Pods(ns).Delete(t.Context(), lost.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatal(err)
	}
	bind(t, pendingPod(t, ns, "gap", "gap-exec-2", "executor"), nodes.eci1)
	compactEtcd(t)
	restartAPIServer(t)
	proxy.resume()

	w.wait(t, time.Minute)
	if !strings.Contains(w.stderr.String(), "Every expected pod has a node.") {
		t.Errorf("stderr %q", w.stderr.String())
	}
}

// --watch gives up at --timeout with one line naming what still waits.
func TestStatusWatchTimesOut(t *testing.T) {
	ns := newNamespace(t)
	nodes := newStatusNodes(t, ns)
	createZonedApp(t, ns, "slow", nodes.zone, 2, "team: ml")
	bind(t, pendingPod(t, ns, "slow", "slow-driver", "driver"), nodes.ecs1)
	pendingPod(t, ns, "slow", "slow-exec-1", "executor")

	stdout, stderr, code := runPlugin(t, "status", "-n", ns, "slow", "--watch", "--timeout=2s", "-o", "json")
	want := regexp.MustCompile(`(^|\n)error: timed out after 2(\.\d)?s waiting for pods to be placed: ` + ns + `/slow \(executor 0/2 with a node\)\n$`)
	if code != 124 || !want.MatchString(stderr) || strings.Count(stderr, "error:") != 1 {
		t.Errorf("exit %d, stderr %q, want 124 and one error, the last line: %s", code, stderr, want)
	}
	if s := statusJSON(t, stdout); s.Applications[0].Settled {
		t.Errorf("printed a settled status: %+v", s.Applications[0])
	}
}

// An application deleted while status --watch waits for it is no longer
// waited for; once every application shown is gone, the watch ends with an
// error.
func TestStatusWatchDropsDeletedApps(t *testing.T) {
	ns := newNamespace(t)
	nodes := newStatusNodes(t, ns)
	for _, app := range []string{"first", "second"} {
		createZonedApp(t, ns, app, nodes.zone, 1, "team: gone")
		pendingPod(t, ns, app, app+"-driver", "driver")
	}
	w := startKubectl(t, cluster.kubeconfig, "spark-eci", "status", "-n", ns, "-l", "team=gone", "--watch")
	waitForOutput(t, w, "APPLICATION second")
	apps := cluster.dyn.Resource(sparkAppGVR).Namespace(ns)
	if err := apps.Delete(t.Context(), "second", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitForLog(t, w, ns+"/second: deleted")
	if w.ended() {
		t.Fatalf("status --watch ended while first still waits:\n%s", w.stderr.String())
	}
	if err := apps.Delete(t.Context(), "first", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("status --watch did not end once every application was deleted:\n%s", w.stderr.String())
	}
	if want := "error: every application shown was deleted\n"; w.code == 0 || !strings.HasSuffix(w.stderr.String(), want) {
		t.Errorf("exit %d, stderr %q, want it to end with %q", w.code, w.stderr.String(), want)
	}
}

// Bad input: one clear line and a non-zero exit, through kubectl as a user
// runs it.
func TestStatusBadInput(t *testing.T) {
	ns := newNamespace(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"status", "-n", ns, "nope"}, `error: sparkapplication "nope" not found in namespace "` + ns + `"`},
		{[]string{"status", "-n", "no-such-namespace", "nope"}, `error: namespace "no-such-namespace" not found`},
		{[]string{"status", "-n", ns, "-l", "team=nobody"}, `error: no SparkApplications or SparkConnects match "team=nobody" in namespace "` + ns + `"`},
		{[]string{"status", "-n", ns}, "error: give the applications to show: NAME, -l SELECTOR or -A"},
		{[]string{"status", "-n", ns, "pod/spark-pi-driver"}, `error: status takes a SparkApplication`},
	} {
		stdout, stderr, code := runKubectl(t, cluster.kubeconfig, append([]string{"spark-eci"}, tc.args...)...)
		if code == 0 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, tc.want) {
			t.Errorf("kubectl spark-eci %s: exit %d, stdout %q, stderr %q, want one line %q",
				strings.Join(tc.args, " "), code, stdout, stderr, tc.want)
		}
	}
}

// A pod whose virtual node is gone reads ECI in status and in cache-report
// alike: a node not listed is told by ACK's name for virtual nodes.
func TestNodeGoneSameKindEverywhere(t *testing.T) {
	ns := newNamespace(t)
	ensureNodes(t)
	createSeedApp(t, ns, "spark-pi")
	pod := sparkPod(t, ns, "spark-pi", "spark-pi-exec-1", "executor", "virtual-kubelet-cn-hangzhou-gone")
	at := time.Now().Truncate(time.Second)
	podEvent(t, pod, "kubelet", corev1.EventTypeNormal, "Pulled", `Container image "`+sparkImage+`" already present on machine`, at, at, 1)

	stdout, stderr, code := runPlugin(t, "status", "-n", ns, "spark-pi", "-o", "json")
	if code != 0 {
		t.Fatalf("status: exit %d: %s", code, stderr)
	}
	var statusKind placement.NodeKind
	for _, p := range statusJSON(t, stdout).Applications[0].Pods {
		if p.Name == pod.Name {
			statusKind = p.NodeKind
		}
	}
	stdout, stderr, code = runPlugin(t, "cache-report", "-n", ns, pod.Name, "-o", "json")
	if code != 0 {
		t.Fatalf("cache-report: exit %d: %s", code, stderr)
	}
	var report struct {
		Pods []struct {
			NodeKind placement.NodeKind `json:"nodeKind"`
		} `json:"pods"`
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil || len(report.Pods) != 1 {
		t.Fatalf("cache-report -o json: %v\n%s", err, stdout)
	}
	if statusKind != placement.NodeECI || report.Pods[0].NodeKind != placement.NodeECI {
		t.Errorf("status says %q, cache-report %q; want ECI in both", statusKind, report.Pods[0].NodeKind)
	}
}
