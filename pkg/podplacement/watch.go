package podplacement

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spark-eci/kubectl-spark-eci/pkg/why"
)

// Watch follows the status of a cluster's applications as their objects,
// pods and the scheduler's events change, and tells what of it to print
// again: an application's header line when its state or placement changes,
// a pod's row when anything but its age does, and a new submission once.
//
// A pod's change, or an event about it, works on that pod alone: its row
// is made again and its role's counts moved, whatever the number of pods.
// An application's change, or a new submission of it, makes its status
// again whole.
type Watch struct {
	cluster     *Cluster
	built       map[string]Application       // each application's status, but its pods
	shown       map[string]map[types.UID]Pod // the rows of each application's pods shown
	headers     map[string]string            // what was last printed of each application
	rows        map[types.UID]string         // what was last printed of each pod
	submissions map[string]string            // each application's current submission
	problems    map[types.UID]*why.Problem   // each pod's problem, where it has one
}

// Update is what changed of one application's status.
type Update struct {
	// Key is the application's namespace/name.
	Key string
	// NewSubmission is the id of a submission that took the place of
	// another, "" when none did.
	NewSubmission string
	// Header is the application's header line when it changed, else "".
	Header string
	// Rows are the pods whose rows changed, in the order status shows them.
	Rows []Pod
}

// NewWatch starts from the cluster as it is and the status first printed of
// it (an application per key of the cluster, in the same order).
func NewWatch(cluster *Cluster, printed Status) *Watch {
	w := &Watch{cluster: cluster, built: map[string]Application{}, shown: map[string]map[types.UID]Pod{},
		headers: map[string]string{}, rows: map[types.UID]string{}, submissions: map[string]string{}, problems: map[types.UID]*why.Problem{}}
	for i, key := range cluster.Keys() {
		w.keep(key, printed.Applications[i])
		w.headers[key] = HeaderLine(printed.Applications[i])
		for _, p := range printed.Applications[i].Pods {
			w.rows[p.UID] = rowKey(p)
		}
		w.submissions[key] = cluster.Submission(key)
	}
	return w
}

// keep takes a whole status of an application as the one it follows.
func (w *Watch) keep(key string, a Application) {
	shown := make(map[types.UID]Pod, len(a.Pods))
	for _, p := range w.shown[key] {
		delete(w.problems, p.UID)
	}
	for _, p := range a.Pods {
		shown[p.UID] = p
		if p.Problem != nil {
			w.problems[p.UID] = p.Problem
		}
	}
	a.Pods = nil
	w.built[key], w.shown[key] = a, shown
}

// PutPod takes a pod as it is now, or deleted, and tells what changed of
// its application's status; ok is false when nothing did.
func (w *Watch) PutPod(pod *corev1.Pod, deleted bool) (Update, bool) {
	key, resubmitted := w.cluster.putPod(pod, deleted)
	if deleted {
		delete(w.rows, pod.UID)
	}
	if key == "" {
		return Update{}, false
	}
	if resubmitted {
		return w.update(key)
	}
	return w.updatePod(key, pod.UID)
}

// PutEvent takes an event about a pod and tells what changed of the status
// of the application of its pod.
func (w *Watch) PutEvent(e *corev1.Event) (Update, bool) {
	if !w.cluster.Events.Put(e) {
		return Update{}, false
	}
	key := w.cluster.AppOf(e.InvolvedObject.UID)
	if key == "" {
		return Update{}, false
	}
	return w.updatePod(key, e.InvolvedObject.UID)
}

// PutApp takes an application as it is now and tells what changed of its
// status. A new application is shown after the others.
func (w *Watch) PutApp(app *unstructured.Unstructured) (Update, bool) {
	return w.update(w.cluster.PutApp(app))
}

// DeleteApp forgets an application: nothing is left to wait for of it. It
// tells whether the application was shown.
func (w *Watch) DeleteApp(key string) bool {
	for uid := range w.shown[key] {
		delete(w.rows, uid)
		delete(w.problems, uid)
	}
	delete(w.built, key)
	delete(w.shown, key)
	return w.cluster.DeleteApp(key)
}

