package imagepull

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// EventStore holds the events of the pods a report is about, by pod. A
// repeated event is one object whose count grows: a newer version replaces
// the older, so every event counts once however often it is seen (listed,
// then watched, then listed again after a gap).
type EventStore struct {
	wanted map[types.UID]bool // nil: every pod's events
	byPod  map[types.UID][]corev1.Event
	where  map[eventKey]int // an event -> its index in byPod[pod]
}

type eventKey struct{ pod, event types.UID }

// NewEventStore holds the events of pods, and drops the others.
func NewEventStore(pods []corev1.Pod) *EventStore {
	s := NewEventStoreOfAll()
	s.wanted = make(map[types.UID]bool, len(pods))
	for i := range pods {
		s.wanted[pods[i].UID] = true
	}
	return s
}

// NewEventStoreOfAll holds the events of every pod: for a report that
// follows pods yet to come (--watch).
func NewEventStoreOfAll() *EventStore {
	return &EventStore{byPod: map[types.UID][]corev1.Event{}, where: map[eventKey]int{}}
}

// Put keeps e when it is about a pod the store holds events of, and tells
// whether it did.
func (s *EventStore) Put(e *corev1.Event) bool {
	pod := e.InvolvedObject.UID
	if s.wanted != nil && !s.wanted[pod] {
		return false
	}
	key := eventKey{pod, e.UID}
	if i, ok := s.where[key]; ok && e.UID != "" {
		s.byPod[pod][i] = *e
		return true
	}
	s.where[key] = len(s.byPod[pod])
	s.byPod[pod] = append(s.byPod[pod], *e)
	return true
}

// Of is the events of a pod, in the order they first came.
func (s *EventStore) Of(pod types.UID) []corev1.Event { return s.byPod[pod] }
