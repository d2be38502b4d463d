//go:build unix

package ending

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// signalChild, set in a copy of this test binary, makes it the command that
// the signals are sent to.
const signalChild = "SPARK_ECI_SIGNAL_CHILD"

// The first signal cancels the command's context with itself as the cause;
// the second has its default action back, and ends the process at once.
func TestOnSignals(t *testing.T) {
	if os.Getenv(signalChild) != "" {
		ctx, stop := OnSignals(context.Background())
		defer stop()
		fmt.Println("ready")
		<-ctx.Done()
		fmt.Println(SignalName(SignalOf(ctx)))
		time.Sleep(time.Minute) // a command slow to stop
		os.Exit(0)
	}
	for _, first := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(SignalName(first), func(t *testing.T) {
			child := exec.Command(os.Args[0], "-test.run=^TestOnSignals$")
			child.Env = append(os.Environ(), signalChild+"=1")
			out, err := child.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			defer child.Process.Kill()
			lines := bufio.NewScanner(out)
			next := func() string {
				if !lines.Scan() {
					t.Fatalf("the child ended early: %v", lines.Err())
				}
				return lines.Text()
			}
			if got := next(); got != "ready" {
				t.Fatalf("child said %q", got)
			}
			if err := child.Process.Signal(first); err != nil {
				t.Fatal(err)
			}
			if got := next(); got != SignalName(first) {
				t.Errorf("the context's cause names %q, want %s", got, SignalName(first))
			}
			if err := child.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			_ = child.Wait()
			status, ok := child.ProcessState.Sys().(syscall.WaitStatus)
			if !ok || !status.Signaled() || status.Signal() != syscall.SIGINT {
				t.Errorf("after a second signal the child ended with %v, want killed by SIGINT", child.ProcessState)
			}
		})
	}
}

// stop keeps the cause a signal gave, and gives none when no signal came.
func TestStopKeepsTheSignal(t *testing.T) {
	ctx, stop := OnSignals(context.Background())
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done()
	stop()
	if got := SignalOf(ctx); got != syscall.SIGTERM {
		t.Errorf("SignalOf = %v, want SIGTERM", got)
	}
	ctx, stop = OnSignals(context.Background())
	stop()
	if got := SignalOf(ctx); got != nil {
		t.Errorf("stopped without a signal: SignalOf = %v", got)
	}
}
