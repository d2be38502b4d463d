// Package stats holds the one percentile every report and bench of the
// project prints.
package stats

import (
	"slices"
	"time"
)

// Percentile is the nearest-rank p-th percentile (p from 0 to 100) of
// durations: the smallest of them that at least p percent of them do not
// exceed. p = 0 is the least, p = 100 the greatest; of an even number, the
// median is the lower of the two in the middle. durations is left as it is;
// the percentile of none is 0.
func Percentile(durations []time.Duration, p int) time.Duration {
	if len(durations) == 0 {
		return 0
	}
	sorted := durations
	if !slices.IsSorted(durations) {
		sorted = slices.Sorted(slices.Values(durations))
	}
	p = min(max(p, 0), 100)
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n)
	return sorted[max(rank, 1)-1]
}
