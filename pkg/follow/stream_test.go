package follow

import (
	"slices"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// A stream resumes from the last version sent, in order, without listing;
// after 410 Gone it lists again, sends the list's objects as Added, and goes
// on from the list's version.
func TestStreamResumesInOrderAndRelistsOnGone(t *testing.T) {
	s := newServer()
	s.relisted = podList("40", pod("x", "38"), pod("y", "39"))
	events, errs := Stream(t.Context(), s.source(podList("10", pod("a", "5"))))

	first := s.nextWatch(t)
	first.Add(pod("b", "11"))
	first.Modify(pod("b", "12"))
	if got := receive(t, events, 2); !slices.Equal(got, []string{"ADDED b@11", "MODIFIED b@12"}) {
		t.Errorf("first: %v", got)
	}
	first.Stop() // the connection drops
	second := s.nextWatch(t)
	second.Add(pod("c", "13"))
	if got := receive(t, events, 1); !slices.Equal(got, []string{"ADDED c@13"}) {
		t.Errorf("resumed: %v", got)
	}

	second.Error(&apierrors.NewResourceExpired("too old resource version: 13 (30)").ErrStatus)
	if got := receive(t, events, 2); !slices.Equal(got, []string{"ADDED x@38", "ADDED y@39"}) {
		t.Errorf("after 410: %v, want the list's objects in order", got)
	}
	third := s.nextWatch(t)
	third.Add(pod("z", "41"))
	if got := receive(t, events, 1); !slices.Equal(got, []string{"ADDED z@41"}) {
		t.Errorf("after the relist: %v", got)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if want := []string{"10", "12", "40"}; !slices.Equal(s.watchRVs, want) || len(s.lists) != 1 {
		t.Errorf("watches from %q (want %q), %d lists (want 1)", s.watchRVs, want, len(s.lists))
	}
	select {
	case err := <-errs:
		t.Errorf("error: %v", err)
	default:
	}
}
