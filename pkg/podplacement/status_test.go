package podplacement

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/internal/golden"
	"github.com/spark-eci/kubectl-spark-eci/pkg/eventtime"
	"github.com/spark-eci/kubectl-spark-eci/pkg/imagecache"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

const unschedulable = "0/8 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, " +
	"2 node(s) were unschedulable, 3 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu. " +
	"preemption: 0/8 nodes are available: 8 Preemption is not helpful for scheduling."

// seedApp is the guide's best practice, driver on ECS and executors on ECI,
// running, with the guide's verification: the driver and exec-1 on ECS
// (exec-1 through a ResourcePolicy unit), exec-2..4 on ECI, exec-5 pending
// because both units are full.
func seedApp(t *testing.T) (map[string]interface{}, []corev1.Pod, FailedScheduling) {
	t.Helper()
	obj := parseApp(t, `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: spark-pi, namespace: spark}
spec:
  sparkVersion: 3.5.2
  driver: {cores: 1}
  executor:
    instances: 5
    tolerations: [`+eciToleration+`]
    affinity: `+requireECI+`
status:
  applicationState: {state: RUNNING}
`)
	ecs, eci := "cn-hangzhou.192.168.0.10", "virtual-kubelet-cn-hangzhou-i"
	at := t0.Add(6 * time.Second)
	placed := placedAs(t, obj, sparkapp.Executor) // as the operator's webhook places them
	pods := []corev1.Pod{
		sparkPod("spark-pi", "spark-pi-34c0998f9f832e61-exec-10", "executor", at, placed, unschedulableCondition("0/8 nodes are available: older message.", at)),
		sparkPod("spark-pi", "spark-pi-34c0998f9f832e61-exec-5", "executor", at, placed, nominated("virtual-kubelet-cn-hangzhou-j")),
		sparkPod("spark-pi", "spark-pi-34c0998f9f832e61-exec-4", "executor", at, placed, onNode(eci), running("192.168.0.86")),
		// ECI writes the instance it created; spark-submit copied the spot strategy.
		sparkPod("spark-pi", "spark-pi-34c0998f9f832e61-exec-3", "executor", at, placed, onNode(eci), running("192.168.0.88"),
			annotated("k8s.aliyun.com/eci-instance-spec", "ecs.c6.large")),
		sparkPod("spark-pi", "spark-pi-34c0998f9f832e61-exec-2", "executor", at, placed, onNode(eci), running("192.168.0.87"),
			annotated("k8s.aliyun.com/eci-instance-spec", "2.0-4.0Gi", "k8s.aliyun.com/eci-spot-strategy", "SpotAsPriceGo")),
		// The webhook did not place this one: it runs on ECS, though its
		// role asks for ECI only. (On ECS the ECI annotations mean nothing.)
		sparkPod("spark-pi", "spark-pi-34c0998f9f832e61-exec-1", "executor", at, onNode(ecs), running("192.168.0.34"),
			annotated("k8s.aliyun.com/eci-spot-strategy", "SpotAsPriceGo")),
		sparkPod("spark-pi", "spark-pi-driver", "driver", t0, onNode(ecs), running("192.168.0.37")),
	}
	failed := FailedScheduling{}
	failed.Put(ptr(schedulerEvent(pods[1], "0/8 nodes are available: stale.", at, 1)))
	failed.Put(ptr(schedulerEvent(pods[1], unschedulable, at.Add(time.Second), 3)))
	return obj, pods, failed
}

func ptr[T any](v T) *T { return &v }

func TestBuild(t *testing.T) {
	obj, pods, failed := seedApp(t)
	a, warnings := Build(obj, pods, PodEvents{Failed: failed}, cluster(), Admission{}, Caches{})
	if len(warnings) > 0 {
		t.Errorf("warnings: %q", warnings)
	}
	var names []string
	for _, p := range a.Pods {
		names = append(names, strings.TrimPrefix(p.Name, "spark-pi-34c0998f9f832e61-"))
	}
	if want := []string{"spark-pi-driver", "exec-1", "exec-2", "exec-3", "exec-4", "exec-5", "exec-10"}; !reflect.DeepEqual(names, want) {
		t.Errorf("order = %q, want %q", names, want)
	}
	if a.Placement != (Placement{Driver: placement.ECS, Executor: placement.ECI}) {
		t.Errorf("placement = %+v", a.Placement)
	}
	want := []Role{
		{Role: sparkapp.Driver, ExpectedPods: 1, Pods: 1, Scheduled: 1, EligibleNodes: &Eligibility{ECS: 3}},
		{Role: sparkapp.Executor, ExpectedPods: 5, Pods: 6, Scheduled: 4, ECIPods: 3, EligibleNodes: &Eligibility{ECI: 2}, waiting: 2},
	}
	if !reflect.DeepEqual(a.Roles, want) {
		t.Errorf("roles = %+v, want %+v", a.Roles, want)
	}
	if a.Settled {
		t.Error("settled with two executors waiting for a node")
	}
	exec5 := a.Pods[5].Scheduler
	if exec5 == nil || exec5.Message != unschedulable || exec5.From != FromEvent || exec5.Count != 3 ||
		!exec5.Time.Equal(t0.Add(7*time.Second+3*time.Minute)) {
		t.Errorf("exec-5 scheduler message = %+v, want the latest event's", exec5)
	}
	if exec10 := a.Pods[6].Scheduler; exec10 == nil || exec10.From != FromCondition {
		t.Errorf("exec-10 scheduler message = %+v, want the condition's", exec10)
	}
	if a.Pods[0].Scheduler != nil {
		t.Errorf("a scheduled pod has a scheduler message: %+v", a.Pods[0].Scheduler)
	}
}