// update builds the status of one application again and tells what of it
// changed since it was last printed.
func (w *Watch) update(key string) (Update, bool) {
	if w.cluster.App(key) == nil {
		return Update{}, false
	}
	a, _, id := w.cluster.Build(key)
	w.keep(key, a)
	u := Update{Key: key}
	if was := w.submissions[key]; id != "" && id != was {
		w.submissions[key] = id
		if was != "" {
			u.NewSubmission = id
		}
	}
	if header := HeaderLine(a); w.headers[key] != header {
		w.headers[key] = header
		u.Header = header
	}
	for _, p := range a.Pods {
		if row := rowKey(p); w.rows[p.UID] != row {
			w.rows[p.UID] = row
			u.Rows = append(u.Rows, p)
		}
	}
	return u, u.NewSubmission != "" || u.Header != "" || len(u.Rows) > 0
}

// updatePod makes the row of one pod of an application again, moves its
// role's counts, and tells whether the row changed since it was printed.
func (w *Watch) updatePod(key string, uid types.UID) (Update, bool) {
	a, ok := w.built[key]
	if !ok {
		return w.update(key)
	}
	if old, was := w.shown[key][uid]; was {
		a.count(old, -1)
		delete(w.shown[key], uid)
	}
	c := w.cluster
	r := c.pods[key][uid]
	u := Update{Key: key}
	var problem *why.Problem
	if r != nil && c.shown(r) {
		p := a.rowOf(r, c.known())
		a.count(p, 1)
		w.shown[key][uid] = p
		problem = p.Problem
		if row := rowKey(p); w.rows[uid] != row {
			w.rows[uid] = row
			u.Rows = []Pod{p}
		}
	}
	a.settle()
	// The verdict reads every pod's problem: it is worked out again only
	// when this one's changes.
	if was := w.problems[uid]; problemKey(was) != problemKey(problem) {
		a.judge(maps.Values(w.shown[key]))
	}
	w.problems[uid] = problem
	if problem == nil {
		delete(w.problems, uid)
	}
	w.built[key] = a
	if header := HeaderLine(a); w.headers[key] != header {
		w.headers[key] = header
		u.Header = header
	}
	return u, len(u.Rows) > 0 || u.Header != ""
}

func problemKey(p *why.Problem) string {
	if p == nil {
		return ""
	}
	return p.Reason + "\x00" + p.Message
}

// rowKey is what a pod's row shows, but its age: a pod is printed again
// when it changes.
func rowKey(p Pod) string {
	message := ""
	if p.Scheduler != nil {
		message = p.Scheduler.Message
	}
	return strings.Join([]string{string(p.Phase), fmt.Sprint(p.Terminating), p.Node, p.NominatedNode, p.IP, p.Ready, fmt.Sprint(p.Restarts), message,
		problemKey(p.Problem)}, "\x00")
}

// Settled tells whether every application shown is settled: every expected
// pod has a node, or the application has ended.
func (w *Watch) Settled() bool {
	for _, key := range w.cluster.Keys() {
		if !w.built[key].Settled {
			return false
		}
	}
	return true
}

// Status is the status of every application shown, as it is now.
func (w *Watch) Status() Status {
	apps := make([]Application, 0, len(w.cluster.Keys()))
	for _, key := range w.cluster.Keys() {
		a := w.built[key]
		a.Pods = slices.SortedStableFunc(maps.Values(w.shown[key]), comparePods)
		if a.Pods == nil {
			a.Pods = []Pod{}
		}
		apps = append(apps, a)
	}
	return NewStatus(apps)
}

// Waiting names each application not settled and, for each of its roles,
// how many pods have a node of how many are expected: "spark/spark-pi
// (executor 2/5 with a node)".
func (w *Watch) Waiting() []string {
	var waiting []string
	for _, key := range w.cluster.Keys() {
		a := w.built[key]
		if a.Settled {
			continue
		}
		var missing []string
		for _, r := range a.Roles {
			if n := r.ExpectedPods - r.Scheduled; n > 0 || r.Pods > r.Scheduled {
				missing = append(missing, fmt.Sprintf("%s %d/%d with a node", r.Role, r.Scheduled, max(r.ExpectedPods, r.Pods)))
			}
		}
		waiting = append(waiting, fmt.Sprintf("%s (%s)", key, strings.Join(missing, ", ")))
	}
	return waiting
}
