package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic"
	admissionregistrationv1 "k8s.io/client-go/kubernetes/typed/admissionregistration/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/bulkread"
	"github.com/spark-eci/kubectl-spark-eci/pkg/imagecache"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/podplacement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
	"github.com/spark-eci/kubectl-spark-eci/pkg/why"
)

const statusExample = `  # Where the driver and executors of spark-pi landed, and why a pod is pending
  kubectl spark-eci status spark-pi

  # Every application of a team, in every namespace
  kubectl spark-eci status -l team=ml -A

  # Follow the pods until every expected pod has a node
  kubectl spark-eci status spark-pi --watch

  # A SparkConnect: its server and executors
  kubectl spark-eci status sparkconnect/spark-connect

  # The documented report, for scripts
  kubectl spark-eci status spark-pi -o json`

// StatusOptions shows where the pods of SparkApplications landed.
type StatusOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags

	Selector       string
	AllNamespaces  bool
	Output         string
	Watch          bool
	Timeout        time.Duration
	AllSubmissions bool
	NodeLabel      string
	Taint          string

	appName   string
	kind      string // of the application named: SparkApplication, or SparkConnect; "" for -l and -A, which show both
	namespace string
	nodes     placement.VirtualNodes
	client    corev1client.CoreV1Interface
	dyn       dynamic.Interface
	webhooks  admissionregistrationv1.AdmissionregistrationV1Interface
	now       func() time.Time

	genericiooptions.IOStreams
}

// NewStatusOptions returns the options with their defaults.
func NewStatusOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *StatusOptions {
	return &StatusOptions{
		ConfigFlags: configFlags,
		NodeLabel:   placement.DefaultNodeLabel,
		Taint:       placement.DefaultTaint,
		now:         time.Now,
		IOStreams:   streams,
	}
}

// NewCmdStatus builds "kubectl spark-eci status".
func NewCmdStatus(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewStatusOptions(configFlags, streams)
	cmd := &cobra.Command{
		Use:   "status (NAME | sparkconnect/NAME | -l SELECTOR | -A)",
		Short: "Show where the driver and executors of Spark applications landed: ECS or ECI",
		Long: `Show, for each SparkApplication, its state and placement (the targets place would
report for the driver and the executors, or custom), and one row per pod: its role,
phase, node, whether that node is an ECS node or an ECI virtual node, its age, and,
for a pod that does not run as its application asks, why: the reason ECI, the
kubelet or the scheduler gives (ECI's NoStock, an image that cannot be pulled, an
OOM kill, ...) beside its message, and with -o wide the fix. Under the header line,
WHY sums up the application's problems in one line, with the fix; with -l or -A a
last line counts the pods of each reason.

When a role has no pods yet, a block shows on how many schedulable ECS and ECI nodes
its pods could be placed, judged as kube-scheduler filters nodes (taints and
tolerations, node selector, required node affinity, cordoned nodes; not resources),
from what the pods will get: the role's pod template, spec.nodeSelector, and the
role's tolerations, nodeSelector and affinity, which the operator's webhook adds. A
role that fits no node gets a warning.

The pods shown are those of each application's current submission: the operator
submits an application again when its spec changes (place --restart), when it
retries, and when it resumes, and deletes the pods of the submission before.
--all-submissions shows those too, while they last. A pod being deleted shows as
Terminating and counts for no role.

--watch follows the pods until every expected pod of the current submission has a
node (one driver, and the executors of spec.executor.instances or of dynamic
allocation's initial count), or the application has ended. While the operator
submits an application again (INVALIDATING, PENDING_RERUN) it waits for the new
submission's pods, and says on stderr when they come. An application deleted
meanwhile is no longer waited for; when every one shown is gone, it ends with an
error.

A SparkConnect (sparkconnect/NAME) shows the same way, its server as the driver: its
state is Ready or NotReady, its pods are those labelled with its name
(sparkoperator.k8s.io/connect-name), and the nodes they may use are judged from its
pod templates. -l and -A show SparkApplications and SparkConnects.`,
		Example: statusExample,
		Args:    cobra.MaximumNArgs(1),
		RunE:    runCommand(o),
	}
	flags := cmd.Flags()
	flags.StringVarP(&o.Selector, "selector", "l", o.Selector, "Selector (label query) of the applications to show.")
	flags.BoolVarP(&o.AllNamespaces, "all-namespaces", "A", o.AllNamespaces, "Show applications of every namespace (all of them, or those of -l).")
	addOutputFlag(cmd, &o.Output, "Output format: wide, or json or yaml (the schema "+podplacement.StatusAPIVersion+" "+podplacement.StatusKind+").", "wide", "json", "yaml")
	flags.BoolVarP(&o.Watch, "watch", "w", o.Watch, "Follow the pods, printing each as it changes, until every expected pod has a node.")
	flags.DurationVar(&o.Timeout, "timeout", o.Timeout, "How long --watch waits; then it ends timed out (exit 124), naming what still waits. 0 waits until interrupted.")
	flags.BoolVar(&o.AllSubmissions, "all-submissions", o.AllSubmissions, "Show the pods of every submission of an application, not only the current one's.")
	addVirtualNodeFlags(flags, &o.NodeLabel, &o.Taint)

	cmd.ValidArgsFunction = statusArgs.complete(configFlags, 1)
	return cmd
}

