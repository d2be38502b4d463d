package ending

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestOf(t *testing.T) {
	timedOut := &WaitEnded{Cause: &Timeout{Limit: time.Second}, Waited: time.Second, For: "x"}
	interrupted := &WaitEnded{Cause: &Interruption{Signal: syscall.SIGTERM}, Waited: time.Second, For: "x"}
	gate := FailGate("1 of 2 pods missed")
	for _, tc := range []struct {
		name   string
		err    error
		signal os.Signal
		want   Kind
		code   int
	}{
		{"nothing wrong", nil, nil, Done, 0},
		{"an error", errors.New("boom"), nil, Failed, 1},
		{"a gate", gate, nil, GateFailed, 2},
		{"a gate, wrapped", fmt.Errorf("cache-report: %w", gate), nil, GateFailed, 2},
		{"a timeout", timedOut, nil, TimedOut, 124},
		{"a wait a context ended otherwise", &WaitEnded{Cause: context.Canceled}, nil, Failed, 1},
		// Undecided pods at the timeout fail the gate: the gate's answer is
		// the one a pipeline acts on.
		{"a gate and a timeout", Join(timedOut, gate), nil, GateFailed, 2},
		{"an error beside a gate", Join(gate, errors.New("boom")), nil, Failed, 1},
		{"a wait a signal ended", interrupted, nil, Interrupted, 143},
		{"a wait a signal ended, and a gate", Join(gate, interrupted), nil, Interrupted, 143},
		// Never done after a signal, whatever the command returned.
		{"SIGINT, and no error", nil, syscall.SIGINT, Interrupted, 130},
		{"SIGTERM, and no error", nil, syscall.SIGTERM, Interrupted, 143},
		{"SIGINT and a request cut short", fmt.Errorf("patch x: %w", context.Canceled), syscall.SIGINT, Interrupted, 130},
		{"SIGTERM and a gate", gate, syscall.SIGTERM, Interrupted, 143},
	} {
		t.Run(tc.name, func(t *testing.T) {
			end := Of(tc.err, tc.signal)
			if end.Kind != tc.want || end.Code() != tc.code {
				t.Errorf("Of = %+v, code %d; want kind %d, code %d", end, end.Code(), tc.want, tc.code)
			}
		})
	}
}

// Each end has a code of its own, and an interruption's is 128 plus the
// signal's number, as shells report a process a signal killed.
func TestTableCodesAreDistinct(t *testing.T) {
	seen := map[int]string{}
	for _, row := range Table() {
		if other, dup := seen[row.Code]; dup {
			t.Errorf("%q and %q share exit code %d", other, row.Means, row.Code)
		}
		seen[row.Code] = row.Means
		end := End{Kind: row.Kind, Signal: row.Signal}
		if row.Kind != Interrupted {
			end.Signal = nil
		}
		if end.Code() != row.Code {
			t.Errorf("%q: the table says %d, End.Code %d", row.Means, row.Code, end.Code())
		}
		if row.Kind == Interrupted && row.Code != 128+int(row.Signal) {
			t.Errorf("%q exits %d, want 128+%d", row.Means, row.Code, int(row.Signal))
		}
	}
	if seen[130] != "interrupted by SIGINT" || seen[143] != "interrupted by SIGTERM" {
		t.Errorf("table %v: want 130 for SIGINT and 143 for SIGTERM", seen)
	}
}

func TestErrorsFlattensJoins(t *testing.T) {
	a, b, c := errors.New("a"), errors.New("b"), errors.New("c")
	got := Errors(Join(a, Join(b, nil, c)))
	if len(got) != 3 || got[0] != a || got[1] != b || got[2] != c {
		t.Errorf("Errors = %v, want [a b c]", got)
	}
	if Errors(nil) != nil || Join(nil, nil) != nil {
		t.Error("no errors make an error")
	}
	// An error that wraps two others is one line, its own words kept.
	two := fmt.Errorf("place %w: %w", a, b)
	if got := Errors(two); len(got) != 1 || got[0] != two {
		t.Errorf("Errors split an error that is no Join: %v", got)
	}
}

func TestWaitTimesOut(t *testing.T) {
	going := StartWait(context.Background(), time.Hour)
	defer going.Stop()
	if going.Ended("x") != nil {
		t.Fatal("a wait that goes on has ended")
	}
	w := StartWait(context.Background(), 20*time.Millisecond)
	defer w.Stop()
	<-w.Done()
	err := w.Ended("the image pulls of spark-pi-driver")
	var ended *WaitEnded
	if !errors.As(err, &ended) || !ended.TimedOut() || ended.Waited < 20*time.Millisecond {
		t.Fatalf("Ended = %#v, want a timeout after 20ms or more", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "timed out after ") || !strings.HasSuffix(msg, " waiting for the image pulls of spark-pi-driver") {
		t.Errorf("message %q", msg)
	}
	if Of(err, nil).Code() != CodeTimedOut {
		t.Errorf("a wait its timeout ended exits %d", Of(err, nil).Code())
	}
}

// A wait the command's interruption ends says so, not that it timed out,
// and how long it really waited, not its timeout.
func TestWaitInterrupted(t *testing.T) {
	parent, cancel := context.WithCancelCause(context.Background())
	w := StartWait(parent, time.Hour)
	defer w.Stop()
	cancel(&Interruption{Signal: syscall.SIGINT})
	<-w.Done()
	err := w.Ended("the pods of spark-pi")
	var ended *WaitEnded
	if !errors.As(err, &ended) || ended.TimedOut() || ended.Waited >= time.Hour {
		t.Fatalf("Ended = %#v, want an interruption", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "interrupted by SIGINT after ") || strings.Contains(msg, "1h") {
		t.Errorf("message %q", msg)
	}
	if end := Of(err, nil); end.Kind != Interrupted || end.Code() != 130 {
		t.Errorf("Of = %+v", end)
	}
}

func TestWaitWithoutTimeout(t *testing.T) {
	w := StartWait(context.Background(), 0)
	select {
	case <-w.Done():
		t.Fatal("a wait without a timeout ended by itself")
	default:
	}
	w.Stop()
	if err := w.Ended("x"); err == nil || strings.Contains(err.Error(), "timed out") {
		t.Errorf("a stopped wait: %v", err)
	}
}

func TestRound(t *testing.T) {
	for d, want := range map[time.Duration]string{
		4123 * time.Millisecond:                    "4.1s",
		5*time.Minute + 30*time.Millisecond:        "5m0s",
		5*time.Minute + 160*time.Millisecond:       "5m0.2s",
		40*time.Millisecond + 400*time.Microsecond: "40ms",
	} {
		if got := Round(d).String(); got != want {
			t.Errorf("Round(%s) = %s, want %s", d, got, want)
		}
	}
}
