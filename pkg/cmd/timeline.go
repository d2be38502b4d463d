package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
	"github.com/spark-eci/kubectl-spark-eci/pkg/timeline"
	"github.com/spark-eci/kubectl-spark-eci/pkg/timeline/fromcluster"
)

const timelineExample = `  # Where the start-up of spark-pi's driver and executors went, phase by phase
  kubectl spark-eci timeline app/spark-pi

  # One pod
  kubectl spark-eci timeline spark-pi-driver

  # Every Spark pod of the cluster, as a trace for ui.perfetto.dev or chrome://tracing
  kubectl spark-eci timeline -A -o trace > spark.trace.json

  # The documented timeline, for scripts
  kubectl spark-eci timeline sparkconnect/spark-connect -o json`

// TimelineOptions shows where Spark pods' start-up went.
type TimelineOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	podReads

	Output         string
	AllSubmissions bool
	NodeLabel      string

	dyn    dynamic.Interface
	now    func() time.Time
	getenv func(string) string

	genericiooptions.IOStreams
}

// NewCmdTimeline builds "kubectl spark-eci timeline".
func NewCmdTimeline(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &TimelineOptions{
		ConfigFlags: configFlags,
		NodeLabel:   placement.DefaultNodeLabel,
		now:         time.Now,
		getenv:      os.Getenv,
		IOStreams:   streams,
	}
	cmd := &cobra.Command{
		Use:   "timeline (POD | app/NAME | sparkconnect/NAME | -l SELECTOR | -A)",
		Short: "Show where Spark pods' start-up went: scheduling, ECI's instance, image pull, start, ready",
		Long: `Show each pod's start-up phase by phase, on one time axis, read from the pod's
times, its conditions and its events:

  scheduling  created until the scheduler bound it (PodScheduled)
  instance    on ECI only: bound until ECI's instance existed (its
              ContainerInstanceCreated condition, else ECI's first event)
  pull        the image pulls, from the first Pulling to the last Pulled
  start       the images had until a container started
  ready       started until Ready

For an application (app/NAME, and the applications of -l and -A), a row above its
pods: submit (the operator's status.lastSubmissionAttemptTime until the driver pod
exists: what spark-submit took), request (the driver's start until its first
executor exists) and executors (until the last executor it asks for runs). A
SparkConnect's server is not submitted: its row has no submit phase.

The pods are read as cache-report reads them, with its reading of ECI's image cache
(hit or miss) and of each pull's time. They are those of each application's
current submission; --all-submissions shows the earlier ones too, while their pods
last, each submission a row of its own.

A phase still going is drawn up to now and ends with >. A phase the pod went through
whose events are gone (events expire after one hour by default) is unknown, drawn
as ?, never as zero. Below the chart, the p50/p95 of each phase by node kind and by
cache result, and what a warm cache would have saved.

-o json prints the documented Timeline (` + timeline.APIVersion + `); -o trace the
Trace Event Format, one track per pod, for ui.perfetto.dev or chrome://tracing.
The chart fits the terminal's width (else COLUMNS, else 80), and is in colour only
on a terminal, unless NO_COLOR is set.`,
		Example: timelineExample,
		Args:    cobra.MaximumNArgs(1),
		RunE:    runCommand(o),
	}
	flags := cmd.Flags()
	flags.StringVarP(&o.Selector, "selector", "l", o.Selector, "Selector (label query) of the pods to show.")
	flags.BoolVarP(&o.AllNamespaces, "all-namespaces", "A", o.AllNamespaces, "Show pods of every namespace: every Spark pod, or those of -l.")
	addOutputFlag(cmd, &o.Output, "Output format: json or yaml (the schema "+timeline.APIVersion+" "+timeline.Kind+"), or trace (the Trace Event Format); a chart when empty.", "json", "yaml", "trace")
	flags.BoolVar(&o.AllSubmissions, "all-submissions", o.AllSubmissions, "Show the pods of every submission of an application, not only the current one's.")
	addNodeLabelFlag(flags, &o.NodeLabel)

	cmd.ValidArgsFunction = timelineArgs.complete(configFlags, 1)
	return cmd
}

// Complete works out what the argument names and builds the clients.
func (o *TimelineOptions) Complete(_ *cobra.Command, args []string) error {
	config, err := o.podReads.complete(o.ConfigFlags, timelineArgs, args, o.NodeLabel)
	if err != nil {
		return err
	}
	o.dyn, err = dynamic.NewForConfig(config)
	return err
}

// Validate checks that one way of choosing pods is given.
func (o *TimelineOptions) Validate() error {
	named := o.podName != "" || o.appName != ""
	switch {
	case !named && o.Selector == "" && !o.AllNamespaces:
		return errors.New("give the pods to show: POD, app/NAME, sparkconnect/NAME, -l SELECTOR or -A")
	case named && o.Selector != "":
		return errors.New("a POD or an application cannot be combined with --selector")
	case named && o.AllNamespaces:
		return errors.New("a POD or an application cannot be combined with --all-namespaces: it is found by name in one namespace (-n)")
	case o.AllSubmissions && o.podName != "":
		return errors.New("--all-submissions is for applications, -l and -A: a pod named is shown whatever its submission")
	}
	if err := checkOutput(o.Output, "json", "yaml", "trace"); err != nil {
		return err
	}
	if _, err := labels.Parse(o.Selector); err != nil {
		return fmt.Errorf("invalid --selector: %w", err)
	}
	return nil
}