// Complete works out which application the argument names and builds the clients.
func (o *StatusOptions) Complete(_ *cobra.Command, args []string) error {
	if len(args) == 1 {
		ref, err := statusArgs.resolve(args[0])
		if err != nil {
			return err
		}
		o.appName, o.kind = ref.name, refTypeOf(ref.kind).noun
	}
	var err error
	if o.nodes, err = placement.ParseVirtualNodes(o.NodeLabel, o.Taint); err != nil {
		return err
	}
	if o.namespace, _, err = o.ConfigFlags.ToRawKubeConfigLoader().Namespace(); err != nil {
		return fmt.Errorf("read kubeconfig: %w", err)
	}
	config, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return fmt.Errorf("read kubeconfig: %w", err)
	}
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		return err
	}
	o.dyn = dyn
	if o.webhooks, err = admissionregistrationv1.NewForConfig(config); err != nil {
		return err
	}
	o.client, err = corev1client.NewForConfig(bulkread.Protobuf(config))
	return err
}

// Validate checks that one way of choosing applications is given.
func (o *StatusOptions) Validate() error {
	switch {
	case o.appName == "" && o.Selector == "" && !o.AllNamespaces:
		return errors.New("give the applications to show: NAME, -l SELECTOR or -A")
	case o.appName != "" && o.Selector != "":
		return errors.New("a NAME cannot be combined with --selector")
	case o.appName != "" && o.AllNamespaces:
		return errors.New("a NAME cannot be combined with --all-namespaces: an application is found by name in one namespace (-n)")
	}
	if err := checkOutput(o.Output, "wide", "json", "yaml"); err != nil {
		return err
	}
	if _, err := labels.Parse(o.Selector); err != nil {
		return fmt.Errorf("invalid --selector: %w", err)
	}
	if o.Timeout < 0 {
		return fmt.Errorf("invalid --timeout %s: want 0 or more", o.Timeout)
	}
	if o.Timeout > 0 && !o.Watch {
		return errors.New("--timeout is for --watch")
	}
	return nil
}

// statusState is what status has read of the cluster, and the versions of
// its lists, to watch from; with --watch, the pods listed, which the pods'
// informer starts from.
type statusState struct {
	cluster  *podplacement.Cluster
	versions struct {
		apps         []appList
		pods, events string
	}
	pods []corev1.Pod
}

// Run reads the applications, their pods, the nodes and the scheduler's
// events, and prints the status; with --watch it goes on until every
// expected pod has a node.
func (o *StatusOptions) Run(ctx context.Context) error {
	s, err := o.read(ctx)
	if err != nil {
		return err
	}
	status := o.build(ctx, s.cluster)
	if o.Watch {
		return o.watch(ctx, s, status)
	}
	return o.print(status)
}

// read lists everything status shows: each list once, joined in memory.
func (o *StatusOptions) read(ctx context.Context) (*statusState, error) {
	s := &statusState{cluster: podplacement.NewCluster(nil, o.AllSubmissions)}
	apps, lists, err := o.listApps(ctx)
	if err != nil {
		return nil, err
	}
	s.versions.apps = lists
	for _, app := range apps {
		s.cluster.PutApp(app)
	}
	// Each page of pods goes into the cluster's records as it comes: the
	// pods themselves are kept only to be followed.
	version, err := o.eachPod(ctx, func(pod *corev1.Pod) {
		s.cluster.PutPod(pod, false)
		if o.Watch {
			s.pods = append(s.pods, *pod)
		}
	})
	if err != nil {
		return nil, explainError(o.ConfigFlags, err)
	}
	s.versions.pods = version
	// Without events the status still shows the scheduler's message and
	// ECI's from the pods' conditions; only --watch needs the version to
	// follow them.
	version, err = o.eachPodEvent(ctx, func(e *corev1.Event) { s.cluster.Events.Put(e) })
	if err != nil && o.Watch {
		return nil, explainError(o.ConfigFlags, err)
	}
	s.versions.events = version
	s.cluster.Nodes = o.readNodes(ctx)
	s.cluster.Admission = o.readAdmission(ctx, s.cluster)
	s.cluster.Caches = o.readPinnedCaches(ctx, s.cluster)
	return s, nil
}

