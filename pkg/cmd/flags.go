package cmd

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/resource"
)

// cmdFilenameFlags adds kubectl's -f and -R flags.
func cmdFilenameFlags(flags *pflag.FlagSet, options *resource.FilenameOptions, usage string) {
	flags.StringSliceVarP(&options.Filenames, "filename", "f", options.Filenames, "Files, directories or URLs of "+usage+".")
	flags.BoolVarP(&options.Recursive, "recursive", "R", options.Recursive, "Process the directory given with -f recursively.")
}

// addDryRunFlag adds kubectl's --dry-run, completed with its values.
func addDryRunFlag(cmd *cobra.Command, value *string) {
	cmd.Flags().StringVar(value, "dry-run", *value, `Must be "none", "server", or "client". With client, only print what would be sent; with server, submit it without persisting.`)
	_ = cmd.RegisterFlagCompletionFunc("dry-run", fixedValues("none", "server", "client"))
}

// addFieldManagerFlag adds kubectl's --field-manager.
func addFieldManagerFlag(flags *pflag.FlagSet, value *string) {
	flags.StringVar(value, "field-manager", *value, "Name of the manager used to track field ownership.")
}

// addNodeLabelFlag adds --eci-node-label, the label of virtual nodes.
func addNodeLabelFlag(flags *pflag.FlagSet, value *string) {
	flags.StringVar(value, "eci-node-label", *value, "Label (key=value) that marks virtual nodes.")
}

// addVirtualNodeFlags adds --eci-node-label and --eci-taint, the marks of
// virtual nodes, for other virtual-kubelet providers.
func addVirtualNodeFlags(flags *pflag.FlagSet, label, taint *string) {
	addNodeLabelFlag(flags, label)
	flags.StringVar(taint, "eci-taint", *taint, "Taint (key=value:Effect) that keeps pods off virtual nodes.")
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

// filenameParam is resource.Builder.FilenameParam without kustomize (-k, which
// no command takes): the builder's own method links kustomize whatever the
// flags say, 1.8 MB of the binary. Stdin, URLs, globs and directories behave
// as they do in kubectl.
func filenameParam(b *resource.Builder, enforceNamespace bool, o *resource.FilenameOptions) (*resource.Builder, error) {
	const httpGetAttempts = 3 // as kubectl
	for _, s := range o.Filenames {
		switch {
		case s == "-":
			b = b.Stdin()
		case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://"):
			u, err := url.Parse(s)
			if err != nil {
				return nil, fmt.Errorf("the URL passed to filename %q is not valid: %w", s, err)
			}
			b = b.URL(httpGetAttempts, u)
		default:
			paths := []string{s}
			if _, err := os.Stat(s); os.IsNotExist(err) {
				matches, err := filepath.Glob(s)
				if err != nil {
					return nil, fmt.Errorf("pattern %q is not valid: %w", s, err)
				}
				// No match: the builder reports the path as missing.
				if len(matches) > 0 {
					paths = matches
				}
			}
			b = b.Path(o.Recursive, paths...)
		}
	}
	if enforceNamespace {
		b = b.RequireNamespace()
	}
	return b, nil
}
