// Command kubectl-spark_eci is the kubectl plugin "kubectl spark-eci".
package main

import (
	"os"
	"runtime/debug"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/spark-eci/kubectl-spark-eci/pkg/cmd"
)

// gcPercent is the garbage collector's target: the heap may grow to 1.5
// times what is live, not twice. A report over a whole cluster holds a few
// hundred bytes for each of its pods; on 50,000 pods this keeps the peak
// resident memory of cache-report -A at 141 MiB instead of 181 MiB, for no
// wall time that shows (make bench-large). GOGC, when set, wins.
const gcPercent = 50

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	os.Exit(cmd.Execute(cmd.NewCmdRoot(streams), streams))
}
