// Package cmd holds the commands of kubectl spark-eci, a file or a few each,
// in the shape of kubectl's own: an Options struct whose Complete, Validate
// and Run the cobra command calls in turn. Beside them is the wiring they
// share (-o, the kubeconfig, missing CRDs, the operator, ends); what is not
// wiring lives in the domain packages.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/spark-eci/kubectl-spark-eci/pkg/ending"
)

// NewCmdRoot builds "kubectl spark-eci" with its subcommands and the standard
// kubeconfig flags.
func NewCmdRoot(streams genericiooptions.IOStreams) *cobra.Command {
	configFlags := genericclioptions.NewConfigFlags(true)
	cmd := &cobra.Command{
		Use:   "kubectl-spark_eci",
		Short: "Place Spark applications on ECS and ECI nodes, and report ECI image cache results",
		Long: `kubectl spark-eci places the driver and executors of Kubeflow Spark Operator
applications on ordinary (ECS) nodes, on Alibaba Cloud ECI virtual nodes, or on
both, and reports how their images were pulled.`,
		Annotations: map[string]string{
			cobra.CommandDisplayNameAnnotation: "kubectl spark-eci",
		},
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// Completion comes through kubectl's plugin completion, not a subcommand.
	cmd.CompletionOptions.DisableDefaultCmd = true
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	configFlags.AddFlags(cmd.PersistentFlags())
	endRequestsWith(configFlags, cmd.Context)
	registerConfigFlagCompletion(cmd, configFlags)
	addLogFlags(cmd, streams.ErrOut)

	cmd.AddCommand(
		NewCmdPlace(configFlags, streams),
		NewCmdCacheReport(configFlags, streams),
		NewCmdTimeline(configFlags, streams),
		NewCmdResourcePolicy(configFlags, streams),
		NewCmdDoctor(configFlags, streams),
		NewCmdStatus(configFlags, streams),
		NewCmdImageCache(configFlags, streams),
		NewCmdVersion(streams),
	)
	return cmd
}

// Execute runs cmd, prints each error it ends with as kubectl's one
// "error: ..." line on stderr, and returns the process exit code, which
// package ending sets: a command interrupted by SIGINT or SIGTERM says so and
// exits 130 or 143, whatever it returned.
func Execute(cmd *cobra.Command, streams genericiooptions.IOStreams) int {
	ctx, stop := ending.OnSignals(context.Background())
	err := cmd.ExecuteContext(ctx)
	stop()
	signal := ending.SignalOf(ctx)
	told := false
	for _, e := range ending.Errors(err) {
		var interruption *ending.Interruption
		switch {
		case errors.As(e, &interruption):
			told = true
		case signal != nil && errors.Is(e, context.Canceled):
			// A request the interruption called off.
			e = fmt.Errorf("%w: %s", &ending.Interruption{Signal: signal}, calledOff(e))
			told = true
		}
		fmt.Fprintf(streams.ErrOut, "error: %s\n", oneLine(e))
	}
	if signal != nil && !told {
		fmt.Fprintf(streams.ErrOut, "error: %s\n", &ending.Interruption{Signal: signal})
	}
	return ending.Of(err, signal).Code()
}

// calledOff says of an error a request gets when its context is cancelled
// that the request was called off, without the URL and the context's words.
func calledOff(err error) string {
	var urlErr *url.Error
	if !errors.As(err, &urlErr) {
		// A read called off between its requests: "list pods: called off".
		if what, ok := strings.CutSuffix(err.Error(), ": "+context.Canceled.Error()); ok {
			return what + ": called off"
		}
		return err.Error()
	}
	what := strings.ToLower(urlErr.Op) + " request called off"
	msg := err.Error()
	if i := strings.Index(msg, urlErr.Error()); i >= 0 {
		return msg[:i] + what + msg[i+len(urlErr.Error()):]
	}
	return msg
}

// oneLine keeps an error on one line: aggregated API errors join their parts.
func oneLine(err error) string {
	lines := strings.FieldsFunc(err.Error(), func(r rune) bool { return r == '\n' || r == '\r' })
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, "; ")
}

// command is what every subcommand's Options are: kubectl's three steps.
type command interface {
	Complete(cmd *cobra.Command, args []string) error
	Validate() error
	Run(ctx context.Context) error
}

// runCommand is a cobra RunE that completes, validates and runs o, with the
// command's context (cancelled on Ctrl-C).
func runCommand(o command) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := o.Complete(cmd, args); err != nil {
			return err
		}
		if err := o.Validate(); err != nil {
			return err
		}
		return o.Run(cmd.Context())
	}
}
