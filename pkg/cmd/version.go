package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/spark-eci/kubectl-spark-eci/pkg/version"
)

// VersionOptions prints the version of this build.
type VersionOptions struct {
	Output string

	genericiooptions.IOStreams
}

// NewCmdVersion builds "kubectl spark-eci version".
func NewCmdVersion(streams genericiooptions.IOStreams) *cobra.Command {
	o := &VersionOptions{IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of kubectl spark-eci",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run()
		},
	}
	addOutputFlag(cmd, &o.Output, "Output format: json or yaml; the default is one line.", "json", "yaml")
	return cmd
}

// Validate checks the output format.
func (o *VersionOptions) Validate() error {
	return checkOutput(o.Output, "json", "yaml")
}

// Run prints the version.
func (o *VersionOptions) Run() error {
	info := version.Get()
	if done, err := writeDocument(o.Out, o.Output, info); done {
		return err
	}
	_, err := fmt.Fprintf(o.Out, "kubectl spark-eci %s (commit %s, built %s, %s, %s)\n",
		info.Version, info.Commit, info.BuildDate, info.GoVersion, info.Platform)
	return err
}
