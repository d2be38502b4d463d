package eventtime

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestCountAndSeen(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	at := func(s int) metav1.Time { return metav1.NewTime(t0.Add(time.Duration(s) * time.Second)) }
	micro := func(s int) metav1.MicroTime { return metav1.NewMicroTime(t0.Add(time.Duration(s) * time.Second)) }
	for _, tc := range []struct {
		name        string
		event       corev1.Event
		count       int32
		first, last int // seconds after t0
	}{
		{"core, repeated", corev1.Event{Count: 4, FirstTimestamp: at(1), LastTimestamp: at(9)}, 4, 1, 9},
		{"core, count unset", corev1.Event{FirstTimestamp: at(2), LastTimestamp: at(2)}, 1, 2, 2},
		{"events.k8s.io, once", corev1.Event{EventTime: micro(3)}, 1, 3, 3},
		{"events.k8s.io, repeated", corev1.Event{EventTime: micro(3),
			Series: &corev1.EventSeries{Count: 7, LastObservedTime: micro(40)}}, 7, 3, 40},
		{"both counts: the larger", corev1.Event{Count: 2, FirstTimestamp: at(1), LastTimestamp: at(5),
			Series: &corev1.EventSeries{Count: 5, LastObservedTime: micro(8)}}, 5, 1, 8},
		{"no time but its creation", corev1.Event{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: at(60)}}, 1, 60, 60},
	} {
		first, last := Seen(&tc.event)
		if got := Count(&tc.event); got != tc.count {
			t.Errorf("%s: count %d, want %d", tc.name, got, tc.count)
		}
		if !first.Equal(t0.Add(time.Duration(tc.first)*time.Second)) || !last.Equal(t0.Add(time.Duration(tc.last)*time.Second)) ||
			!Last(&tc.event).Equal(last) {
			t.Errorf("%s: seen %s to %s, want +%ds to +%ds", tc.name, first, last, tc.first, tc.last)
		}
	}
}

func TestMessage(t *testing.T) {
	for in, want := range map[string]string{
		"0/3 nodes are available.":                                                              "0/3 nodes are available.",
		"(combined from similar events): 0/3 nodes are available.":                              "0/3 nodes are available.",
		"[eci.imagecache](combined from similar events): Missed image cache.":                   "[eci.imagecache]Missed image cache.",
		"(combined from (combined from similar events): similar events): Schedule eci failed:x": "Schedule eci failed:x",
	} {
		if got := Message(&corev1.Event{Message: in}); got != want {
			t.Errorf("Message(%q) = %q, want %q", in, got, want)
		}
	}
}
