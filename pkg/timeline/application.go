package timeline

import "time"

// The phases of an application's start, around its pods'.
const (
	// Submit runs from the operator's submission until the driver pod
	// exists: what spark-submit took.
	Submit Phase = "submit"
	// Request runs from the driver's start until it asked for its first
	// executor (the first executor pod's creation).
	Request Phase = "request"
	// Executors runs from the first executor's creation until the last of
	// those the application asks for runs.
	Executors Phase = "executors"
)

// AppMarks are the moments an application's submission passed: the
// operator's status.lastSubmissionAttemptTime, and the times of the pods of
// that submission. Zero when not recorded.
type AppMarks struct {
	Submitted     time.Time
	DriverCreated time.Time
	DriverStarted time.Time
	// FirstExecutorCreated is the first executor pod's creation;
	// ExecutorsRunning when the last of the Expected executors started,
	// zero until they all have.
	FirstExecutorCreated time.Time
	ExecutorsRunning     time.Time
	// NoSubmit tells a SparkConnect, whose server the operator creates
	// itself: it has no submit phase.
	NoSubmit bool
	// Ended tells an application that has ended (completed, failed,
	// suspended): none of its phases goes on, and one it was in when it
	// ended is unknown (the operator deletes the executors).
	Ended bool
}

// Application is the start of one submission of an application.
type Application struct {
	// Kind is SparkApplication or SparkConnect.
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Submission is the id of the submission (a resubmission is a row of
	// its own).
	Submission string `json:"submission,omitempty"`
	Phases     []Span `json:"phases"`
}

// AppSpansOf works out an application's phases by the rule of SpansOf:
// submit (but for a SparkConnect), request and executors.
func AppSpansOf(m AppMarks, now time.Time) []Span {
	var bounds []bound
	if !m.NoSubmit {
		bounds = append(bounds, bound{Submit, m.Submitted, m.DriverCreated, false})
	}
	return spansOf(append(bounds,
		bound{Request, m.DriverStarted, m.FirstExecutorCreated, false},
		bound{Executors, m.FirstExecutorCreated, m.ExecutorsRunning, false},
	), now, m.Ended)
}

// ExecutorsRunning is when the last of expected executors started, given
// when each started (zero for one not started yet); zero until expected
// have.
func ExecutorsRunning(started []time.Time, expected int) time.Time {
	var last time.Time
	n := 0
	for _, t := range started {
		if t.IsZero() {
			continue
		}
		n++
		if t.After(last) {
			last = t
		}
	}
	if n < max(expected, 1) {
		return time.Time{}
	}
	return last
}
