package cmd

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/spark-eci/kubectl-spark-eci/pkg/ending"
	"github.com/spark-eci/kubectl-spark-eci/pkg/imagepull"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

const cacheReportExample = `  # How the driver's image was pulled, and whether ECI's image cache was hit
  kubectl spark-eci cache-report spark-pi-driver

  # The driver and every executor of an application, with a summary
  kubectl spark-eci cache-report app/spark-pi

  # The server and executors of a SparkConnect
  kubectl spark-eci cache-report sparkconnect/spark-connect

  # Gate a pipeline on cache hits
  kubectl spark-eci cache-report app/spark-pi --fail-on-miss -o json`

// CacheReportOptions reports image pull times and ECI image cache results.
type CacheReportOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	podReads

	Output         string
	NoHeaders      bool
	FailOnMiss     bool
	NodeLabel      string
	Wait           bool
	Watch          bool
	Timeout        time.Duration
	AllSubmissions bool

	genericiooptions.IOStreams
}

// NewCmdCacheReport builds "kubectl spark-eci cache-report".
func NewCmdCacheReport(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &CacheReportOptions{
		ConfigFlags: configFlags,
		NodeLabel:   placement.DefaultNodeLabel,
		Wait:        true,
		Timeout:     5 * time.Minute,
		IOStreams:   streams,
	}
	cmd := &cobra.Command{
		Use:   "cache-report (POD | app/NAME | sparkconnect/NAME | -l SELECTOR)",
		Short: "Report image pull times and ECI image cache results of Spark pods",
		Long: `Report, for each pod, where it runs (ECS or ECI), the result of ECI's image cache
and how long each image took to pull, read from the pod's events. For an application
(app/NAME): its driver and executors, and a summary; for a SparkConnect
(sparkconnect/NAME): its server and executors, labelled with its name
(sparkoperator.k8s.io/connect-name).

For app/NAME and -l, the pods are those of each application's current submission:
the operator submits an application again when its spec changes (place --restart),
when it retries and when it resumes, and deletes the pods of the submission before.
--all-submissions reports those too, while they last. --watch follows an
application through a new submission: it says so on stderr, prints the new pods as
their pulls complete, and its summary is about the submission current at the end.

The cache result is a hit, or a miss with what ECI said about it: the pinned cache
was not found or not ready yet, and the cache ECI auto-created for the pods that come
next. "off" is a pod whose annotations turn ECI's matching off.

--fail-on-miss makes it a gate: it fails (exit 2) when a pod missed the cache, and
when a pod is undecided: on ECI (or on no node yet) with no cache event, because it is
still pulling when the wait ends (at --timeout, or --wait=false) or its events are gone.
An interruption (Ctrl-C, SIGTERM) prints what is known and exits 130 or 143, never 0.

Events expire, after one hour by default: older pods report no events.`,
		Example: cacheReportExample,
		Args:    cobra.MaximumNArgs(1),
		RunE:    runCommand(o),
	}
	flags := cmd.Flags()
	flags.StringVarP(&o.Selector, "selector", "l", o.Selector, "Selector (label query) of the pods to report.")
	flags.BoolVarP(&o.AllNamespaces, "all-namespaces", "A", o.AllNamespaces, "Report pods of every namespace (with -l).")
	addOutputFlag(cmd, &o.Output, "Output format: json or yaml (the report schema "+imagepull.ReportAPIVersion+"); a table when empty.", "json", "yaml")
	flags.BoolVar(&o.NoHeaders, "no-headers", o.NoHeaders, "Print the table without its header row.")
	flags.BoolVar(&o.FailOnMiss, "fail-on-miss", o.FailOnMiss, "Exit 2 when any pod missed the ECI image cache, or its result is undecided: still pulling when the wait ended, or no cache event.")
	flags.BoolVar(&o.Wait, "wait", o.Wait, "Wait for pods still being scheduled or pulling to finish their pulls (or --timeout) before printing.")
	flags.BoolVarP(&o.Watch, "watch", "w", o.Watch, "Follow the pods as they come (new executors too), printing each as its pulls complete, until interrupted or --timeout.")
	flags.DurationVar(&o.Timeout, "timeout", o.Timeout, "How long --wait and --watch wait; then what is known is printed, and pods still pulling end it timed out (exit 124). 0 waits until interrupted.")
	flags.BoolVar(&o.AllSubmissions, "all-submissions", o.AllSubmissions, "Report the pods of every submission of an application, not only the current one's.")
	addNodeLabelFlag(flags, &o.NodeLabel)

	cmd.ValidArgsFunction = cacheReportArgs.complete(configFlags, 1)
	return cmd
}

