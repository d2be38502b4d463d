package main

import (
	"slices"
	"time"
)

// percentile is the nearest-rank p-th percentile of ds (p from 0 to 100):
// the smallest of them that at least p percent of them do not exceed, the
// rule the reports' pull percentiles follow (pkg/imagepull). p = 0 is the
// least, p = 100 the greatest. ds is left as it is; percentile of none is 0.
// Every median and percentile the bench prints is this one.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	p = min(max(p, 0), 100)
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n)
	return sorted[max(rank, 1)-1]
}

// median is the 50th percentile: of an even number, the lower of the two
// in the middle.
func median(ds []time.Duration) time.Duration { return percentile(ds, 50) }
