package podplacement

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

const (
	ecsNodeName = "cn-hangzhou.192.168.0.10"
	eciNodeName = "virtual-kubelet-cn-hangzhou-i"
)

// watchedApp is spark-pi in state, asking for two executors.
func watchedApp(t *testing.T, state string) *unstructured.Unstructured {
	t.Helper()
	return &unstructured.Unstructured{Object: parseApp(t, `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: spark-pi, namespace: spark}
spec: {executor: {instances: 2}}
status: {applicationState: {state: `+state+`}}
`)}
}

func submission(id string) podOpt {
	return func(p *corev1.Pod) { p.Labels[sparkapp.LabelSubmission] = id }
}

// startWatch keeps app and pods in a cluster, as status reads them, and
// starts a watch from the status built of them.
func startWatch(t *testing.T, allSubmissions bool, app *unstructured.Unstructured, pods ...corev1.Pod) *Watch {
	t.Helper()
	c := NewCluster(cluster(), allSubmissions)
	c.PutApp(app)
	for i := range pods {
		c.PutPod(&pods[i], false)
	}
	var apps []Application
	for _, key := range c.Keys() {
		a, _, _ := c.Build(key)
		apps = append(apps, a)
	}
	return NewWatch(c, NewStatus(apps))
}

func rowNames(rows []Pod) []string {
	var names []string
	for _, p := range rows {
		names = append(names, p.Name)
	}
	return names
}

func podNames(w *Watch) []string {
	var names []string
	for _, a := range w.Status().Applications {
		names = append(names, a.Namespace+"/"+a.Name+":")
		names = append(names, rowNames(a.Pods)...)
	}
	return names
}

func TestWatchPrintsWhatChanged(t *testing.T) {
	driver := sparkPod("spark-pi", "spark-pi-driver", "driver", t0, onNode(ecsNodeName), running("10.0.0.1"), submission("s1"))
	exec1 := sparkPod("spark-pi", "spark-pi-exec-1", "executor", t0, submission("s1"))
	exec2 := sparkPod("spark-pi", "spark-pi-exec-2", "executor", t0, onNode(eciNodeName), submission("s1"))
	w := startWatch(t, false, watchedApp(t, "RUNNING"), driver, exec1, exec2)
	if w.Settled() {
		t.Fatal("settled with exec-1 waiting for a node")
	}

	// The same pod again, a minute older, changes nothing printed.
	if u, ok := w.PutPod(&exec2, false); ok {
		t.Errorf("unchanged pod: update %+v", u)
	}

	// The scheduler says why exec-1 waits: its row again, and the header
	// with the application's verdict.
	e := schedulerEvent(exec1, "0/8 nodes are available: 2 Insufficient cpu.", t0.Add(time.Second), 1)
	u, ok := w.PutEvent(&e)
	if !ok || u.Key != "spark/spark-pi" || !reflect.DeepEqual(rowNames(u.Rows), []string{"spark-pi-exec-1"}) ||
		!strings.Contains(u.Header, "\nWHY 1 of 2 executors wait for a node: Unschedulable: 0/8 nodes are available: 2 Insufficient cpu.;") {
		t.Errorf("event: ok %v, update %+v", ok, u)
	}
	if p := u.Rows[0].Problem; p == nil || p.Reason != "Unschedulable" {
		t.Errorf("exec-1's problem = %+v", p)
	}
	if msg := u.Rows[0].Scheduler; msg == nil || !strings.Contains(msg.Message, "Insufficient cpu") {
		t.Errorf("exec-1's scheduler message = %+v", msg)
	}
	// An older event, and one about a pod not shown, change nothing.
	older := schedulerEvent(exec1, "0/8 nodes are available: stale.", t0, 1)
	stranger := schedulerEvent(sparkPod("other", "other-driver", "driver", t0), "0/8 nodes are available.", t0.Add(time.Hour), 1)
	for _, e := range []corev1.Event{older, stranger} {
		if u, ok := w.PutEvent(&e); ok {
			t.Errorf("event %q: update %+v", e.Message, u)
		}
	}

	// exec-1 is placed: its row again, and every expected pod has a node.
	placed := exec1.DeepCopy()
	onNode(eciNodeName)(placed)
	u, ok = w.PutPod(placed, false)
	if !ok || strings.Contains(u.Header, "WHY") || u.Header == "" || !reflect.DeepEqual(rowNames(u.Rows), []string{"spark-pi-exec-1"}) ||
		u.Rows[0].Scheduler != nil || u.Rows[0].Problem != nil {
		t.Errorf("placed: ok %v, update %+v; want the header without its verdict", ok, u)
	}
	if !w.Settled() {
		t.Errorf("not settled with every pod on a node: waiting %q", w.Waiting())
	}

	// The application completes: its header again.
	u, ok = w.PutApp(watchedApp(t, "COMPLETED"))
	if !ok || !strings.Contains(u.Header, "STATE COMPLETED") || len(u.Rows) != 0 {
		t.Errorf("completed: ok %v, update %+v", ok, u)
	}
}

