package imagepull

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// EventStore folds the events of the pods a report is about into one
// PodEvents each, as they come (a page of a list, or a watch event): it
// never holds the events themselves, so what it holds grows with the pods,
// not with their events. A repeated event is one object whose count grows:
// a newer version replaces the older, so every event counts once however
// often it is seen (listed, then watched, then listed again after a gap).
type EventStore struct {
	// byPod has an entry for each pod whose events are kept, nil until
	// one is: one map, where a set of the pods wanted beside it would cost
	// as much again.
	byPod map[types.UID]*PodEvents
	all   bool // every pod's events are kept, its entry made as they come
}

// NewEventStore holds the events of the pods of uids, and drops the others
// at once.
func NewEventStore(uids []types.UID) *EventStore {
	s := &EventStore{byPod: make(map[types.UID]*PodEvents, len(uids))}
	for _, uid := range uids {
		s.byPod[uid] = nil
	}
	return s
}

// NewEventStoreOfAll holds the events of every pod: for a report that
// follows pods yet to come (--watch).
func NewEventStoreOfAll() *EventStore {
	return &EventStore{byPod: map[types.UID]*PodEvents{}, all: true}
}

// Put folds e in when it is about a pod the store holds events of and the
// report reads it, and tells whether it did.
func (s *EventStore) Put(e *corev1.Event) bool {
	pod := e.InvolvedObject.UID
	folded, wanted := s.byPod[pod]
	if !wanted && !s.all {
		return false
	}
	if folded == nil {
		folded = &PodEvents{}
	}
	if !folded.Put(e) {
		return false
	}
	s.byPod[pod] = folded
	return true
}

// Of is what the events of a pod tell; nil when none was kept.
func (s *EventStore) Of(pod types.UID) *PodEvents { return s.byPod[pod] }

// Forget drops what the store keeps of a pod, once its report is made; the
// pod's events that come after are dropped, unless the store keeps every
// pod's.
func (s *EventStore) Forget(pod types.UID) { delete(s.byPod, pod) }
