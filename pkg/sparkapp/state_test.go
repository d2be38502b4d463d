package sparkapp

import (
	"strings"
	"testing"
)

func TestOnSpecChange(t *testing.T) {
	for _, tc := range []struct {
		kind, state string
		disruptive  bool
		effect      string
	}{
		{KindSparkApplication, StateNew, false, "not submitted yet"},
		{KindSparkApplication, StateRunning, true, "state RUNNING: the operator will kill the driver and executors"},
		{KindSparkApplication, StateSubmitted, true, "state SUBMITTED"},
		{KindSparkApplication, StatePendingRerun, true, "state PENDING_RERUN"},
		{KindSparkApplication, StateInvalidating, true, "state INVALIDATING"},
		{KindSparkApplication, StateSucceeding, true, "state SUCCEEDING"},
		{KindSparkApplication, StateFailing, true, "state FAILING"},
		{KindSparkApplication, StateSuspending, true, "state SUSPENDING"},
		{KindSparkApplication, StateResuming, true, "state RESUMING"},
		{KindSparkApplication, StateUnknown, true, "state UNKNOWN"},
		{KindSparkApplication, "SOMETHING_NEW", true, "state SOMETHING_NEW"},
		{KindSparkApplication, StateCompleted, false, "state COMPLETED: the operator will submit the application again"},
		{KindSparkApplication, StateFailed, false, "state FAILED: the operator will submit the application again"},
		{KindSparkApplication, StateSubmissionFailed, false, "state SUBMISSION_FAILED"},
		{KindSparkApplication, StateSuspended, false, "state SUSPENDED: the application stays suspended; once resumed"},
		{KindScheduledSparkApplication, StateRunning, false, "applies to future runs"},
	} {
		got := OnSpecChange(tc.kind, tc.state)
		if got.Disruptive != tc.disruptive || !strings.Contains(got.Effect, tc.effect) {
			t.Errorf("OnSpecChange(%s, %q) = %+v, want disruptive %v and %q", tc.kind, tc.state, got, tc.disruptive, tc.effect)
		}
	}
}
