package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/spark-eci/kubectl-spark-eci/pkg/ending"
)

// execute runs a command that does run through Execute, and returns its
// exit code and what it wrote on stderr.
func execute(run func(cmd *cobra.Command) error) (int, string) {
	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	cmd := &cobra.Command{Use: "test", SilenceErrors: true, SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error { return run(cmd) }}
	cmd.SetArgs(nil)
	code := Execute(cmd, streams)
	return code, errOut.String()
}

// Each end is told by its own line and exit code; joined ends each get a
// line, and the most telling sets the code.
func TestExecuteEnds(t *testing.T) {
	timedOut := &ending.WaitEnded{Cause: &ending.Timeout{Limit: time.Second}, Waited: time.Second, For: "the image pulls of p"}
	for _, tc := range []struct {
		name   string
		err    error
		code   int
		stderr string
	}{
		{"done", nil, 0, ""},
		{"an error", errors.New("boom"), 1, "error: boom\n"},
		{"an error of many lines", errors.New("a\nb"), 1, "error: a; b\n"},
		{"a gate", ending.FailGate("--fail-on-miss: 1 of 2 pods missed the ECI image cache (p)"), 2,
			"error: --fail-on-miss: 1 of 2 pods missed the ECI image cache (p)\n"},
		{"a timeout", timedOut, 124, "error: timed out after 1s waiting for the image pulls of p\n"},
		{"a timeout that leaves a gate undecided", ending.Join(ending.FailGate("--fail-on-miss: 1 of 1 pod undecided (still pulling: p)"), timedOut), 2,
			"error: --fail-on-miss: 1 of 1 pod undecided (still pulling: p)\nerror: timed out after 1s waiting for the image pulls of p\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stderr := execute(func(*cobra.Command) error { return tc.err })
			if code != tc.code || stderr != tc.stderr {
				t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr, tc.code, tc.stderr)
			}
		})
	}
}

func TestCalledOff(t *testing.T) {
	err := fmt.Errorf("place spark-pi: %w", &url.Error{Op: "Patch", URL: "https://127.0.0.1:6443/apis/x", Err: context.Canceled})
	if got := calledOff(err); got != "place spark-pi: patch request called off" {
		t.Errorf("calledOff = %q", got)
	}
	if got := calledOff(context.Canceled); got != "context canceled" {
		t.Errorf("calledOff of a bare cancel = %q", got)
	}
	if got := calledOff(fmt.Errorf("list pods: %w", context.Canceled)); got != "list pods: called off" {
		t.Errorf("calledOff of a read between its requests = %q", got)
	}
}
