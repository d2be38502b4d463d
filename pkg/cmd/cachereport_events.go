package cmd

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// podEventStore holds the image and cache events of the reported pods. A
// repeated event is one object whose count grows: a newer version replaces
// the older, so every event counts once however often it is seen.
type podEventStore struct {
	wanted map[types.UID]bool // nil: every pod's events (--watch, where pods come later)
	byPod  map[types.UID][]corev1.Event
	where  map[types.UID]int // event UID -> its index in byPod[pod]
}

func newPodEventStore(pods []corev1.Pod) *podEventStore {
	s := &podEventStore{wanted: map[types.UID]bool{}, byPod: map[types.UID][]corev1.Event{}, where: map[types.UID]int{}}
	for i := range pods {
		s.wanted[pods[i].UID] = true
	}
	return s
}

// put keeps e when it is about a reported pod, and tells whether it did.
func (s *podEventStore) put(e *corev1.Event) bool {
	pod := e.InvolvedObject.UID
	if s.wanted != nil && !s.wanted[pod] {
		return false
	}
	if i, ok := s.where[e.UID]; ok && e.UID != "" {
		s.byPod[pod][i] = *e
		return true
	}
	s.where[e.UID] = len(s.byPod[pod])
	s.byPod[pod] = append(s.byPod[pod], *e)
	return true
}

func (s *podEventStore) of(pod types.UID) []corev1.Event { return s.byPod[pod] }
