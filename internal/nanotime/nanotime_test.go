package nanotime

import (
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	for _, tm := range []time.Time{{}, time.Date(2026, 12, 6, 10, 0, 0, 123456789, time.UTC), time.Unix(1, 0)} {
		if got := Time(Of(tm)); !got.Equal(tm) || got.IsZero() != tm.IsZero() {
			t.Errorf("Time(Of(%v)) = %v", tm, got)
		}
	}
	if Of(time.Time{}) != 0 {
		t.Error("the zero time is not 0")
	}
}
