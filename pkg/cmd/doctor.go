package cmd

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	admissionregistrationv1 "k8s.io/client-go/kubernetes/typed/admissionregistration/v1"
	appsv1client "k8s.io/client-go/kubernetes/typed/apps/v1"
	authorizationv1client "k8s.io/client-go/kubernetes/typed/authorization/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"

	"github.com/spark-eci/kubectl-spark-eci/pkg/bulkread"
	"github.com/spark-eci/kubectl-spark-eci/pkg/doctor"
	"github.com/spark-eci/kubectl-spark-eci/pkg/ending"
	"github.com/spark-eci/kubectl-spark-eci/pkg/imagecache"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/resourcepolicy"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

const doctorExample = `  # Is the current namespace ready for kubectl spark-eci?
  kubectl spark-eci doctor

  # Another namespace, as JSON for a script (exit code 1 when a check fails)
  kubectl spark-eci doctor -n spark-jobs -o json

  # Virtual nodes of another virtual-kubelet provider
  kubectl spark-eci doctor --eci-node-label=type=virtual-kubelet --eci-taint=virtual-kubelet.io/provider=azure:NoSchedule`

// DoctorOptions checks whether a cluster and namespace are ready for the
// plugin.
type DoctorOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags

	Output    string
	NodeLabel string
	Taint     string

	namespace string
	nodes     placement.VirtualNodes

	genericiooptions.IOStreams
}

// NewCmdDoctor builds "kubectl spark-eci doctor".
func NewCmdDoctor(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &DoctorOptions{
		ConfigFlags: configFlags,
		NodeLabel:   placement.DefaultNodeLabel,
		Taint:       placement.DefaultTaint,
		IOStreams:   streams,
	}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check that the cluster is ready for Spark on ECI, and the fix for what is not",
		Long: `Check, each with OK, WARN or FAIL and the fix in one line:

  - the Spark operator's CRDs are served at sparkoperator.k8s.io/v1beta2
  - the Spark operator's controller: its version and feature gates (PartialRestart),
    read from its Deployment, and what they mean for place
  - the operator's mutating webhook selects Spark pods (place writes tolerations
    and affinity that only it copies onto the pods)
  - virtual nodes exist, with the label and taint place assumes (or the flags that
    make it use theirs)
  - ACK's ResourcePolicy CRD is served (resource-policy needs it)
  - ECI's ImageCache CRD is served (image-cache needs it)
  - the image caches the namespace's applications pin (pod annotation
    k8s.aliyun.com/eci-imc-id or eci-image-snapshot-id) exist, have not failed and
    do not expire within 7 days: else their pods miss them (ImageCacheNotFound)
  - the current user may do what place, cache-report, status, resource-policy,
    image-cache and doctor's pinned-caches check need in the namespace, and
    cluster-wide for image caches (SelfSubjectAccessReview)
  - how far back events reach: the age of the namespace's oldest event (the API
    server's --event-ttl, 1h by default, decides it), shown as INFO, outside the
    counts

The exit code is 2, a failed gate, when a check fails; warnings leave it 0.`,
		Example: doctorExample,
		Args:    cobra.NoArgs,
		RunE:    runCommand(o),
	}
	flags := cmd.Flags()
	addOutputFlag(cmd, &o.Output, "Output format: json or yaml (the DoctorReport); the default is a table.", "json", "yaml")
	addVirtualNodeFlags(flags, &o.NodeLabel, &o.Taint)
	return cmd
}

// Complete reads the namespace and the virtual-node marks.
func (o *DoctorOptions) Complete(_ *cobra.Command, _ []string) error {
	var err error
	if o.namespace, _, err = o.ConfigFlags.ToRawKubeConfigLoader().Namespace(); err != nil {
		return fmt.Errorf("read kubeconfig: %w", err)
	}
	if o.nodes, err = placement.ParseVirtualNodes(o.NodeLabel, o.Taint); err != nil {
		return err
	}
	return nil
}

// Validate checks the output format.
func (o *DoctorOptions) Validate() error {
	return checkOutput(o.Output, "json", "yaml")
}