// readPinnedCaches reads the cluster's ECI image caches when an application
// shown pins one, for the verdict to say when it is gone, failed or expires
// soon. A user who may not list them, or a cluster without them, gets no
// such word.
func (o *StatusOptions) readPinnedCaches(ctx context.Context, c *podplacement.Cluster) podplacement.Caches {
	pinned := false
	for _, key := range c.Keys() {
		pinned = pinned || len(imagecache.PinningOf(c.App(key).Object).Pins) > 0
	}
	if !pinned {
		return podplacement.Caches{}
	}
	list, err := o.dyn.Resource(imagecache.Resource).List(ctx, metav1.ListOptions{})
	if err != nil {
		return podplacement.Caches{}
	}
	caches := podplacement.Caches{Known: true, Now: time.Now()}
	for i := range list.Items {
		caches.Items = append(caches.Items, imagecache.CacheOf(&list.Items[i]))
	}
	return caches
}

// readAdmission reads the operator's pod webhook and, only where its
// namespaceSelector looks at more of a namespace than its name, the labels
// of the namespaces shown: what tells why a pod did not get its placement.
// What the user may not read is left unknown.
func (o *StatusOptions) readAdmission(ctx context.Context, c *podplacement.Cluster) podplacement.Admission {
	ad := podplacement.Admission{Webhook: readPodWebhook(ctx, o.webhooks)}
	if !why.NeedsNamespaceLabels(ad.Webhook) {
		return ad
	}
	ad.Namespaces = map[string]labels.Set{}
	for _, key := range c.Keys() {
		ns := c.App(key).GetNamespace()
		if _, done := ad.Namespaces[ns]; done {
			continue
		}
		got, err := o.client.Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if err != nil {
			ad.Webhook.Known = false // whether it selects the namespace is not known
			return ad
		}
		ad.Namespaces[ns] = got.Labels
	}
	return ad
}

// build makes the status of every application and prints its warnings
// (once: --watch builds each application again as it changes, quietly).
func (o *StatusOptions) build(ctx context.Context, c *podplacement.Cluster) podplacement.Status {
	apps := make([]podplacement.Application, 0, len(c.Keys()))
	needWebhook := false
	for _, key := range c.Keys() {
		a, warnings, _ := c.Build(key)
		apps = append(apps, a)
		for _, w := range warnings {
			fmt.Fprintf(o.ErrOut, "Warning: %s: %s\n", key, w)
		}
		for _, r := range a.Roles {
			needWebhook = needWebhook || r.Scheduled == 0 && r.EligibleNodes != nil && podplacement.NeedsPodWebhook(c.App(key).Object, r.Role)
		}
	}
	if needWebhook && podWebhookMissing(c.Admission.Webhook) {
		fmt.Fprintln(o.ErrOut, "Warning: no mutating webhook of the Spark operator selects Spark pods: "+
			"the tolerations, node selectors and affinity of the application specs will not reach the pods, "+
			"though the eligible nodes are counted with them")
	}
	if !c.Nodes.Known {
		fmt.Fprintln(o.ErrOut, "Warning: cannot list nodes: node kinds are told by node names, eligible nodes are unknown")
	}
	return podplacement.NewStatus(apps)
}

func (o *StatusOptions) print(status podplacement.Status) error {
	if done, err := writeDocument(o.Out, o.Output, status); done {
		return err
	}
	return podplacement.WriteTable(o.Out, status, o.tableOptions())
}

func (o *StatusOptions) tableOptions() podplacement.TableOptions {
	return podplacement.TableOptions{Wide: o.Output == "wide", Now: o.now()}
}

// scope is the namespace applications, pods and events are listed in.
func (o *StatusOptions) scope() string {
	if o.AllNamespaces {
		return metav1.NamespaceAll
	}
	return o.namespace
}

// kinds are the kinds shown: the one named, or with -l and -A both
// SparkApplications and SparkConnects.
func (o *StatusOptions) kinds() []string {
	if o.kind != "" {
		return []string{o.kind}
	}
	return []string{sparkapp.KindSparkApplication, sparkapp.KindSparkConnect}
}

// appList is the applications of one kind, as listed: the version to watch
// them from.
type appList struct {
	kind    string
	version string
}

