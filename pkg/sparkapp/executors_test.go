package sparkapp

import (
	"testing"
	"time"
)

func TestExpectedExecutors(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want int
	}{
		{"kind: SparkApplication\nspec: {executor: {instances: 4}}", 4},
		{"kind: SparkApplication\nspec: {executor: {}}", 2},
		{"kind: SparkApplication\nspec: {}", 2},
		{"kind: SparkApplication\nspec: {executor: {instances: 4}, dynamicAllocation: {enabled: true, initialExecutors: 1, minExecutors: 0}}", 4},
		{"kind: SparkApplication\nspec: {executor: {}, dynamicAllocation: {enabled: true, initialExecutors: 3, minExecutors: 1}}", 3},
		{"kind: SparkApplication\nspec: {executor: {}, dynamicAllocation: {enabled: true}}", 0},
		{"kind: SparkApplication\nspec: {executor: {instances: 1}, dynamicAllocation: {enabled: false, minExecutors: 8}}", 1},
		{"kind: SparkConnect\nspec: {server: {}, executor: {instances: 3}}", 3},
		{"kind: ScheduledSparkApplication\nspec: {template: {executor: {instances: 5}}}", 5},
	} {
		if got := ExpectedExecutors(parse(t, tc.doc)); got != tc.want {
			t.Errorf("%s: %d executors, want %d", tc.doc, got, tc.want)
		}
	}
}

func TestSubmitted(t *testing.T) {
	id, at := Submitted(parse(t, "kind: SparkApplication\nstatus: {submissionID: abc, lastSubmissionAttemptTime: '2026-12-05T10:00:03Z'}"))
	if want := time.Date(2026, 12, 5, 10, 0, 3, 0, time.UTC); id != "abc" || !at.Equal(want) {
		t.Errorf("Submitted = %q, %s; want abc, %s", id, at, want)
	}
	// Before the operator saw it; and a SparkConnect, which has neither.
	for _, doc := range []string{"kind: SparkApplication\nspec: {}", "kind: SparkConnect\nstatus: {state: Ready}"} {
		if id, at := Submitted(parse(t, doc)); id != "" || !at.IsZero() {
			t.Errorf("%s: Submitted = %q, %s; want nothing", doc, id, at)
		}
	}
}