// Run makes every check, prints the report, and fails when a check failed.
func (o *DoctorOptions) Run(ctx context.Context) error {
	config, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return err
	}
	client, err := newDoctorClient(config)
	if err != nil {
		return err
	}
	// Uncached: a CRD installed a minute ago must count.
	disco, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return err
	}
	groups, err := disco.ServerGroups()
	if err != nil {
		return explainError(o.ConfigFlags, err)
	}

	sparkServed := served(disco, groups, sparkapp.GroupVersion.Group)
	cachesServed := served(disco, groups, imagecache.GroupVersion.Group)
	checks := []doctor.Check{
		doctor.SparkCRDs(sparkServed),
		o.checkWebhook(ctx, client),
		o.checkOperator(ctx, client),
		o.checkNodes(ctx, client),
		doctor.ResourcePolicyCRD(served(disco, groups, resourcepolicy.GroupVersion.Group)),
		doctor.ImageCacheCRD(cachesServed),
		o.checkPinnedCaches(ctx, client, sparkServed, cachesServed.Serves(imagecache.GroupVersion.Version, imagecache.Resource.Resource)),
	}
	for _, c := range doctor.Commands {
		checks = append(checks, o.checkAccess(ctx, client, c))
	}
	checks = append(checks, doctor.EventReach(o.namespace, o.eventAges(ctx, config), time.Now()))

	report := doctor.NewReport(o.namespace, checks)
	if done, werr := writeDocument(o.Out, o.Output, report); done {
		err = werr
	} else {
		err = report.WriteTable(o.Out)
	}
	if err != nil {
		return err
	}
	if report.Failed() {
		return ending.FailGate("%d of %d checks failed", report.Summary.Fail, report.Summary.OK+report.Summary.Warn+report.Summary.Fail)
	}
	return nil
}

// doctorClient holds the typed clients of the four API groups doctor reads,
// and a dynamic one for the Spark applications and image caches: the
// clientset would link every other group's client into the binary, and
// make every command start slower. client-go shares one transport among
// clients of the same config.
type doctorClient struct {
	admission     admissionregistrationv1.AdmissionregistrationV1Interface
	apps          appsv1client.AppsV1Interface
	core          corev1client.CoreV1Interface
	authorization authorizationv1client.AuthorizationV1Interface
	dynamic       dynamic.Interface
}

func newDoctorClient(config *rest.Config) (*doctorClient, error) {
	var d doctorClient
	var err error
	if d.admission, err = admissionregistrationv1.NewForConfig(config); err != nil {
		return nil, err
	}
	if d.apps, err = appsv1client.NewForConfig(config); err != nil {
		return nil, err
	}
	if d.core, err = corev1client.NewForConfig(config); err != nil {
		return nil, err
	}
	if d.authorization, err = authorizationv1client.NewForConfig(bulkread.Unthrottled(config)); err != nil {
		return nil, err
	}
	if d.dynamic, err = dynamic.NewForConfig(config); err != nil {
		return nil, err
	}
	return &d, nil
}

// eventAges counts the events of the namespace and finds the oldest, from
// their metadata alone, a page at a time.
func (o *DoctorOptions) eventAges(ctx context.Context, config *rest.Config) doctor.EventAges {
	client, err := metadata.NewForConfig(config)
	if err != nil {
		return doctor.EventAges{Err: err}
	}
	events := client.Resource(corev1.SchemeGroupVersion.WithResource("events")).Namespace(o.namespace)
	var ages doctor.EventAges
	_, ages.Err = bulkread.Each(ctx, events.List, metav1.ListOptions{}, func(obj runtime.Object) error {
		created := obj.(*metav1.PartialObjectMetadata).CreationTimestamp.Time
		if ages.Count == 0 || created.Before(ages.Oldest) {
			ages.Oldest = created
		}
		ages.Count++
		return nil
	})
	return ages
}

// served lists, for each version of group the server serves, its resources.
func served(disco discovery.DiscoveryInterface, groups *metav1.APIGroupList, group string) doctor.Served {
	out := doctor.Served{}
	for _, g := range groups.Groups {
		if g.Name != group {
			continue
		}
		for _, v := range g.Versions {
			list, err := disco.ServerResourcesForGroupVersion(v.GroupVersion)
			if err != nil {
				continue
			}
			for _, r := range list.APIResources {
				out[v.Version] = append(out[v.Version], r.Name)
			}
		}
	}
	return out
}