func TestWatchDeletedPods(t *testing.T) {
	driver := sparkPod("spark-pi", "spark-pi-driver", "driver", t0, onNode(ecsNodeName), submission("s1"))
	exec1 := sparkPod("spark-pi", "spark-pi-exec-1", "executor", t0, onNode(eciNodeName), submission("s1"))
	exec2 := sparkPod("spark-pi", "spark-pi-exec-2", "executor", t0, submission("s1"))
	w := startWatch(t, false, watchedApp(t, "RUNNING"), driver, exec1, exec2)

	// A pod deleted in the middle of the kept ones leaves the status with
	// nothing to print (its row went Terminating before), and the others
	// are still found where they are kept, and updated in place.
	if u, ok := w.PutPod(&driver, true); ok {
		t.Errorf("driver deleted: update %+v", u)
	}
	placed := exec2.DeepCopy()
	onNode(eciNodeName)(placed)
	if u, ok := w.PutPod(placed, false); !ok || !reflect.DeepEqual(rowNames(u.Rows), []string{"spark-pi-exec-2"}) {
		t.Errorf("exec-2 placed: ok %v, update %+v", ok, u)
	}
	if got, want := podNames(w), []string{"spark/spark-pi:", "spark-pi-exec-1", "spark-pi-exec-2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("pods = %q, want %q", got, want)
	}
	if w.Settled() {
		t.Error("settled without a driver")
	}
	if got := w.Waiting(); !reflect.DeepEqual(got, []string{"spark/spark-pi (driver 0/1 with a node)"}) {
		t.Errorf("waiting = %q", got)
	}
	// A deletion never seen, and a pod of no application shown, change nothing.
	if u, ok := w.PutPod(&driver, true); ok {
		t.Errorf("second deletion: update %+v", u)
	}
	stranger := sparkPod("other", "other-driver", "driver", t0)
	if u, ok := w.PutPod(&stranger, false); ok {
		t.Errorf("pod of another application: update %+v", u)
	}
	// The driver made again under the same name is printed again.
	if u, ok := w.PutPod(&driver, false); !ok || !reflect.DeepEqual(rowNames(u.Rows), []string{"spark-pi-driver"}) {
		t.Errorf("driver again: ok %v, update %+v", ok, u)
	}
	if !w.Settled() {
		t.Errorf("not settled: waiting %q", w.Waiting())
	}
}

