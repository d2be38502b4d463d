package ending

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Timeout is the cause --timeout gives the context of a wait.
type Timeout struct {
	Limit time.Duration
}

func (e *Timeout) Error() string { return fmt.Sprintf("timed out after %s", e.Limit) }

// Wait is one wait of a command (for image pulls, for pods to be placed, for
// a cache to be built): it ends when what it waits for comes, at its
// timeout, or when the command is interrupted, and tells which.
type Wait struct {
	ctx     context.Context
	cancel  context.CancelFunc
	started time.Time
}

// StartWait starts a wait within ctx, the command's context, bounded by
// timeout (none when 0). Stop it when it is over.
func StartWait(ctx context.Context, timeout time.Duration) *Wait {
	w := &Wait{started: time.Now()}
	if timeout > 0 {
		w.ctx, w.cancel = context.WithTimeoutCause(ctx, timeout, &Timeout{Limit: timeout})
	} else {
		w.ctx, w.cancel = context.WithCancel(ctx)
	}
	return w
}

// Context is the wait's context: what the wait does takes it.
func (w *Wait) Context() context.Context { return w.ctx }

// Done is closed when the wait is cut short (Ended says why).
func (w *Wait) Done() <-chan struct{} { return w.ctx.Done() }

// Over tells whether the wait was cut short (Ended says how): an error
// that comes after is the wait's end, not an error of its own.
func (w *Wait) Over() bool { return w.ctx.Err() != nil }

// Stop releases the wait's timer.
func (w *Wait) Stop() { w.cancel() }

// Ended is how a wait cut short ended, for what (a phrase: "the image pulls
// of spark-pi-driver"): a *WaitEnded that says whether the timeout or a
// signal ended it and how long it had waited. Nil while the wait goes on.
func (w *Wait) Ended(what string) error {
	if !w.Over() {
		return nil
	}
	return &WaitEnded{Cause: context.Cause(w.ctx), Waited: time.Since(w.started), For: what}
}

// WaitEnded is a wait cut short before what it waited for came.
type WaitEnded struct {
	// Cause is a *Timeout, an *Interruption, or the error of a context
	// cancelled otherwise.
	Cause error
	// Waited is how long the wait really went on.
	Waited time.Duration
	// For is what it waited for.
	For string
}

func (e *WaitEnded) Error() string {
	var how string
	var interrupted *Interruption
	switch {
	case e.TimedOut():
		how = "timed out"
	case errors.As(e.Cause, &interrupted):
		how = interrupted.Error()
	default:
		how = fmt.Sprintf("stopped (%v)", e.Cause)
	}
	msg := fmt.Sprintf("%s after %s", how, Round(e.Waited))
	if e.For != "" {
		msg += " waiting for " + e.For
	}
	return msg
}

// Unwrap gives the cause.
func (e *WaitEnded) Unwrap() error { return e.Cause }

// TimedOut tells a wait its timeout ended.
func (e *WaitEnded) TimedOut() bool {
	var t *Timeout
	return errors.As(e.Cause, &t)
}

// Round rounds a time waited for saying it: to tenths of a second, to
// milliseconds below a second.
func Round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
