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
	// Application and Submission are the application (or SparkConnect) the
	// pod is of, by name, and its submission's id; "" when the pod names
	// none.
	Application string `json:"application,omitempty"`
	Submission  string `json:"submission,omitempty"`
	// Cache is ECI's image cache result for the pod, as cache-report reads
	// it: hit, a miss (missed, auto-created, not-found, not-complete,
	// auto-create-failed), or off; "" on ECS, or when nothing says.
	Cache string `json:"cache,omitempty"`
	// CacheMissed tells that Cache is a miss, so that a reader need not
	// know which results are.
	CacheMissed bool `json:"cacheMissed,omitempty"`
	// PullSeconds is the pod's longest image pull as cache-report times it
	// (the kubelet's own figure when its message gives one); nil when no
	// pull is known.
	PullSeconds *float64 `json:"pullSeconds,omitempty"`
	Phases      []Span   `json:"phases"`
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
	// WarmCacheSavingsSeconds is what a warm image cache would have spared
	// the pods, as cache-report sums it: the image pulls of those on ECI
	// that did not hit the cache.
	WarmCacheSavingsSeconds float64 `json:"warmCacheSavingsSeconds"`
}

// New wraps applications and pods in the versioned type. The pods of an
// application's submission follow one another, and the application's row is
// drawn above them.
func New(apps []Application, pods []Pod, now time.Time) Timeline {
	if pods == nil {
		pods = []Pod{}
	}
	return Timeline{APIVersion: APIVersion, Kind: Kind, Now: now, Applications: apps, Pods: pods}
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

// spanBounds is when the first known of spans began and the last known one
// ended; ok is false when no span has a known time.
func spanBounds(spans []Span) (first, last time.Time, ok bool) {
	for _, s := range spans {
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