// Complete works out what the argument names and builds the client.
func (o *CacheReportOptions) Complete(_ *cobra.Command, args []string) error {
	_, err := o.podReads.complete(o.ConfigFlags, cacheReportArgs, args, o.NodeLabel)
	return err
}

// Validate checks that exactly one way of choosing pods is given.
func (o *CacheReportOptions) Validate() error {
	chosen := 0
	for _, set := range []bool{o.podName != "", o.appName != "", o.Selector != ""} {
		if set {
			chosen++
		}
	}
	if chosen != 1 {
		return errors.New("give one of POD, app/NAME, sparkconnect/NAME or -l SELECTOR")
	}
	if o.AllNamespaces && o.Selector == "" {
		return errors.New("--all-namespaces needs -l SELECTOR")
	}
	if o.Watch && o.podName != "" {
		return errors.New("--watch follows an application or a selector; for one pod, the default --wait is enough")
	}
	if o.AllSubmissions && o.podName != "" {
		return errors.New("--all-submissions is for app/NAME and -l: a pod named is reported whatever its submission")
	}
	if o.Watch && o.Output != "" {
		return errors.New("--watch prints table rows as pods complete; -o json|yaml prints one report: use --wait")
	}
	if err := checkOutput(o.Output, "json", "yaml"); err != nil {
		return err
	}
	if _, err := labels.Parse(o.Selector); err != nil {
		return fmt.Errorf("invalid --selector: %w", err)
	}
	if o.Timeout < 0 {
		return fmt.Errorf("invalid --timeout %s: want 0 or more", o.Timeout)
	}
	return nil
}

// Run reads the pods and their events, and prints the report.
func (o *CacheReportOptions) Run(ctx context.Context) error {
	if o.Watch {
		return o.watchReport(ctx)
	}
	pods, left, err := o.pods(ctx)
	if err != nil {
		return explainError(o.ConfigFlags, err)
	}
	if left > 0 {
		fmt.Fprintf(o.ErrOut, "pods of earlier submissions left out: %d (--all-submissions reports them)\n", left)
	}
	var reports []imagepull.PodReport
	var waitEnd error // the wait cut short
	if len(pods) == 0 && o.podName != "" {
		// The pod is gone; its events may still be there.
		events, err := o.eventsOfPodNamed(ctx, o.podName, imagepull.Relevant)
		if err != nil {
			return explainError(o.ConfigFlags, err)
		}
		if len(events) == 0 {
			return fmt.Errorf("pod %q not found in namespace %q, and no events name it (events expire after one hour by default)", o.podName, o.namespace)
		}
		isECI := o.eciNodes(ctx)
		reports = append(reports, imagepull.BuildPodReport(nil, events, isECI))
	} else {
		store, resourceVersion, err := o.eventsOf(ctx, pods)
		if err != nil {
			return explainError(o.ConfigFlags, err)
		}
		isECI := o.eciNodes(ctx)
		if o.Wait {
			if pods, waitEnd = o.waitForPulls(ctx, pods, store, resourceVersion, isECI); waitEnd != nil && !isWaitEnd(waitEnd) {
				return explainError(o.ConfigFlags, waitEnd)
			}
		}
		// Each pod's facts and events go as its report is made: the
		// reports take their place.
		reports = make([]imagepull.PodReport, 0, len(pods))
		for i := range pods {
			reports = append(reports, imagepull.ReportOf(&pods[i], store.Of(pods[i].UID), isECI))
			store.Forget(pods[i].UID)
			pods[i] = imagepull.PodFacts{}
		}
	}
	for _, r := range reports {
		if r.Events == 0 {
			fmt.Fprintf(o.ErrOut, "%s: no image events (events expire after one hour by default)\n", r.Name)
		}
	}
	report := imagepull.NewReport(reports)
	if err := o.print(report); err != nil {
		return err
	}
	return o.end(report, waitEnd)
}