// listApps reads the chosen applications, and the versions to watch them
// from. One named application is listed too, by name: a watch resumes from
// the version of a list. Of -l and -A, SparkConnects are left out where the
// server does not serve them (an operator before v2.3).
func (o *StatusOptions) listApps(ctx context.Context) ([]*unstructured.Unstructured, []appList, error) {
	var apps []*unstructured.Unstructured
	var lists []appList
	for _, kind := range o.kinds() {
		list, err := o.dyn.Resource(sparkType(kind).resource).Namespace(o.scope()).List(ctx, o.appListOptions())
		if err != nil {
			err = explainSparkError(o.ConfigFlags, kind, err)
			if meta.IsNoMatchError(err) && o.kind == "" && kind != sparkapp.KindSparkApplication {
				continue
			}
			return nil, nil, err
		}
		lists = append(lists, appList{kind: kind, version: list.GetResourceVersion()})
		for i := range list.Items {
			apps = append(apps, &list.Items[i])
		}
	}
	if len(apps) == 0 {
		return nil, nil, o.noApps(ctx)
	}
	slices.SortFunc(apps, func(a, b *unstructured.Unstructured) int {
		return cmp.Or(strings.Compare(a.GetNamespace()+"/"+a.GetName(), b.GetNamespace()+"/"+b.GetName()),
			strings.Compare(a.GetKind(), b.GetKind()))
	})
	return apps, lists, nil
}

// noApps says what was not found.
func (o *StatusOptions) noApps(ctx context.Context) error {
	where := fmt.Sprintf("in namespace %q", o.namespace)
	if o.AllNamespaces {
		where = "in any namespace"
	} else if namespaceMissing(ctx, o.ConfigFlags, o.namespace) {
		return namespaceNotFound(o.namespace)
	}
	switch {
	case o.appName != "":
		return fmt.Errorf("%s %q not found %s", strings.ToLower(o.kind), o.appName, where)
	case o.Selector != "":
		return fmt.Errorf("no SparkApplications or SparkConnects match %q %s", o.Selector, where)
	}
	return fmt.Errorf("no SparkApplications or SparkConnects found %s", where)
}

// appListOptions select the applications shown.
func (o *StatusOptions) appListOptions() metav1.ListOptions {
	opts := metav1.ListOptions{LabelSelector: o.Selector}
	if o.appName != "" {
		opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", o.appName).String()
	}
	return opts
}

// podSelector selects the pods of the application (or SparkConnect) named,
// or of any application or SparkConnect: every Spark pod (those of none
// shown are dropped in memory).
func (o *StatusOptions) podSelector() string {
	return sparkPodSelector(o.kind, o.appName)
}

// eachPod calls fn with each pod of the applications, a page at a time,
// and returns the version of the list to watch from.
func (o *StatusOptions) eachPod(ctx context.Context, fn func(*corev1.Pod)) (string, error) {
	return bulkread.Each(ctx, o.client.Pods(o.scope()).List, metav1.ListOptions{LabelSelector: o.podSelector()}, func(obj runtime.Object) error {
		fn(obj.(*corev1.Pod))
		return nil
	})
}

// podEventSelector selects the events about pods: one list of the
// namespace, never a request per pod. What tells nothing (most of them) is
// dropped as it is read: the scheduler's FailedScheduling and the reasons of
// package why are kept. (A field selector takes no set of reasons.)
var podEventSelector = fields.Set{"involvedObject.kind": "Pod"}.AsSelector().String()

func (o *StatusOptions) eachPodEvent(ctx context.Context, fn func(*corev1.Event)) (string, error) {
	return bulkread.Each(ctx, o.client.Events(o.scope()).List, metav1.ListOptions{FieldSelector: podEventSelector}, func(obj runtime.Object) error {
		fn(obj.(*corev1.Event))
		return nil
	})
}

// readNodes lists the nodes. A user who may not list them still gets the
// pods' node kinds, told by ACK's naming of virtual nodes.
func (o *StatusOptions) readNodes(ctx context.Context) *podplacement.Nodes {
	var nodes []corev1.Node
	_, err := bulkread.Each(ctx, o.client.Nodes().List, metav1.ListOptions{}, func(obj runtime.Object) error {
		nodes = append(nodes, *obj.(*corev1.Node))
		return nil
	})
	if err != nil {
		return podplacement.NewNodes(nil, false, o.nodes)
	}
	return podplacement.NewNodes(nodes, true, o.nodes)
}

// writeLine writes one line and reports a failed write.
func writeLine(w io.Writer, line string) error {
	_, err := fmt.Fprintln(w, line)
	return err
}
