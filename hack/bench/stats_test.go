package main

import (
	"testing"
	"time"
)

// The bench's median is the lower middle of an even number, as the
// reports' (pkg/stats holds the percentile's own tests).
func TestMedian(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var ds []time.Duration
		for _, n := range ns {
			ds = append(ds, time.Duration(n)*time.Millisecond)
		}
		return ds
	}
	if got, want := median(ms(4, 1, 3, 2, 5)), 3*time.Millisecond; got != want {
		t.Errorf("median = %v, want %v", got, want)
	}
	if got, want := median(ms(4, 1, 3, 2)), 2*time.Millisecond; got != want {
		t.Errorf("median of an even number = %v, want the lower middle %v", got, want)
	}
}
