package main

import (
	"time"

	"github.com/spark-eci/kubectl-spark-eci/pkg/stats"
)

// percentile is stats.Percentile, the rule the reports' pull percentiles
// follow: every median and percentile the bench prints is this one.
func percentile(ds []time.Duration, p int) time.Duration { return stats.Percentile(ds, p) }

// median is the 50th percentile: of an even number, the lower of the two
// in the middle.
func median(ds []time.Duration) time.Duration { return percentile(ds, 50) }