func TestStatusGolden(t *testing.T) {
	obj, pods, failed := seedApp(t)
	running, _ := Build(obj, pods, PodEvents{Failed: failed}, cluster(), Admission{}, Caches{})

	// A new application whose executors require a zone that has no virtual node.
	fresh := parseApp(t, `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: etl, namespace: spark}
spec:
  driver: {nodeSelector: {topology.kubernetes.io/zone: cn-hangzhou-i}}
  executor:
    instances: 3
    tolerations: [`+eciToleration+`]
    affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [
      {matchExpressions: [{key: type, operator: In, values: [virtual-kubelet]}, {key: topology.kubernetes.io/zone, operator: In, values: [cn-hangzhou-k]}]}]}}}
`)
	waiting, warnings := Build(fresh, nil, NewPodEvents(), cluster(), Admission{}, Caches{})
	if len(warnings) != 1 || !strings.Contains(warnings[0], "no schedulable node matches the executor's") {
		t.Errorf("warnings = %q, want one about the executors", warnings)
	}
	if waiting.Settled || waiting.Roles[1].EligibleNodes.Total() != 0 {
		t.Errorf("new app: %+v", waiting)
	}
	status := NewStatus([]Application{running, waiting})
	now := t0.Add(34 * time.Second)

	var table, wide bytes.Buffer
	if err := WriteTable(&table, status, TableOptions{Now: now}); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "status-table.txt", table.String())
	if err := WriteTable(&wide, status, TableOptions{Now: now, Wide: true}); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "status-wide.txt", wide.String())

	b, err := json.MarshalIndent(status, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "status.json", string(b)+"\n")
	// The stream is checked against MarshalIndent itself, not against a
	// golden file it could have written: no applications too.
	for _, s := range []Status{status, NewStatus(nil)} {
		want, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		var streamed bytes.Buffer
		if err := s.WriteJSON(&streamed); err != nil {
			t.Fatal(err)
		}
		if streamed.String() != string(want)+"\n" {
			t.Errorf("WriteJSON of %d applications differs from json.MarshalIndent:\n%s\nwant:\n%s", len(s.Applications), streamed.String(), want)
		}
	}
	var back Status
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Applications[0].Pods[5].Scheduler.Count != 3 || back.Kind != StatusKind {
		t.Errorf("the JSON does not read back: %+v", back.Applications[0].Pods[5])
	}
	if _, err := yaml.JSONToYAML(b); err != nil {
		t.Fatal(err)
	}
}

func TestNodesUnknown(t *testing.T) {
	obj, pods, failed := seedApp(t)
	a, warnings := Build(obj, pods, PodEvents{Failed: failed}, NewNodes(nil, false, placement.AlibabaCloudECI), Admission{}, Caches{})
	if len(warnings) > 0 {
		t.Errorf("warnings: %q", warnings)
	}
	for _, r := range a.Roles {
		if r.EligibleNodes != nil {
			t.Errorf("%s: eligible nodes %+v without a node list", r.Role, r.EligibleNodes)
		}
	}
	if a.Pods[2].NodeKind != "ECI" || a.Pods[1].NodeKind != "ECS" {
		t.Errorf("node kinds by name: %q, %q", a.Pods[2].NodeKind, a.Pods[1].NodeKind)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, NewStatus([]Application{a}), TableOptions{Wide: true, Now: t0}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "executor   6/5    4           3        ?                    ?") {
		t.Errorf("roles block without nodes:\n%s", buf.String())
	}
}