func (o *DoctorOptions) checkWebhook(ctx context.Context, client *doctorClient) doctor.Check {
	list, err := client.admission.MutatingWebhookConfigurations().List(ctx, metav1.ListOptions{})
	if err != nil {
		return doctor.NotChecked("pod-webhook", "Spark pod webhook", explainError(o.ConfigFlags, err),
			"ask for list on mutatingwebhookconfigurations.admissionregistration.k8s.io (deploy/rbac/clusterrole.yaml)")
	}
	// A namespace carries its name as a label; the rest, when it may be read.
	nsLabels := labels.Set{"kubernetes.io/metadata.name": o.namespace}
	if ns, err := client.core.Namespaces().Get(ctx, o.namespace, metav1.GetOptions{}); err == nil {
		nsLabels = ns.Labels
	}
	return doctor.PodWebhook(list.Items, o.namespace, nsLabels)
}

func (o *DoctorOptions) checkOperator(ctx context.Context, client *doctorClient) doctor.Check {
	list, err := client.apps.Deployments("").List(ctx, metav1.ListOptions{LabelSelector: sparkapp.ControllerSelector.String()})
	if err != nil {
		return doctor.NotChecked("operator", "Spark operator", explainError(o.ConfigFlags, err),
			"ask for list on deployments.apps (deploy/rbac/clusterrole.yaml), or tell place the operator's gates with --operator-feature-gates")
	}
	return doctor.Operator(list.Items)
}

func (o *DoctorOptions) checkNodes(ctx context.Context, client *doctorClient) doctor.Check {
	// All nodes, not by label: virtual nodes marked otherwise are what the
	// check looks for. Nodes are few, and doctor runs once.
	list, err := client.core.Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return doctor.NotChecked("virtual-nodes", "ECI virtual nodes", explainError(o.ConfigFlags, err),
			"ask for list on nodes (deploy/rbac/clusterrole.yaml)")
	}
	return doctor.VirtualNodes(list.Items, o.nodes)
}

// checkPinnedCaches reads which image caches the applications of the
// namespace pin, of the Spark kinds the server serves, and, when some are
// pinned and the server serves ImageCaches, the caches.
func (o *DoctorOptions) checkPinnedCaches(ctx context.Context, client *doctorClient, sparkServed doctor.Served, cachesServed bool) doctor.Check {
	var types []refType
	for _, t := range sparkTypes() {
		if sparkServed.Serves(t.resource.Version, t.resource.Resource) {
			types = append(types, t)
		}
	}
	apps, err := listPinnings(ctx, client.dynamic, o.namespace, types)
	if err != nil {
		return doctor.NotChecked(doctor.PinnedCachesName, doctor.PinnedCachesTitle, explainError(o.ConfigFlags, err), pinReadFix(err))
	}
	var caches []imagecache.Cache
	if cachesServed && slices.ContainsFunc(apps, func(p imagecache.Pinning) bool { return len(p.Pins) > 0 }) {
		list, err := client.dynamic.Resource(imagecache.Resource).List(ctx, metav1.ListOptions{})
		if err != nil {
			return doctor.NotChecked(doctor.PinnedCachesName, doctor.PinnedCachesTitle, explainError(o.ConfigFlags, err),
				fmt.Sprintf("ask for list on %s, cluster-wide (deploy/rbac/imagecache-clusterrole.yaml)", imagecache.CRDName))
		}
		for i := range list.Items {
			caches = append(caches, imagecache.CacheOf(&list.Items[i]))
		}
	}
	return doctor.PinnedCaches(o.namespace, apps, caches, cachesServed, time.Now())
}

// checkAccess asks the API server, for each need of the command, whether the
// current user may.
func (o *DoctorOptions) checkAccess(ctx context.Context, client *doctorClient, c doctor.Command) doctor.Check {
	allowed := make([]bool, len(c.Needs))
	for i, n := range c.Needs {
		review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
			ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: n.Verb, Group: n.Group, Resource: n.Resource},
		}}
		if !n.Cluster {
			review.Spec.ResourceAttributes.Namespace = o.namespace
		}
		got, err := client.authorization.SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
		if err != nil {
			if !apierrors.IsForbidden(err) {
				err = explainError(o.ConfigFlags, err)
			}
			return doctor.NotChecked("access-"+c.Name, "Rights for "+c.Name, err,
				"ask for create on selfsubjectaccessreviews.authorization.k8s.io (every authenticated user has it by default)")
		}
		allowed[i] = got.Status.Allowed
	}
	return doctor.Access(c, o.namespace, allowed)
}
