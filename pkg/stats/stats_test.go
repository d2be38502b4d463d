package stats

import (
	"slices"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var ds []time.Duration
		for _, n := range ns {
			ds = append(ds, time.Duration(n)*time.Millisecond)
		}
		return ds
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // 100 ... 1, unsorted
	}
	for _, c := range []struct {
		name string
		in   []time.Duration
		p    int
		want time.Duration
	}{
		{"none", nil, 50, 0},
		{"one, p0", ms(7), 0, 7 * time.Millisecond},
		{"one, p50", ms(7), 50, 7 * time.Millisecond},
		{"one, p95", ms(7), 95, 7 * time.Millisecond},
		{"one, p100", ms(7), 100, 7 * time.Millisecond},
		{"odd, p0", ms(5, 1, 4, 2, 3), 0, 1 * time.Millisecond},
		{"odd, p50", ms(5, 1, 4, 2, 3), 50, 3 * time.Millisecond},
		{"odd, p95", ms(5, 1, 4, 2, 3), 95, 5 * time.Millisecond},
		{"odd, p100", ms(5, 1, 4, 2, 3), 100, 5 * time.Millisecond},
		{"even, p0", ms(4, 1, 3, 2), 0, 1 * time.Millisecond},
		{"even, p50: the lower middle", ms(4, 1, 3, 2), 50, 2 * time.Millisecond},
		{"even, p95", ms(4, 1, 3, 2), 95, 4 * time.Millisecond},
		{"even, p100", ms(4, 1, 3, 2), 100, 4 * time.Millisecond},
		{"hundred, p50", ms(hundred...), 50, 50 * time.Millisecond},
		{"hundred, p95", ms(hundred...), 95, 95 * time.Millisecond},
		{"hundred, p96", ms(hundred...), 96, 96 * time.Millisecond},
		{"twenty, p95", ms(20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 95, 19 * time.Millisecond},
		{"below 0 is the least", ms(2, 1), -5, 1 * time.Millisecond},
		{"above 100 is the greatest", ms(2, 1), 150, 2 * time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := slices.Clone(c.in)
			if got := Percentile(in, c.p); got != c.want {
				t.Errorf("Percentile(%v, %d) = %v, want %v", c.in, c.p, got, c.want)
			}
			if !slices.Equal(in, c.in) {
				t.Errorf("percentile changed its input: %v, was %v", in, c.in)
			}
		})
	}
}
