package imagepull

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func storedEvent(uid, pod types.UID, count int32) *corev1.Event {
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{UID: uid},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "pod-" + string(pod), UID: pod},
		Reason:         "Pulling", Message: `Pulling image "spark:3.5.2"`, Count: count,
	}
}

func TestEventStore(t *testing.T) {
	s := NewEventStore([]types.UID{"p1"})
	if !s.Put(storedEvent("e1", "p1", 1)) || !s.Put(storedEvent("e2", "p1", 1)) {
		t.Fatal("an event of a pod held was dropped")
	}
	if s.Put(storedEvent("e3", "other", 1)) || s.Of("other") != nil {
		t.Error("an event of another pod was kept")
	}
	noise := storedEvent("e5", "p1", 1)
	noise.Reason, noise.Message = "Started", "Started container spark-kubernetes-executor"
	if s.Put(noise) {
		t.Error("an event the report does not read was kept")
	}
	// Seen again, with its count grown: it replaces the first, in place.
	s.Put(storedEvent("e1", "p1", 3))
	got := s.Of("p1").Events()
	if len(got) != 2 || got[0].Count != 3 || got[1].Count != 1 {
		t.Errorf("events of p1: %+v, want e1 (count 3) then e2", got)
	}

	all := NewEventStoreOfAll()
	all.Put(storedEvent("e4", "later", 1))
	all.Put(storedEvent("", "later", 1)) // no UID: each kept
	all.Put(storedEvent("", "later", 1))
	if n := len(all.Of("later").Events()); n != 3 {
		t.Errorf("store of all: %d events of a pod that came later, want 3", n)
	}

	// Forgotten, a pod's later events are dropped; a store of all keeps
	// them again.
	s.Forget("p1")
	if s.Put(storedEvent("e6", "p1", 1)) || s.Of("p1") != nil {
		t.Error("an event of a forgotten pod was kept")
	}
	all.Forget("later")
	if !all.Put(storedEvent("e7", "later", 1)) || len(all.Of("later").Events()) != 1 {
		t.Error("a store of all dropped the event of a pod it forgot, or kept the events before")
	}
}

// What a folded pod keeps does not grow with the events it is told again.
func TestPodEventsKeepOneOfEachEvent(t *testing.T) {
	var pe PodEvents
	for i := 0; i < 1000; i++ {
		pe.Put(storedEvent("e1", "p1", int32(i+1)))
		pe.Put(storedEvent("e2", "p1", 1))
	}
	if n := len(pe.Events()); n != 2 {
		t.Errorf("%d events kept, want 2", n)
	}
	failed := storedEvent("e3", "p1", 1)
	failed.Reason, failed.Message = "Failed", `Failed to pull image "spark:3.5.2": not found`
	pe.Put(failed)
	for _, ev := range pe.Events() {
		if (ev.Kind == PullFailed) != (ev.Message != "") {
			t.Errorf("%s keeps message %q: only a failure's is reported", ev.Kind, ev.Message)
		}
	}
}