// Run reads the pods, their events and their applications, as cache-report
// reads them, and prints their timeline.
func (o *TimelineOptions) Run(ctx context.Context) error {
	reading := fromcluster.New(o.eciNodes(ctx))
	if _, err := o.eachPod(ctx, reading.PutPod); err != nil {
		return explainError(o.ConfigFlags, fmt.Errorf("list pods: %w", err))
	}
	if reading.Pods() == 0 {
		return o.noPods(ctx)
	}
	if left := reading.Keep(o.AllSubmissions); left > 0 {
		fmt.Fprintf(o.ErrOut, "pods of earlier submissions left out: %d (--all-submissions shows them)\n", left)
	}
	namespace, selector := eventScope(reading.Kept())
	if _, err := o.eachEvent(ctx, namespace, selector, func(e *corev1.Event) { reading.PutEvent(e) }); err != nil {
		return explainError(o.ConfigFlags, fmt.Errorf("list events: %w", err))
	}
	if o.podName == "" {
		if err := o.readApps(ctx, reading); err != nil {
			return err
		}
	}
	tl := reading.Timeline(o.now())
	if o.podName != "" {
		tl.Applications = nil // one pod tells nothing of its application's start
	}
	if n := unknownPods(tl); n > 0 {
		fmt.Fprintf(o.ErrOut, "pods with a phase of unknown length: %d (events expire after one hour by default)\n", n)
	}
	return o.print(tl)
}

// noPods says what was not found.
func (o *TimelineOptions) noPods(ctx context.Context) error {
	namespace, _ := o.podScope()
	if namespace != metav1.NamespaceAll && namespaceMissing(ctx, o.ConfigFlags, namespace) {
		return namespaceNotFound(namespace)
	}
	switch {
	case o.podName != "":
		return fmt.Errorf("pod %q not found in namespace %q", o.podName, o.namespace)
	case o.appName != "" && o.kind == sparkapp.KindSparkConnect:
		return fmt.Errorf("no pods of SparkConnect %q in namespace %q", o.appName, o.namespace)
	case o.appName != "":
		return fmt.Errorf("no pods of application %q in namespace %q", o.appName, o.namespace)
	case o.Selector != "" && namespace == metav1.NamespaceAll:
		return fmt.Errorf("no pods match %q in any namespace", o.Selector)
	case o.Selector != "":
		return fmt.Errorf("no pods match %q in namespace %q", o.Selector, o.namespace)
	}
	return errors.New("no Spark pods in any namespace")
}

// readApps reads the applications (and SparkConnects) of the pods shown:
// their submission and the executors they ask for. The one named is read
// by name; for -l and -A each kind is listed once. Without them (a user who
// may not read them, an operator that does not serve SparkConnects) the
// rows come from the pods alone, and a warning says so.
func (o *TimelineOptions) readApps(ctx context.Context, reading *fromcluster.Reading) error {
	kinds := []string{sparkapp.KindSparkApplication, sparkapp.KindSparkConnect}
	if o.appName != "" {
		kinds = []string{o.kind}
	}
	namespace, _ := o.podScope()
	for _, kind := range kinds {
		err := o.readAppsOf(ctx, kind, namespace, reading.PutApp)
		if err != nil {
			err = explainSparkError(o.ConfigFlags, kind, err)
		}
		switch {
		case err == nil:
		case errors.Is(err, context.Canceled):
			return err
		case o.appName == "" && kind == sparkapp.KindSparkConnect && meta.IsNoMatchError(err):
			// An operator before v2.3 serves no SparkConnects.
		default:
			fmt.Fprintf(o.ErrOut, "Warning: cannot read %ss: %v: their submission times are unknown, and each is taken to ask for the executors shown\n", kind, err)
		}
	}
	return nil
}

// readAppsOf reads the applications of one kind: the one named, or every
// one of the namespace (or of all).
func (o *TimelineOptions) readAppsOf(ctx context.Context, kind, namespace string, put func(map[string]interface{})) error {
	resource := o.dyn.Resource(sparkType(kind).resource).Namespace(namespace)
	if o.appName != "" {
		app, err := resource.Get(ctx, o.appName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		put(app.Object)
		return nil
	}
	list, err := resource.List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range list.Items {
		put(list.Items[i].Object)
	}
	return nil
}

// unknownPods counts the pods with a phase of unknown length: most often,
// its events are gone.
func unknownPods(tl timeline.Timeline) int {
	n := 0
	for _, p := range tl.Pods {
		for _, s := range p.Phases {
			if s.State == timeline.Unknown {
				n++
				break
			}
		}
	}
	return n
}

func (o *TimelineOptions) print(tl timeline.Timeline) error {
	if o.Output == "trace" {
		return timeline.WriteTrace(o.Out, tl)
	}
	if done, err := writeDocument(o.Out, o.Output, tl); done {
		return err
	}
	chart := timeline.ChartOptions{Width: widthOf(o.Out, o.getenv), Color: colorFor(o.Out, o.getenv)}
	if err := timeline.WriteChart(o.Out, tl, chart); err != nil {
		return err
	}
	return timeline.WriteSummary(o.Out, timeline.Summarize(tl), chart.Width)
}
