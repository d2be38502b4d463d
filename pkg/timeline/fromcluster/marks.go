package fromcluster

import (
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/eventtime"
	"github.com/spark-eci/kubectl-spark-eci/pkg/imagepull"
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
// Ready), its containers' first start, whether one restarted, and whether
// it has ended. Where it runs (OnECI) is told once its cache events are
// read, by the rule every command uses (placement.NodeKinds). ECI's first event is added as the events are
// read (packedMarks.putEvent), the pulls once all are (PutPulls).
func MarksOf(pod *corev1.Pod) Marks {
	m := timeline.Marks{Created: pod.CreationTimestamp.Time,
		Ended: pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed}
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
		m.Restarted = m.Restarted || c.RestartCount > 0
		m.Started = earliest(m.Started, firstStart(c))
	}
	return Marks{Marks: m}
}

// firstStart is when a container first started: its state's start, or
// after one restart the start of the run before; after more, the cluster
// no longer says (zero).
func firstStart(c corev1.ContainerStatus) time.Time {
	state := c.State
	switch {
	case c.RestartCount == 1:
		state = c.LastTerminationState
	case c.RestartCount > 1:
		return time.Time{}
	}
	switch {
	case state.Running != nil:
		return state.Running.StartedAt.Time
	case state.Terminated != nil:
		return state.Terminated.StartedAt.Time
	}
	return time.Time{}
}

// eciSeen is when an event of ECI's was first seen; ok is false for
// another's.
func eciSeen(e *corev1.Event) (first time.Time, ok bool) {
	if !eci.EventSource(e.Source.Component) {
		return time.Time{}, false
	}
	first, _ = eventtime.Seen(e)
	return first, true
}

// PutPulls adds what the kubelet's image events, as cache-report reads
// them, mark: the first pull begun, and when the last image was had: the
// latest of each container's first Pulled ("already present" too). A
// restarted container's Pulled again is no pull of the start-up.
func (m *Marks) PutPulls(events []imagepull.Event) {
	// Each container's image, first had: a pod has a few containers, kept
	// in a slice on the stack, not a map for each of many pods.
	type had struct {
		container string
		at        time.Time
	}
	var room [4]had
	images := room[:0]
	for _, e := range events {
		switch e.Kind {
		case imagepull.Pulling:
			m.PullBegun = earliest(m.PullBegun, e.First)
		case imagepull.Pulled, imagepull.AlreadyPresent:
			i := slices.IndexFunc(images, func(h had) bool { return h.container == e.Container })
			if i < 0 {
				images = append(images, had{e.Container, e.First})
			} else {
				images[i].at = earliest(images[i].at, e.First)
			}
		}
	}
	for _, h := range images {
		m.Pulled = latest(m.Pulled, h.at)
	}
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