func TestWatchNewSubmission(t *testing.T) {
	for _, all := range []bool{false, true} {
		t.Run(map[bool]string{false: "current", true: "all submissions"}[all], func(t *testing.T) {
			oldDriver := sparkPod("spark-pi", "spark-pi-driver", "driver", t0, onNode(ecsNodeName), submission("s1"))
			oldExec := sparkPod("spark-pi", "spark-pi-exec-1", "executor", t0, onNode(eciNodeName), submission("s1"))
			w := startWatch(t, all, watchedApp(t, "RUNNING"), oldDriver, oldExec)

			u, ok := w.PutApp(watchedApp(t, "PENDING_RERUN"))
			if !ok || !strings.Contains(u.Header, "STATE PENDING_RERUN") || u.NewSubmission != "" {
				t.Errorf("pending rerun: ok %v, update %+v", ok, u)
			}
			// The operator deletes the old driver; while it goes, s1 is
			// still the current submission.
			going := oldDriver.DeepCopy()
			terminating()(going)
			if u, _ := w.PutPod(going, false); u.NewSubmission != "" {
				t.Errorf("old driver terminating: new submission %q", u.NewSubmission)
			}
			newDriver := sparkPod("spark-pi", "spark-pi-driver", "driver", t0.Add(time.Minute), submission("s2"))
			newDriver.UID = "uid-spark-pi-driver-2"
			u, ok = w.PutPod(&newDriver, false)
			if !ok || u.NewSubmission != "s2" {
				t.Errorf("new driver: ok %v, update %+v", ok, u)
			}
			// Told once.
			placed := newDriver.DeepCopy()
			onNode(ecsNodeName)(placed)
			if u, _ := w.PutPod(placed, false); u.NewSubmission != "" {
				t.Errorf("new driver placed: new submission told again: %+v", u)
			}
			want := []string{"spark/spark-pi:", "spark-pi-driver"}
			if all {
				want = []string{"spark/spark-pi:", "spark-pi-driver", "spark-pi-driver", "spark-pi-exec-1"}
			}
			if got := podNames(w); !reflect.DeepEqual(got, want) {
				t.Errorf("pods = %q, want %q", got, want)
			}
			// The first submission's id is no news.
			fresh := startWatch(t, all, watchedApp(t, "SUBMITTED"))
			first := sparkPod("spark-pi", "spark-pi-driver", "driver", t0, submission("s1"))
			if u, ok := fresh.PutPod(&first, false); !ok || u.NewSubmission != "" {
				t.Errorf("first driver: ok %v, update %+v", ok, u)
			}
		})
	}
}

func TestWatchApplicationsComeAndGo(t *testing.T) {
	driver := sparkPod("spark-pi", "spark-pi-driver", "driver", t0, submission("s1"))
	w := startWatch(t, false, watchedApp(t, "SUBMITTED"), driver)

	other := watchedApp(t, "COMPLETED")
	other.SetName("spark-pi-2")
	u, ok := w.PutApp(other)
	if !ok || u.Key != "spark/spark-pi-2" || !strings.Contains(u.Header, "APPLICATION spark-pi-2") {
		t.Errorf("new application: ok %v, update %+v", ok, u)
	}
	if got, want := podNames(w), []string{"spark/spark-pi:", "spark-pi-driver", "spark/spark-pi-2:"}; !reflect.DeepEqual(got, want) {
		t.Errorf("pods = %q, want %q", got, want)
	}
	if w.Settled() {
		t.Error("settled with spark-pi's driver waiting")
	}

	// spark-pi deleted takes its pods: spark-pi-2, which has ended, is
	// all that is left, and settled.
	if !w.DeleteApp("spark/spark-pi") {
		t.Error("spark-pi was not shown")
	}
	if w.DeleteApp("spark/spark-pi") {
		t.Error("spark-pi deleted twice")
	}
	if !w.Settled() {
		t.Errorf("not settled: waiting %q", w.Waiting())
	}
	if got, want := podNames(w), []string{"spark/spark-pi-2:"}; !reflect.DeepEqual(got, want) {
		t.Errorf("pods = %q, want %q", got, want)
	}
	// Its pods' events no longer count.
	e := schedulerEvent(driver, "0/8 nodes are available.", t0.Add(time.Hour), 1)
	if u, ok := w.PutEvent(&e); ok {
		t.Errorf("event of a deleted application's pod: update %+v", u)
	}
}

