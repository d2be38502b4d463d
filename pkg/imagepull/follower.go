package imagepull

import (
	"cmp"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// Follower is the state of a report that follows pods as they come
// (cache-report --watch): the facts of the pods seen and their events,
// which pods were reported, and each application's current submission. It
// reports the pods of the current submission only, unless told to report
// all.
//
// Its work on each change is about the pod changed: an event, or a pod
// update, makes only that pod's report again, whatever the number of pods
// followed. Only a new submission of an application looks at that
// application's pods again.
type Follower struct {
	isECI          func(node string) bool
	allSubmissions bool
	events         *EventStore
	pods           map[types.UID]*PodFacts
	order          map[types.UID]int // when each pod came
	arrived        []types.UID       // the pods in the order they came
	reported       map[types.UID]bool
	changed        map[types.UID]bool // pods whose report may have changed since Completed
	submissions    *sparkapp.SubmissionTracker
	// told is the submission of each application last told; resubmitted
	// the applications whose submission changed since.
	told        map[string]string
	resubmitted map[string]bool
}

// NewFollower follows the events in events (which the caller fills, see
// PutEvent) and pods to come.
func NewFollower(events *EventStore, isECI func(node string) bool, allSubmissions bool) *Follower {
	return &Follower{isECI: isECI, allSubmissions: allSubmissions, events: events,
		pods: map[types.UID]*PodFacts{}, order: map[types.UID]int{}, reported: map[types.UID]bool{},
		changed: map[types.UID]bool{}, submissions: sparkapp.NewSubmissionTracker(),
		told: map[string]string{}, resubmitted: map[string]bool{}}
}

// PutPod keeps a pod as it is now. A pod deleted no longer tells its
// application's current submission.
func (f *Follower) PutPod(pod *corev1.Pod, deleted bool) {
	facts := FactsOf(pod)
	facts.Submission.Deleting = facts.Submission.Deleting || deleted
	if _, ok := f.order[pod.UID]; !ok {
		f.order[pod.UID] = len(f.arrived)
		f.arrived = append(f.arrived, pod.UID)
	}
	f.pods[pod.UID] = &facts
	f.changed[pod.UID] = true
	app := facts.Submission.App
	switch was, now := f.submissions.Put(pod.UID, facts.Submission, false); {
	case app == "":
	case was == "":
		f.told[app] = cmp.Or(f.told[app], now)
	case now != was:
		f.resubmitted[app] = true
		for other := range f.submissions.Pods(app) {
			f.changed[other] = true // reported or not, now the other way round
		}
	}
}

// PutEvent keeps an event the report reads, and tells whether it did.
func (f *Follower) PutEvent(e *corev1.Event) bool {
	if !f.events.Put(e) {
		return false
	}
	f.changed[e.InvolvedObject.UID] = true
	return true
}

// Resubmission is an application (namespace/name) with a new submission.
type Resubmission struct {
	App, ID string
}

// Completed gives the reports of the pods whose pulls completed since the
// last call, in the order the pods came, and the applications that have a
// new submission since.
func (f *Follower) Completed() (done []PodReport, resubmitted []Resubmission) {
	for _, app := range slices.Sorted(maps.Keys(f.resubmitted)) {
		if now := f.submissions.Current(app); now != "" && now != f.told[app] {
			resubmitted = append(resubmitted, Resubmission{App: app, ID: now})
			f.told[app] = now
		}
	}
	clear(f.resubmitted)
	changed := make([]types.UID, 0, len(f.changed))
	for uid := range f.changed {
		if _, known := f.pods[uid]; known && !f.reported[uid] {
			changed = append(changed, uid)
		}
	}
	clear(f.changed)
	slices.SortFunc(changed, func(a, b types.UID) int { return f.order[a] - f.order[b] })
	for _, uid := range changed {
		if !f.isReported(uid) {
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
	for _, uid := range f.arrived {
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
	return f.allSubmissions || f.submissions.Has(f.pods[uid].Submission)
}

func (f *Follower) report(uid types.UID) PodReport {
	return ReportOf(f.pods[uid], f.events.Of(uid), f.isECI)
}
