package imagepull

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func storedEvent(uid, pod types.UID, count int32) *corev1.Event {
	return &corev1.Event{ObjectMeta: metav1.ObjectMeta{UID: uid}, InvolvedObject: corev1.ObjectReference{Kind: "Pod", UID: pod}, Count: count}
}

func TestEventStore(t *testing.T) {
	s := NewEventStore([]corev1.Pod{{ObjectMeta: metav1.ObjectMeta{UID: "p1"}}})
	if !s.Put(storedEvent("e1", "p1", 1)) || !s.Put(storedEvent("e2", "p1", 1)) {
		t.Fatal("an event of a pod held was dropped")
	}
	if s.Put(storedEvent("e3", "other", 1)) || len(s.Of("other")) != 0 {
		t.Error("an event of another pod was kept")
	}
	// Seen again, with its count grown: it replaces the first, in place.
	s.Put(storedEvent("e1", "p1", 3))
	got := s.Of("p1")
	if len(got) != 2 || got[0].UID != "e1" || got[0].Count != 3 || got[1].UID != "e2" {
		t.Errorf("events of p1: %+v, want e1 (count 3) then e2", got)
	}

	all := NewEventStoreOfAll()
	all.Put(storedEvent("e4", "later", 1))
	all.Put(storedEvent("", "later", 1)) // no UID: each kept
	all.Put(storedEvent("", "later", 1))
	if n := len(all.Of("later")); n != 3 {
		t.Errorf("store of all: %d events of a pod that came later, want 3", n)
	}
}