// end is how the report ends once it is printed: with --fail-on-miss, a
// gate that passes only when every pod is known not to have missed (a miss
// fails it, and so does a pod still pulling or whose cache result is
// otherwise unknown: undecided), then the wait, when --timeout or a signal
// cut it short: the last line says how the command ended.
func (o *CacheReportOptions) end(report imagepull.Report, waitEnd error) error {
	var gate error
	if g := imagepull.GateOf(report); o.FailOnMiss && !g.Passed() {
		gate = ending.FailGate("--fail-on-miss: %s", g)
	}
	return ending.Join(gate, waitEnd)
}

// isWaitEnd tells an error that says a wait was cut short from one that
// kept the wait from being made.
func isWaitEnd(err error) bool {
	var ended *ending.WaitEnded
	return errors.As(err, &ended)
}

func (o *CacheReportOptions) print(report imagepull.Report) error {
	if done, err := writeDocument(o.Out, o.Output, report); done {
		return err
	}
	return imagepull.WriteTable(o.Out, report, o.NoHeaders)
}

// pods reads the facts of the selected pods, of each application's current
// submission unless --all-submissions, and tells how many pods of earlier
// submissions it left out; a pod named but gone gives none. Each page of a
// list is folded into the pods' facts as it comes: a report over many pods
// never holds them whole.
func (o *CacheReportOptions) pods(ctx context.Context) ([]imagepull.PodFacts, int, error) {
	var pods []imagepull.PodFacts
	_, err := o.eachPod(ctx, func(pod *corev1.Pod) { pods = append(pods, imagepull.FactsOf(pod)) })
	if err != nil || o.podName != "" {
		return pods, 0, err
	}
	left := 0
	if !o.AllSubmissions {
		pods, left = sparkapp.KeepCurrent(pods, func(p *imagepull.PodFacts) sparkapp.PodSubmission { return p.Submission })
	}
	switch {
	case len(pods) > 0:
		return pods, left, nil
	case o.appName != "":
		if o.kind == sparkapp.KindSparkConnect {
			return nil, 0, fmt.Errorf("no pods of SparkConnect %q in namespace %q", o.appName, o.namespace)
		}
		return nil, 0, fmt.Errorf("no pods of application %q in namespace %q", o.appName, o.namespace)
	}
	return nil, 0, fmt.Errorf("no pods match %q", o.Selector)
}

// eventsOf folds the image and cache events of pods into a store, and
// returns the resource version of the list to watch from. One pod: a field
// selector; more: one paginated list of the pod events of their namespace
// (or of all namespaces), each page joined to the pods by UID as it comes
// and the events of other pods dropped at once, never a request per pod.
func (o *CacheReportOptions) eventsOf(ctx context.Context, pods []imagepull.PodFacts) (*imagepull.EventStore, string, error) {
	uids := make([]types.UID, len(pods))
	for i := range pods {
		uids[i] = pods[i].UID
	}
	store := imagepull.NewEventStore(uids)
	namespace, selector := eventScope(factsOf(pods))
	rv, err := o.eachEvent(ctx, namespace, selector, func(e *corev1.Event) { store.Put(e) })
	return store, rv, err
}

// factsOf yields the namespace and UID of each pod, for eventScope.
func factsOf(pods []imagepull.PodFacts) iter.Seq2[string, types.UID] {
	return func(yield func(string, types.UID) bool) {
		for i := range pods {
			if !yield(pods[i].Namespace, pods[i].UID) {
				return
			}
		}
	}
}
