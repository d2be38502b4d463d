package fromcluster

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/eventtime"
	"github.com/spark-eci/kubectl-spark-eci/pkg/timeline"
)

// Marks are a pod's timeline.Marks as its records and events tell them,
// and ECI's first event about it, which stands for its instance when ECI's
// condition is not there to say.
type Marks struct {
	timeline.Marks
	eciFirst time.Time
}

// MarksOf reads the marks a pod itself records: its creation, its
// conditions' turns to True (PodScheduled, ECI's ContainerInstanceCreated,
// Ready) and its containers' start. onECI is where it runs, by the rule
// every command uses (placement.NodeKinds). The events' marks are added by
// PutEvent.
func MarksOf(pod *corev1.Pod, onECI bool) Marks {
	m := timeline.Marks{Created: pod.CreationTimestamp.Time, OnECI: onECI}
	for _, c := range pod.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case corev1.PodScheduled:
			m.Scheduled = c.LastTransitionTime.Time
		case eci.ConditionContainerInstanceCreated:
			m.InstanceCreated = c.LastTransitionTime.Time
		case corev1.PodReady:
			m.Ready = c.LastTransitionTime.Time
		}
	}
	for _, c := range pod.Status.ContainerStatuses {
		var started time.Time
		switch {
		case c.State.Running != nil:
			started = c.State.Running.StartedAt.Time
		case c.State.Terminated != nil:
			started = c.State.Terminated.StartedAt.Time
		}
		m.Started = earliest(m.Started, started)
	}
	return Marks{Marks: m}
}

// PutEvent adds what an event about the pod marks: the kubelet's first
// Pulling and last Pulled (an image already there too) bound the pulls;
// ECI's first event stands for its instance when its condition is not
// there to say (see Resolved). It tells whether the event marked anything.
func (m *Marks) PutEvent(e *corev1.Event) bool {
	first, last := eventtime.Seen(e)
	switch {
	case e.Reason == "Pulling":
		m.PullBegun = earliest(m.PullBegun, first)
	case e.Reason == "Pulled":
		m.Pulled = latest(m.Pulled, last)
	case eci.EventSource(e.Source.Component):
		m.eciFirst = earliest(m.eciFirst, first)
	default:
		return false
	}
	return true
}

// Resolved are the marks the phases are worked out from: ECI's instance
// existed when its condition says, else at ECI's first event.
func (m Marks) Resolved() timeline.Marks {
	out := m.Marks
	if out.InstanceCreated.IsZero() {
		out.InstanceCreated = m.eciFirst
	}
	return out
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
