package timeline

import (
	"time"
)

// The type of the timeline that timeline -o json prints.
const (
	APIVersion = "spark-eci.io/v1alpha1"
	Kind       = "Timeline"
)

// Phase is one stretch of a pod's start-up.
type Phase string

// The phases of a pod's start-up, in order.
const (
	// Scheduling runs from the pod's creation until the scheduler binds it.
	Scheduling Phase = "scheduling"
	// Instance runs, on ECI only, from the binding until ECI's instance
	// exists (its ContainerInstanceCreated condition, else its first event).
	Instance Phase = "instance"
	// Pull runs over the image pulls: from the first pull begun to the last
	// image had.
	Pull Phase = "pull"
	// Start runs from the images had until the container started.
	Start Phase = "start"
	// Ready runs from the start until the pod is Ready.
	Ready Phase = "ready"
)

// Phases are the phases in the order a pod goes through them.
var Phases = []Phase{Scheduling, Instance, Pull, Start, Ready}

// State says how much is known of a phase.
type State string

// The states of a phase.
const (
	// Done: the phase began and ended, as the cluster recorded it.
	Done State = "done"
	// Open: the pod is in the phase now; it ends at the timeline's now.
	Open State = "open"
	// Unknown: the pod went through the phase, but what told when (an
	// event, which the cluster's event TTL removes) is gone. It is never
	// told as zero.
	Unknown State = "unknown"
)

// Marks are the moments a pod's start-up passed, as the cluster recorded
// them: the pod's times and conditions, and its events. Zero when not
// recorded (yet, or any more).
type Marks struct {
	// Created is the pod's creation; Scheduled its PodScheduled condition's
	// turn to True.
	Created, Scheduled time.Time
	// OnECI: the pod runs on an ECI virtual node. InstanceCreated is when
	// ECI's instance existed: its ContainerInstanceCreated condition's turn
	// to True, or without it ECI's first event about the pod.
	OnECI           bool
	InstanceCreated time.Time
	// PullBegun is the first image pull begun (the first Pulling event);
	// Pulled when the last image was had (the last Pulled event, "already
	// present" ones too).
	PullBegun, Pulled time.Time
	// Started is when the pod's first container started; Ready its Ready
	// condition's turn to True.
	Started, Ready time.Time
	// Restarted tells a pod one of whose containers restarted: its Ready
	// condition tells its latest turn to True, not its first, and its
	// ready phase is unknown.
	Restarted bool
	// Ended tells a pod that has ended (Succeeded or Failed): none of its
	// phases goes on, and one it was in when it ended is unknown (a Ready
	// condition turns False at the end, and no longer says when it turned
	// True).
	Ended bool
}

// Span is one phase of a pod's start-up.
type Span struct {
	Name  Phase `json:"name"`
	State State `json:"state"`
	// Start and End bound it; End is the timeline's now for an open one;
	// both are left out of an unknown one.
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
	// Seconds is End less Start; null for an unknown one.
	Seconds *float64 `json:"seconds"`
}

// Duration is the span's length; ok is false for an unknown one.
func (s Span) Duration() (d time.Duration, ok bool) {
	if s.State == Unknown {
		return 0, false
	}
	return s.End.Sub(s.Start), true
}

// SpansOf works out the phases a pod has gone through, and the one it is
// in, from its marks, at now. A phase whose ends are both recorded is Done;
// the first one whose end is not recorded, when no later mark is either, is
// Open until now; one the pod went past without the cluster keeping when
// is Unknown; so is the one an ended pod was in, and a restarted pod's
// ready. A pod on ECS has no instance phase. A phase a pod has not reached is left out.
func SpansOf(m Marks, now time.Time) []Span {
	var bounds []bound
	bounds = append(bounds, bound{Scheduling, m.Created, m.Scheduled, false})
	pullFrom := m.Scheduled
	if m.OnECI {
		bounds = append(bounds, bound{Instance, m.Scheduled, m.InstanceCreated, false})
		pullFrom = m.InstanceCreated
	}
	// The images' pull begins with the first one begun; with none recorded
	// (every image already there), where the phase before it ended.
	begun := m.PullBegun
	if begun.IsZero() && !m.Pulled.IsZero() {
		begun = pullFrom
		if begun.IsZero() || begun.After(m.Pulled) {
			begun = m.Pulled
		}
	}
	bounds = append(bounds, bound{Pull, begun, m.Pulled, false}, bound{Start, m.Pulled, m.Started, false},
		bound{Ready, m.Started, m.Ready, m.Restarted})
	return spansOf(bounds, now, m.Ended)
}

// bound is a phase and the marks that start and end it; unknown when the
// marks are there but do not tell it.
type bound struct {
	phase      Phase
	start, end time.Time
	unknown    bool
}

// spansOf is the rule of SpansOf over phases in order; ended says nothing
// goes on. The spans and their seconds are made in one block each: a
// timeline holds tens of thousands.
func spansOf(bounds []bound, now time.Time, ended bool) []Span {
	spans := make([]Span, 0, len(bounds))
	seconds := make([]float64, len(bounds))
	for i, b := range bounds {
		later := false
		for _, after := range bounds[i+1:] {
			later = later || !after.start.IsZero() || !after.end.IsZero()
		}
		reached := !b.start.IsZero() || !b.end.IsZero() || later
		switch {
		case b.unknown && reached:
			spans = append(spans, Span{Name: b.phase, State: Unknown})
		case !b.start.IsZero() && !b.end.IsZero():
			spans = append(spans, span(b.phase, Done, b.start, b.end, &seconds[i]))
		case later || !b.end.IsZero():
			spans = append(spans, Span{Name: b.phase, State: Unknown})
		case !b.start.IsZero() && ended:
			return append(spans, Span{Name: b.phase, State: Unknown})
		case !b.start.IsZero():
			return append(spans, span(b.phase, Open, b.start, now, &seconds[i]))
		default:
			return spans
		}
	}
	return spans
}

func span(p Phase, state State, start, end time.Time, seconds *float64) Span {
	if end.Before(start) {
		end = start // clocks of two writers disagree: never a negative phase
	}
	*seconds = end.Sub(start).Seconds()
	return Span{Name: p, State: state, Start: start, End: end, Seconds: seconds}
}