// A pod's change, or an event about it, costs the same whatever the number
// of pods of its application: the watch works on that pod alone. (Building
// the application again would allocate a row for every pod.)
func TestWatchWorkDoesNotGrowWithThePods(t *testing.T) {
	allocs := func(n int) float64 {
		var pods []corev1.Pod
		pods = append(pods, sparkPod("spark-pi", "spark-pi-driver", "driver", t0, onNode(ecsNodeName), submission("one")))
		for i := 1; i <= n; i++ {
			pods = append(pods, sparkPod("spark-pi", fmt.Sprintf("spark-pi-exec-%d", i), "executor", t0, submission("one")))
		}
		w := startWatch(t, false, watchedApp(t, sparkapp.StateRunning), pods...)
		pod := pods[n/2]
		event := schedulerEvent(pod, "0/8 nodes are available.", t0, 2)
		i := 0
		change := func() {
			i++
			pod.Spec.NodeName = []string{"", eciNodeName}[i%2] // a row that changes every time
			if _, changed := w.PutPod(&pod, false); !changed {
				t.Fatal("a pod that moved changed nothing")
			}
			event.Series.Count = int32(i + 2)
			event.Series.LastObservedTime = metav1.NewMicroTime(t0.Add(time.Duration(i+2) * time.Minute))
			w.PutEvent(&event)
		}
		// The fewest of three counts: the runtime's own allocations (the
		// race detector's, a busy machine's) only ever add to one.
		fewest := testing.AllocsPerRun(50, change)
		for range 2 {
			fewest = min(fewest, testing.AllocsPerRun(50, change))
		}
		return fewest
	}
	small, large := allocs(100), allocs(2000)
	if large > small+1 {
		t.Errorf("a change allocates %.0f times among 2,000 pods, %.0f among 100: its work grows with the pods", large, small)
	}
}

// What the watch keeps up a pod at a time is what building the application
// again gives, after every change of a random sequence: pods of two
// submissions coming, moving, being deleted and going, and the scheduler's
// events.
func TestWatchAgreesWithBuild(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	w := startWatch(t, false, watchedApp(t, sparkapp.StateRunning))
	key := w.cluster.Keys()[0]
	pods := map[string]corev1.Pod{}
	for step := range 3000 {
		name := fmt.Sprintf("spark-pi-exec-%d", r.IntN(12))
		role := "executor"
		if r.IntN(6) == 0 {
			name, role = "spark-pi-driver", "driver"
		}
		pod, seen := pods[name]
		if !seen {
			pod = sparkPod("spark-pi", name, role, t0.Add(time.Duration(r.IntN(5))*time.Second), submission([]string{"one", "two"}[r.IntN(2)]))
		}
		switch r.IntN(5) {
		case 0:
			w.PutPod(&pod, true)
			delete(pods, name)
			continue
		case 1:
			pod.Spec.NodeName = []string{"", ecsNodeName, eciNodeName}[r.IntN(3)]
		case 2:
			now := metav1.NewTime(t0)
			pod.DeletionTimestamp = &now
		case 3:
			e := schedulerEvent(pod, fmt.Sprintf("0/8 nodes are available: %d.", step), t0.Add(time.Duration(step)*time.Second), 1)
			w.PutEvent(&e)
		}
		pods[name] = pod
		w.PutPod(&pod, false)

		want, _, _ := w.cluster.Build(key)
		got := w.Status().Applications[0]
		if !reflect.DeepEqual(got.Roles, want.Roles) || got.Settled != want.Settled || !reflect.DeepEqual(rowNames(got.Pods), rowNames(want.Pods)) {
			t.Fatalf("step %d: the watch keeps\n%+v %v %v\nbuilding again gives\n%+v %v %v", step,
				got.Roles, got.Settled, rowNames(got.Pods), want.Roles, want.Settled, rowNames(want.Pods))
		}
	}
}
