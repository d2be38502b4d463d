// Package ending tells how a command ended and gives each end its exit code:
// the one place the codes are set.
//
// A command ends in one of five ways. It is done; it failed (bad input, an
// error of the API server); a gate it was asked to pass did not pass
// (cache-report --fail-on-miss, doctor); what it waited for had not come
// when --timeout did; or a signal interrupted it. The last three are
// different ends with different messages, and interrupted is never done: a
// command that got SIGINT or SIGTERM exits 130 or 143, whatever it was doing,
// as a shell reports a process killed by them.
//
// Commands say how they ended by the error they return: nil, a *FailedGate,
// a *WaitEnded (a wait cut short by --timeout or a signal), or any other
// error. The signal itself is the cause of the command's context (Signals).
package ending

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// Kind is one of the ways a command ends.
type Kind int

// The ways a command ends, from the least to the most telling: when a
// command ends more than one way at once (a gate that fails on pods the
// timeout left undecided), the most telling one sets the exit code.
const (
	Done Kind = iota
	TimedOut
	GateFailed
	Failed
	Interrupted
)

// The exit codes of the ends. An interruption exits 128 plus the signal's
// number, as a shell reports a process a signal killed.
const (
	CodeDone       = 0
	CodeFailed     = 1
	CodeGateFailed = 2
	CodeTimedOut   = 124 // what timeout(1) exits with when the time is up
	codeSignalBase = 128
)

// Row is one line of the table of exit codes.
type Row struct {
	Code int
	Kind Kind
	// Signal is the signal of an Interrupted row.
	Signal syscall.Signal
	// Means says when a command ends so, as the README's table does.
	Means string
}

// Table is every exit code a command can give: the README's table of exit
// codes, which a test holds to it.
func Table() []Row {
	return []Row{
		{Code: CodeDone, Kind: Done, Means: "done"},
		{Code: CodeFailed, Kind: Failed, Means: "error"},
		{Code: CodeGateFailed, Kind: GateFailed, Means: "gate failed"},
		{Code: CodeTimedOut, Kind: TimedOut, Means: "timed out"},
		{Code: End{Kind: Interrupted, Signal: syscall.SIGINT}.Code(), Kind: Interrupted, Signal: syscall.SIGINT, Means: "interrupted by SIGINT"},
		{Code: End{Kind: Interrupted, Signal: syscall.SIGTERM}.Code(), Kind: Interrupted, Signal: syscall.SIGTERM, Means: "interrupted by SIGTERM"},
	}
}

// End is how a command ended.
type End struct {
	Kind Kind
	// Signal interrupted the command (Kind Interrupted).
	Signal os.Signal
}

// Code is the exit code of the end.
func (e End) Code() int {
	switch e.Kind {
	case Done:
		return CodeDone
	case TimedOut:
		return CodeTimedOut
	case GateFailed:
		return CodeGateFailed
	case Interrupted:
		if s, ok := e.Signal.(syscall.Signal); ok {
			return codeSignalBase + int(s)
		}
		return codeSignalBase + int(syscall.SIGINT)
	}
	return CodeFailed
}

// Of tells how a command ended from the error it returned and the signal
// that interrupted it (nil: none). A signal makes it Interrupted whatever
// the command returned, nil included.
func Of(err error, signal os.Signal) End {
	if signal != nil {
		return End{Kind: Interrupted, Signal: signal}
	}
	end := End{Kind: Done}
	for _, e := range Errors(err) {
		if k := kindOf(e); k > end.Kind {
			end.Kind = k
		}
		var interrupted *Interruption
		if errors.As(e, &interrupted) {
			end.Signal = interrupted.Signal
		}
	}
	return end
}

func kindOf(err error) Kind {
	var gate *FailedGate
	var wait *WaitEnded
	var interrupted *Interruption
	switch {
	case errors.As(err, &interrupted):
		return Interrupted
	case errors.As(err, &gate):
		return GateFailed
	case errors.As(err, &wait) && wait.TimedOut():
		return TimedOut
	}
	return Failed
}

// Join is the end of a command that ended more than one way (a gate failed
// on the pods a timeout left undecided): each error its own line, in order.
// Nil errors are dropped; it is nil when all are.
func Join(errs ...error) error {
	var kept []error
	for _, e := range errs {
		if e != nil {
			kept = append(kept, e)
		}
	}
	switch len(kept) {
	case 0:
		return nil
	case 1:
		return kept[0]
	}
	return &joined{errs: kept}
}

type joined struct{ errs []error }

func (j *joined) Error() string {
	lines := make([]string, len(j.errs))
	for i, e := range j.errs {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (j *joined) Unwrap() []error { return j.errs }

// Errors are the errors err joins (Join), each its own line of output; err
// alone when it joins none; none when it is nil.
func Errors(err error) []error {
	j, ok := err.(*joined)
	switch {
	case err == nil:
		return nil
	case !ok:
		return []error{err}
	}
	var out []error
	for _, e := range j.errs {
		out = append(out, Errors(e)...)
	}
	return out
}

// FailedGate is a check the user asked a command to pass that did not pass:
// cache-report --fail-on-miss found a miss or pods it cannot decide yet,
// doctor a check that failed.
type FailedGate struct {
	Message string
}

func (e *FailedGate) Error() string { return e.Message }

// FailGate makes a *FailedGate of a formatted message.
func FailGate(format string, args ...any) error {
	return &FailedGate{Message: fmt.Sprintf(format, args...)}
}
