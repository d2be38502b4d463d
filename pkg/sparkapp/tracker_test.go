package sparkapp

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// The tracker agrees with CurrentSubmissionsOf over the pods it keeps, after
// every change of a random sequence: pods of two submissions of two
// applications coming, being deleted, going, and relabelled.
func TestSubmissionTrackerAgreesWithCurrentSubmissions(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tracker := NewSubmissionTracker()
	pods := map[types.UID]PodSubmission{}
	t0 := time.Unix(1700000000, 0)
	for step := range 5000 {
		uid := types.UID(fmt.Sprint(r.IntN(40)))
		pod := PodSubmission{
			App: []string{"ns/a", "ns/b", ""}[r.IntN(3)], ID: []string{"one", "two", ""}[r.IntN(3)],
			Name: string(uid), Deleting: r.IntN(4) == 0, Driver: r.IntN(5) == 0, Created: t0.Add(time.Duration(r.IntN(10)) * time.Second),
		}
		gone := r.IntN(6) == 0
		if gone {
			if old, ok := pods[uid]; ok {
				pod = old
			}
			delete(pods, uid)
		} else {
			pods[uid] = pod
		}
		tracker.Put(uid, pod, gone)
		want := CurrentSubmissionsOf(func(yield func(PodSubmission) bool) {
			for _, p := range pods {
				if !yield(p) {
					return
				}
			}
		})
		for _, app := range []string{"ns/a", "ns/b"} {
			if got := tracker.Current(app); got != want[app] {
				t.Fatalf("step %d: %s's submission is %q, want %q", step, app, got, want[app])
			}
		}
	}
}
