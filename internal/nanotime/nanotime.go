// Package nanotime keeps a time in 8 bytes where time.Time takes 24: Unix
// nanoseconds, 0 for the zero time. What holds a few times for each of tens
// of thousands of pods keeps them so.
package nanotime

import "time"

// Of is t in Unix nanoseconds; 0 for the zero time.
func Of(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// Time is the time of n Unix nanoseconds; the zero time for 0.
func Time(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
