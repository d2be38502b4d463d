package sparkapp

import "fmt"

// Application states of .status.applicationState.state.
const (
	StateNew              = ""
	StateSubmitted        = "SUBMITTED"
	StateRunning          = "RUNNING"
	StateCompleted        = "COMPLETED"
	StateFailed           = "FAILED"
	StateSubmissionFailed = "SUBMISSION_FAILED"
	StatePendingRerun     = "PENDING_RERUN"
	StateInvalidating     = "INVALIDATING"
	StateSucceeding       = "SUCCEEDING"
	StateFailing          = "FAILING"
	StateSuspending       = "SUSPENDING"
	StateSuspended        = "SUSPENDED"
	StateResuming         = "RESUMING"
	StateUnknown          = "UNKNOWN"
)

// SpecChange says what the operator does to an application whose .spec changes.
type SpecChange struct {
	// Disruptive is true when pods of the application may be running (or about
	// to) and the operator would kill them: such a change needs consent.
	Disruptive bool
	// Effect tells the user what will happen, in one sentence.
	Effect string
}

// OnSpecChange tells what the operator does when the spec of an object of the
// given kind, in the given state, changes. The operator invalidates and
// resubmits a SparkApplication on any spec change whatever its state (but a
// suspended one, and, under the PartialRestart gate, a change of the
// executors' placement alone: see Operator.OnChange); a
// ScheduledSparkApplication only passes its template on to future runs.
func OnSpecChange(kind, state string) SpecChange {
	if kind == KindScheduledSparkApplication {
		return SpecChange{Effect: "applies to future runs; runs already started keep their placement"}
	}
	switch state {
	case StateNew:
		return SpecChange{Effect: "not submitted yet: the operator submits it with this placement"}
	case StateCompleted, StateFailed, StateSubmissionFailed:
		return SpecChange{Effect: fmt.Sprintf("state %s: the operator will submit the application again with this placement", state)}
	case StateSuspended:
		// The operator (v2.4 and later) turns the change's invalidation
		// back into a suspension: the new spec waits for the resume.
		return SpecChange{Effect: "state SUSPENDED: the application stays suspended; once resumed (spec.suspend: false) the operator submits it with this placement"}
	default:
		return SpecChange{
			Disruptive: true,
			Effect: fmt.Sprintf("state %s: the operator will kill the driver and executors and submit the application again with this placement",
				stateName(state)),
		}
	}
}

func stateName(state string) string {
	if state == "" {
		return "NEW"
	}
	return state
}
