// Package eventtime reads when, and how often, a core/v1 Event happened,
// whichever API wrote it: core events carry count, firstTimestamp and
// lastTimestamp (one-second resolution); events.k8s.io events, such as the
// scheduler's, carry eventTime (microseconds) and, once repeated, series.
package eventtime

import (
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Count is how many times the event happened: count, or series.count,
// whichever says more; either may be 0 when unset.
func Count(e *corev1.Event) int32 {
	n := max(e.Count, 1)
	if e.Series != nil {
		n = max(n, e.Series.Count)
	}
	return n
}

// Seen is when the event first and last happened. When no time of the
// event is set, the object's creation time stands for both: it is when the
// event was written, not when it happened.
func Seen(e *corev1.Event) (first, last time.Time) {
	for _, t := range []time.Time{e.FirstTimestamp.Time, e.EventTime.Time, e.LastTimestamp.Time} {
		if !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	candidates := []time.Time{first, e.LastTimestamp.Time, e.EventTime.Time}
	if e.Series != nil {
		candidates = append(candidates, e.Series.LastObservedTime.Time)
	}
	for _, t := range candidates {
		if t.After(last) {
			last = t
		}
	}
	if last.IsZero() {
		last = e.CreationTimestamp.Time
	}
	if first.IsZero() {
		first = last
	}
	return first, last
}

// Last is when the event last happened (see Seen).
func Last(e *corev1.Event) time.Time {
	_, last := Seen(e)
	return last
}