func TestSettled(t *testing.T) {
	ecs := "cn-hangzhou.192.168.0.10"
	manifest := func(state, executor string) map[string]interface{} {
		return parseApp(t, `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: a, namespace: spark}
spec:
  executor: `+executor+`
  dynamicAllocation: {enabled: false}
status: {applicationState: {state: "`+state+`"}}
`)
	}
	driver := sparkPod("a", "a-driver", "driver", t0, onNode(ecs))
	exec := func(n string, opts ...podOpt) corev1.Pod { return sparkPod("a", "a-exec-"+n, "executor", t0, opts...) }
	for _, tc := range []struct {
		name string
		app  map[string]interface{}
		pods []corev1.Pod
		want bool
	}{
		{"no pods yet", manifest("SUBMITTED", "{instances: 1}"), nil, false},
		{"driver waiting", manifest("SUBMITTED", "{instances: 0}"), []corev1.Pod{sparkPod("a", "a-driver", "driver", t0)}, false},
		{"driver placed, no executors asked for", manifest("RUNNING", "{instances: 0}"), []corev1.Pod{driver}, true},
		{"driver placed, executors to come", manifest("RUNNING", "{instances: 2}"), []corev1.Pod{driver, exec("1", onNode(ecs))}, false},
		{"Spark's default of two executors", manifest("RUNNING", "{}"), []corev1.Pod{driver, exec("1", onNode(ecs)), exec("2", onNode(ecs))}, true},
		{"a replacement executor waits", manifest("RUNNING", "{instances: 1}"), []corev1.Pod{driver, exec("1", onNode(ecs)), exec("2")}, false},
		{"an executor that failed before it was placed does not wait", manifest("RUNNING", "{instances: 1}"),
			[]corev1.Pod{driver, exec("1", onNode(ecs)), exec("2", phase(corev1.PodFailed))}, true},
		{"being deleted, an executor waits for its replacement", manifest("RUNNING", "{instances: 1}"),
			[]corev1.Pod{driver, exec("1", onNode(ecs), terminating())}, false},
		{"invalidated: the placed pods are going", manifest("INVALIDATING", "{instances: 1}"), []corev1.Pod{driver, exec("1", onNode(ecs))}, false},
		{"pending rerun: the next submission is to come", manifest("PENDING_RERUN", "{instances: 1}"), []corev1.Pod{driver, exec("1", onNode(ecs))}, false},
		{"ended", manifest("COMPLETED", "{instances: 2}"), nil, true},
		{"failed to submit", manifest("SUBMISSION_FAILED", "{instances: 2}"), nil, true},
	} {
		a, _ := Build(tc.app, tc.pods, NewPodEvents(), cluster(), Admission{}, Caches{})
		if a.Settled != tc.want {
			t.Errorf("%s: settled = %v, want %v", tc.name, a.Settled, tc.want)
		}
	}
}

func TestFailedSchedulingKeepsTheLatest(t *testing.T) {
	pod := sparkPod("a", "a-driver", "driver", t0)
	older := coreEvent(pod, "0/3 nodes are available: old.", t0, t0.Add(time.Minute), 4)
	newer := schedulerEvent(pod, "0/3 nodes are available: new.", t0.Add(2*time.Minute), 1)
	repeated := schedulerEvent(pod, "0/3 nodes are available: repeated.", t0, 5) // last observed at t0+5m

	f := FailedScheduling{}
	for _, e := range []corev1.Event{newer, older} {
		f.Put(&e)
	}
	if got := f[pod.UID].Message; got != newer.Message {
		t.Errorf("kept %q, want the newer event", got)
	}
	if !f.Put(&repeated) || f[pod.UID].Message != repeated.Message {
		t.Errorf("a series observed later should win: kept %q", f[pod.UID].Message)
	}
	other := coreEvent(pod, "x", t0.Add(time.Hour), t0.Add(time.Hour), 1)
	other.Reason = "Scheduled"
	if f.Put(&other) {
		t.Error("kept a Scheduled event")
	}

	combined := coreEvent(pod, "(combined from similar events): 0/3 nodes are available: 3 Insufficient memory.", t0, t0, 12)
	message := func(p *corev1.Pod, e *corev1.Event) *SchedulerMessage {
		r := recordOf(p)
		events := NewPodEvents()
		if e != nil {
			events.Failed[p.UID] = e
		}
		return r.rowOf(events, cluster()).Scheduler
	}
	m := message(&pod, &combined)
	if m.Message != "0/3 nodes are available: 3 Insufficient memory." || m.Count != 12 || !m.Time.Equal(t0) {
		t.Errorf("core/v1 event read as %+v", m)
	}
	deleting := pod
	deleting.DeletionTimestamp = &metav1.Time{Time: t0}
	if message(&deleting, &combined) != nil {
		t.Error("a pod being deleted does not wait for a node")
	}
	if m := message(&pod, nil); m == nil || m.Message != "" {
		t.Errorf("a pod the scheduler has not spoken of: %+v, want an empty message", m)
	}
}

