package cmd

import (
	"fmt"

	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/resource"
)

// cmdFilenameFlags adds kubectl's -f and -R flags.
func cmdFilenameFlags(flags *pflag.FlagSet, options *resource.FilenameOptions, usage string) {
	flags.StringSliceVarP(&options.Filenames, "filename", "f", options.Filenames, "Files, directories or URLs of "+usage+".")
	flags.BoolVarP(&options.Recursive, "recursive", "R", options.Recursive, "Process the directory given with -f recursively.")
}

// dryRunStrategy is kubectl's --dry-run: none, client or server.
type dryRunStrategy int

const (
	dryRunNone dryRunStrategy = iota
	dryRunClient
	dryRunServer
)

func parseDryRun(s string) (dryRunStrategy, error) {
	switch s {
	case "", "none":
		return dryRunNone, nil
	case "client":
		return dryRunClient, nil
	case "server":
		return dryRunServer, nil
	}
	return dryRunNone, fmt.Errorf(`invalid --dry-run %q: want "none", "server", or "client"`, s)
}

// suffix is what kubectl appends to the operation it prints.
func (d dryRunStrategy) suffix() string {
	switch d {
	case dryRunClient:
		return " (dry run)"
	case dryRunServer:
		return " (server dry run)"
	}
	return ""
}
