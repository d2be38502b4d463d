package cmd

import (
	"testing"

	"k8s.io/client-go/rest"
)

// doctor's access reviews are not held to client-go's 5 a second; a rate
// the user's config sets is kept, and the config given is not changed.
func TestAccessReviewConfig(t *testing.T) {
	given := &rest.Config{Host: "https://example.invalid"}
	if c := accessReviewConfig(given); c.QPS != 50 || c.Burst != 300 {
		t.Errorf("rate %v/%d, want 50/300", c.QPS, c.Burst)
	}
	if given.QPS != 0 || given.Burst != 0 {
		t.Errorf("the config given changed: %v/%d", given.QPS, given.Burst)
	}
	if c := accessReviewConfig(&rest.Config{QPS: 2, Burst: 3}); c.QPS != 2 || c.Burst != 3 {
		t.Errorf("the user's rate %v/%d, want 2/3", c.QPS, c.Burst)
	}
}
