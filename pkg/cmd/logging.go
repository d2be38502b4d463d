package cmd

import (
	"flag"
	"io"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"
)

// addLogFlags adds kubectl's -v flag. client-go logs through klog; by default
// those logs (discovery retries, for one) are discarded so that an error is
// the one line Execute prints, and -v=N shows them on stderr as kubectl does.
func addLogFlags(cmd *cobra.Command, errOut io.Writer) {
	klogFlags := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(klogFlags)
	cmd.PersistentFlags().AddGoFlag(klogFlags.Lookup("v"))
	_ = klogFlags.Set("logtostderr", "false")
	_ = klogFlags.Set("alsologtostderr", "false")
	_ = klogFlags.Set("stderrthreshold", "FATAL")
	klog.SetOutput(io.Discard)

	cmd.PersistentPreRun = func(cmd *cobra.Command, args []string) {
		if klogFlags.Lookup("v").Value.String() != "0" {
			klog.SetOutput(errOut)
		}
	}
}
