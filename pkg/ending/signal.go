package ending

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Interruption is the cause a signal gives the command's context.
type Interruption struct {
	Signal os.Signal
}

func (e *Interruption) Error() string { return "interrupted by " + SignalName(e.Signal) }

// OnSignals returns a copy of parent that SIGINT or SIGTERM cancels, with an
// *Interruption naming the signal as its cause. The first signal is the
// command's to handle: after it, the signals' default action is back, so a
// second Ctrl-C ends a command that is slow to stop at once. stop lets the
// signals go; a signal that came before it returned is the context's cause,
// and one that comes after it has its default action: none is lost.
func OnSignals(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	stopping, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case s := <-signals:
			signal.Stop(signals)
			cancel(&Interruption{Signal: s})
		case <-stopping:
			select {
			case s := <-signals: // came just before Stop
				cancel(&Interruption{Signal: s})
			default:
			}
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(signals)
			close(stopping)
			<-stopped
			cancel(context.Canceled)
		})
	}
}

// SignalOf is the signal that interrupted ctx, one OnSignals made or one
// made from it; nil when none did.
func SignalOf(ctx context.Context) os.Signal {
	var i *Interruption
	if errors.As(context.Cause(ctx), &i) {
		return i.Signal
	}
	return nil
}

// SignalName names a signal the way shells and kill(1) do: SIGINT, SIGTERM.
func SignalName(s os.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case nil:
		return "a signal"
	}
	return s.String()
}
