package why

import (
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spark-eci/kubectl-spark-eci/internal/intern"
	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/eventtime"
)

// Event is what is kept of one event that tells why a pod does not run as
// asked.
type Event struct {
	Reason, Message string
	Time            time.Time
	Count           int32
}

// Events keeps, for each pod, the latest event of each reason ECI writes
// about it (its instance, its image cache, its spot instance, an OOM kill):
// what the pod's condition and containers do not tell, or no longer tell.
// Every other event is let go.
type Events map[types.UID][]Event

// eventReasons are the reasons Events keeps.
var eventReasons = func() map[string]bool {
	m := map[string]bool{ReasonSpotToBeReleased: true, ReasonImageCacheNotFound: true, ReasonImageCacheNotComplete: true, ReasonOOMKilled: true}
	for r := range instanceReasons {
		m[r] = true
	}
	return m
}()

// Keeps tells whether Put would keep an event: one of the reasons it keeps,
// about a pod. Readers use it to drop the rest as they read.
func Keeps(e *corev1.Event) bool {
	if e.InvolvedObject.Kind != "Pod" || e.InvolvedObject.UID == "" || !eventReasons[e.Reason] {
		return false
	}
	switch e.Reason {
	case ReasonECIFailedScheduling:
		// The scheduler's word too: ECI's is told by its source or its
		// messages ("Schedule eci failed:%s", "Unknown error occurred.").
		return eci.EventSource(e.Source.Component) || strings.HasPrefix(eventtime.Message(e), "Schedule eci failed") ||
			eventtime.Message(e) == "Unknown error occurred."
	case ReasonOOMKilled:
		return eci.EventSource(e.Source.Component)
	}
	return true
}

// Put keeps e when Keeps does and it is the newest of its reason for its pod.
// It tells whether it kept it.
func (es Events) Put(e *corev1.Event) bool {
	if !Keeps(e) {
		return false
	}
	kept := Event{Reason: intern.String(e.Reason), Message: intern.String(eventtime.Message(e)), Time: eventtime.Last(e), Count: eventtime.Count(e)}
	uid := e.InvolvedObject.UID
	for i, old := range es[uid] {
		if old.Reason == kept.Reason {
			if old.Time.After(kept.Time) {
				return false
			}
			es[uid][i] = kept
			return true
		}
	}
	es[uid] = append(es[uid], kept)
	return true
}

// Forget drops what is kept of a pod.
func (es Events) Forget(uid types.UID) { delete(es, uid) }

// latest is the newest event kept of a pod among reasons.
func latest(events []Event, match func(reason string) bool) *Event {
	var found *Event
	for i := range events {
		if match(events[i].Reason) && (found == nil || events[i].Time.After(found.Time)) {
			found = &events[i]
		}
	}
	return found
}
