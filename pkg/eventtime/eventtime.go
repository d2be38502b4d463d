// Package eventtime reads when, and how often, a core/v1 Event happened,
// whichever API wrote it: core events carry count, firstTimestamp and
// lastTimestamp (one-second resolution); events.k8s.io events, such as the
// scheduler's, carry eventTime (microseconds) and, once repeated, series.
// It also reads their message, without the aggregator's prefix.
package eventtime

import (
	"strings"
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

// combinedPrefix is what client-go's event aggregator puts before the
// message of an event that stands for several similar ones.
const combinedPrefix = "(combined from similar events): "

// CleanMessage is an event's message without the aggregator's prefix,
// wherever it is: removing one may join the pieces of another, so until
// none is left.
func CleanMessage(msg string) string {
	for strings.Contains(msg, combinedPrefix) {
		msg = strings.ReplaceAll(msg, combinedPrefix, "")
	}
	return strings.TrimSpace(msg)
}

// Message is the event's message, clean (see CleanMessage).
func Message(e *corev1.Event) string { return CleanMessage(e.Message) }

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
