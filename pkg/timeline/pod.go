package timeline

import (
	"time"
)

// Pod is the start-up of one pod, phase by phase.
type Pod struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Role is the spark-role label: driver, executor, or "".
	Role string `json:"role,omitempty"`
	// NodeKind is ECS or ECI; "" before the pod has a node.
	NodeKind string `json:"nodeKind,omitempty"`
	// Cache is ECI's image cache result for the pod (hit, missed, ...), as
	// cache-report reads it; "" off ECI.
	Cache  string `json:"cache,omitempty"`
	Phases []Span `json:"phases"`
}

// Timeline is the documented, versioned output of timeline -o json.
type Timeline struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	// Now is when it was read: where the open phases end.
	Now time.Time `json:"now"`
	// Applications are the submissions of the applications shown, before
	// their pods.
	Applications []Application `json:"applications,omitempty"`
	Pods         []Pod         `json:"pods"`
}

// New wraps pods in the versioned type.
func New(pods []Pod, now time.Time) Timeline {
	if pods == nil {
		pods = []Pod{}
	}
	return Timeline{APIVersion: APIVersion, Kind: Kind, Now: now, Pods: pods}
}

// Span is the pod's span of a phase; ok is false when the pod has none.
func (p Pod) Span(phase Phase) (Span, bool) {
	for _, s := range p.Phases {
		if s.Name == phase {
			return s, true
		}
	}
	return Span{}, false
}

// Bounds is when the pod's first known phase began and its last known one
// ended; ok is false when no phase has a known time.
func (p Pod) Bounds() (first, last time.Time, ok bool) {
	for _, s := range p.Phases {
		if s.State == Unknown {
			continue
		}
		if !ok || s.Start.Before(first) {
			first = s.Start
		}
		if !ok || s.End.After(last) {
			last = s.End
		}
		ok = true
	}
	return first, last, ok
}
