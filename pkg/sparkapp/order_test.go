package sparkapp

import "testing"

func TestNaturalCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"exec-2", "exec-10", -1},
		{"exec-10", "exec-9", 1},
		{"exec-10", "exec-10", 0},
		{"exec-010", "exec-10", -1}, // equal numbers: the text decides, so the order is total
		{"exec-1", "exec-1a", -1},
		{"a-exec-2", "b-exec-1", -1},
		{"exec-99999999999999999999", "exec-100000000000000000000", -1}, // beyond int64
		{"", "a", -1},
	} {
		if got := naturalCompare(tc.a, tc.b); got != tc.want {
			t.Errorf("naturalCompare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := naturalCompare(tc.b, tc.a); got != -tc.want {
			t.Errorf("naturalCompare(%q, %q) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}
