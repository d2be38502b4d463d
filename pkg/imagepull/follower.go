package imagepull

import (
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// Follower is the state of a report that follows pods as they come
// (cache-report --watch): the pods seen and their events, which pods were
// reported, and each application's current submission. It reports the pods
// of the current submission only, unless told to report all.
type Follower struct {
	isECI          func(node string) bool
	allSubmissions bool
	events         *EventStore
	pods           map[types.UID]*corev1.Pod
	order          []types.UID // pods in the order they came
	reported       map[types.UID]bool
	submissions    sparkapp.Submissions
}

// NewFollower follows the events in events (which the caller fills, see
// PutEvent) and pods to come.
func NewFollower(events *EventStore, isECI func(node string) bool, allSubmissions bool) *Follower {
	return &Follower{isECI: isECI, allSubmissions: allSubmissions, events: events,
		pods: map[types.UID]*corev1.Pod{}, reported: map[types.UID]bool{}, submissions: sparkapp.Submissions{}}
}

// PutPod keeps a pod as it is now. A pod deleted no longer tells its
// application's current submission.
func (f *Follower) PutPod(pod *corev1.Pod, deleted bool) {
	if _, ok := f.pods[pod.UID]; !ok {
		f.order = append(f.order, pod.UID)
	}
	pod = pod.DeepCopy()
	if deleted && pod.DeletionTimestamp == nil {
		now := metav1.Now()
		pod.DeletionTimestamp = &now
	}
	f.pods[pod.UID] = pod
}

// PutEvent keeps an event the report reads, and tells whether it did.
func (f *Follower) PutEvent(e *corev1.Event) bool {
	return Relevant(e) && f.events.Put(e)
}

// Resubmission is an application (namespace/name) with a new submission.
type Resubmission struct {
	App, ID string
}

// Completed gives the reports of the pods whose pulls completed since the
// last call, in the order the pods came, and the applications that have a
// new submission since.
func (f *Follower) Completed() (done []PodReport, resubmitted []Resubmission) {
	current := sparkapp.CurrentSubmissions(maps.Values(f.pods))
	for _, key := range slices.Sorted(slices.Values(current.Changed(f.submissions))) {
		resubmitted = append(resubmitted, Resubmission{App: key, ID: current[key]})
	}
	f.submissions = current
	for _, uid := range f.order {
		if f.reported[uid] || !f.isReported(uid) {
			continue
		}
		if r := f.report(uid); r.Done() {
			f.reported[uid] = true
			done = append(done, r)
		}
	}
	return done, resubmitted
}

// Final is the report of every pod of the current submissions seen so far,
// and the names of those still pulling.
func (f *Follower) Final() (report Report, pending []string) {
	var reports []PodReport
	for _, uid := range f.order {
		if !f.isReported(uid) {
			continue
		}
		r := f.report(uid)
		reports = append(reports, r)
		if !f.reported[uid] {
			pending = append(pending, r.Name)
		}
	}
	return NewReport(reports), pending
}

func (f *Follower) isReported(uid types.UID) bool {
	return f.allSubmissions || f.submissions.Has(f.pods[uid])
}

func (f *Follower) report(uid types.UID) PodReport {
	return BuildPodReport(f.pods[uid], f.events.Of(uid), f.isECI)
}
