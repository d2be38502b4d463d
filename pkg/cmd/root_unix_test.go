//go:build unix

package cmd

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/spf13/cobra"
)

// A signal makes the command interrupted, whatever it returns: never 0, and
// 130 or 143 as a shell reports a process the signal killed.
func TestExecuteInterrupted(t *testing.T) {
	cutRequest := func(ctx context.Context) error {
		return fmt.Errorf("place spark-pi: %w", &url.Error{Op: "Patch", URL: "https://127.0.0.1:6443/apis/x", Err: ctx.Err()})
	}
	for _, tc := range []struct {
		name   string
		signal syscall.Signal
		end    func(context.Context) error // what the command returns once interrupted
		code   int
		stderr string
	}{
		{"a request called off by SIGINT", syscall.SIGINT, cutRequest, 130, "error: interrupted by SIGINT: place spark-pi: patch request called off\n"},
		{"a request called off by SIGTERM", syscall.SIGTERM, cutRequest, 143, "error: interrupted by SIGTERM: place spark-pi: patch request called off\n"},
		{"nothing returned after SIGTERM", syscall.SIGTERM, func(context.Context) error { return nil }, 143, "error: interrupted by SIGTERM\n"},
		{"an error that does not say so", syscall.SIGINT, func(context.Context) error { return fmt.Errorf("no pods came") }, 130,
			"error: no pods came\nerror: interrupted by SIGINT\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stderr := execute(func(cmd *cobra.Command) error {
				if err := syscall.Kill(os.Getpid(), tc.signal); err != nil {
					return err
				}
				<-cmd.Context().Done()
				return tc.end(cmd.Context())
			})
			if code != tc.code || stderr != tc.stderr {
				t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr, tc.code, tc.stderr)
			}
		})
	}
}
