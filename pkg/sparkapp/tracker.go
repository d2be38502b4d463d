package sparkapp

import (
	"iter"
	"maps"

	"k8s.io/apimachinery/pkg/types"
)

// SubmissionTracker keeps the current submission of each application (see
// CurrentSubmissionsOf) as its pods come, change and go, for what follows
// them: a change works on the pod changed alone. Only when the pod that told
// an application's submission tells it less well (it is being deleted, or
// is gone) are that application's pods looked at again.
type SubmissionTracker struct {
	pods map[types.UID]PodSubmission
	apps map[string]*trackedApp
}

type trackedApp struct {
	pods map[types.UID]bool
	best types.UID // "" before a pod names a submission
}

// NewSubmissionTracker tracks no pod yet.
func NewSubmissionTracker() *SubmissionTracker {
	return &SubmissionTracker{pods: map[types.UID]PodSubmission{}, apps: map[string]*trackedApp{}}
}

// Put keeps a pod as it is now, or forgets it when gone, and returns its
// application's current submission before and after.
func (t *SubmissionTracker) Put(uid types.UID, pod PodSubmission, gone bool) (before, after string) {
	if old, ok := t.pods[uid]; ok && old.App != pod.App {
		t.forget(uid, old) // relabelled: it leaves its application
	}
	if pod.App == "" {
		delete(t.pods, uid)
		return "", ""
	}
	a := t.apps[pod.App]
	if a == nil {
		a = &trackedApp{pods: map[types.UID]bool{}}
		t.apps[pod.App] = a
	}
	before = t.Current(pod.App)
	if gone {
		t.forget(uid, pod)
		return before, t.Current(pod.App)
	}
	t.pods[uid] = pod
	a.pods[uid] = true
	switch {
	case pod.ID == "":
		if a.best == uid {
			t.elect(a)
		}
	case a.best == "" || a.best != uid && pod.Newer(t.pods[a.best]):
		a.best = uid
	case a.best == uid:
		t.elect(a) // it may tell the submission less well now
	}
	return before, t.Current(pod.App)
}

// Current is the current submission of an application, "" before its pods
// name one.
func (t *SubmissionTracker) Current(app string) string {
	a := t.apps[app]
	if a == nil || a.best == "" {
		return ""
	}
	return t.pods[a.best].ID
}

// Pods are the pods of an application the tracker keeps, in no order.
func (t *SubmissionTracker) Pods(app string) iter.Seq[types.UID] {
	if a := t.apps[app]; a != nil {
		return maps.Keys(a.pods)
	}
	return func(func(types.UID) bool) {}
}

// Has tells whether pod is of its application's current submission, as
// Submissions.HasSubmission does.
func (t *SubmissionTracker) Has(pod PodSubmission) bool {
	current := t.Current(pod.App)
	return pod.ID == "" || current == "" || pod.ID == current
}

func (t *SubmissionTracker) forget(uid types.UID, pod PodSubmission) {
	delete(t.pods, uid)
	a := t.apps[pod.App]
	if a == nil {
		return
	}
	delete(a.pods, uid)
	if a.best == uid {
		t.elect(a)
	}
}

// elect finds again the pod that tells an application's submission.
func (t *SubmissionTracker) elect(a *trackedApp) {
	a.best = ""
	for uid := range a.pods {
		if p := t.pods[uid]; p.ID != "" && (a.best == "" || p.Newer(t.pods[a.best])) {
			a.best = uid
		}
	}
}