// The scheduler's events, as they come through core/v1, are timed by the
// rule every report uses (package eventtime).
func TestSchedulerEventLastSeen(t *testing.T) {
	pod := sparkPod("a", "a-driver", "driver", t0)
	written := t0.Add(time.Hour) // events are written after they happen
	for _, tc := range []struct {
		name  string
		event corev1.Event
		want  time.Time
	}{
		{"events.k8s.io, once", schedulerEvent(pod, "m", t0, 1), t0},
		{"events.k8s.io, repeated", schedulerEvent(pod, "m", t0, 4), t0.Add(4 * time.Minute)},
		{"core/v1", coreEvent(pod, "m", t0, t0.Add(time.Minute), 2), t0.Add(time.Minute)},
		{"nothing but the object", corev1.Event{}, written},
	} {
		tc.event.CreationTimestamp = metav1.NewTime(written)
		if got := eventtime.Last(&tc.event); !got.Equal(tc.want) {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// A pod being deleted is shown as kubectl shows it, and counts for no role.
func TestTerminatingPod(t *testing.T) {
	ecs := "cn-hangzhou.192.168.0.10"
	app := parseApp(t, `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: a, namespace: spark}
spec: {executor: {instances: 1}}
status: {applicationState: {state: RUNNING}}
`)
	pods := []corev1.Pod{
		sparkPod("a", "a-driver", "driver", t0, onNode(ecs), running("10.0.0.1")),
		sparkPod("a", "a-exec-1", "executor", t0, onNode(ecs), running("10.0.0.2"), terminating()),
	}
	a, _ := Build(app, pods, NewPodEvents(), cluster(), Admission{}, Caches{})
	if r := a.Roles[1]; r.Pods != 0 || r.Scheduled != 0 {
		t.Errorf("executor role = %+v, want the pod being deleted left out", r)
	}
	if !a.Pods[1].Terminating || a.Pods[0].Terminating {
		t.Errorf("terminating = %v, %v; want false, true", a.Pods[0].Terminating, a.Pods[1].Terminating)
	}
	var buf bytes.Buffer
	if err := WriteRows(&buf, a.Pods, TableOptions{Now: t0}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], " Running ") || !strings.Contains(lines[1], " Terminating ") {
		t.Errorf("rows:\n%s", buf.String())
	}
	b, err := json.Marshal(a.Pods)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(b), `"terminating":true`) != 1 {
		t.Errorf("JSON: %s", b)
	}
}

// Executors the operator marks FAILED are in the verdict once their pods
// are gone; one still shown speaks for itself.
func TestVerdictCountsFailedExecutorsGone(t *testing.T) {
	app := parseApp(t, `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: spark-pi, namespace: spark}
spec: {executor: {instances: 2}}
status:
  applicationState: {state: RUNNING}
  executorState: {spark-pi-exec-1: FAILED, spark-pi-exec-2: RUNNING, spark-pi-exec-3: FAILED}
`)
	pods := []corev1.Pod{
		sparkPod("spark-pi", "spark-pi-driver", "driver", t0, onNode("cn-hangzhou.192.168.0.10"), running("192.168.0.1")),
		sparkPod("spark-pi", "spark-pi-exec-1", "executor", t0, onNode("cn-hangzhou.192.168.0.10"), running("192.168.0.2")),
		sparkPod("spark-pi", "spark-pi-exec-2", "executor", t0, onNode("cn-hangzhou.192.168.0.10"), running("192.168.0.3")),
	}
	a, _ := Build(app, pods, NewPodEvents(), cluster(), Admission{}, Caches{})
	if want := "the operator marks 1 executor FAILED whose pod is gone: spark-pi-exec-3"; a.Verdict != want {
		t.Errorf("verdict %q, want %q", a.Verdict, want)
	}
}

// An application pinned to an image cache that is gone is told so in its
// verdict, before its pods miss it; only when the caches are known.
func TestVerdictSaysAPinnedCacheIsGone(t *testing.T) {
	app := parseApp(t, `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: spark-pi, namespace: spark}
spec: {executor: {instances: 1, annotations: {k8s.aliyun.com/eci-imc-id: imc-gone}}}
status: {applicationState: {state: RUNNING}}
`)
	known := Caches{Known: true, Now: t0, Items: []imagecache.Cache{{Name: "other", ID: "imc-other", Phase: "Ready"}}}
	a, _ := Build(app, nil, NewPodEvents(), cluster(), Admission{}, known)
	if !strings.Contains(a.Verdict, "executor pins image cache imc-gone, which no ImageCache has") ||
		!strings.Contains(a.Verdict, "kubectl spark-eci image-cache create -n spark sparkapplication/spark-pi --place") {
		t.Errorf("verdict %q", a.Verdict)
	}
	if a, _ := Build(app, nil, NewPodEvents(), cluster(), Admission{}, Caches{}); a.Verdict != "" {
		t.Errorf("with the caches not known: verdict %q", a.Verdict)
	}
}
