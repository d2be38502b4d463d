package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/spark-eci/kubectl-spark-eci/pkg/ending"
	"github.com/spark-eci/kubectl-spark-eci/pkg/imagecache"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
)

const imageCacheCreateExample = `  # Cache every image of spark-pi, wait until ECI has built the cache, and pin
  # spark-pi to it: its next run starts without pulling
  kubectl spark-eci image-cache create app/spark-pi --wait --place

  # A larger cache that expires after 30 days, pulling from a private registry
  kubectl spark-eci image-cache create app/etl --size=100 --retention-days=30 --pull-secret=acr-pull

  # Show the ImageCache without creating it
  kubectl spark-eci image-cache create app/spark-pi --dry-run=client -o yaml`

// ImageCacheCreateOptions makes the ECI image cache of a Spark application.
type ImageCacheCreateOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	PrintFlags  *PrintFlags

	Name          string
	SizeGiB       int
	RetentionDays int
	PullSecrets   []string
	Wait          bool
	Timeout       time.Duration
	Place         bool
	Restart       bool
	NodeLabel     string
	Taint         string
	DryRun        string
	FieldManager  string
	operator      operatorOptions

	appArg    string
	namespace string
	nodes     placement.VirtualNodes
	dryRun    dryRunStrategy
	toPrinter func(operation string) (printers.ResourcePrinter, error)

	genericiooptions.IOStreams
}

// NewCmdImageCacheCreate builds "kubectl spark-eci image-cache create".
func NewCmdImageCacheCreate(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ImageCacheCreateOptions{
		ConfigFlags:  configFlags,
		PrintFlags:   NewPrintFlags("created").WithTypeSetter(scheme.Scheme),
		Timeout:      30 * time.Minute,
		NodeLabel:    placement.DefaultNodeLabel,
		Taint:        placement.DefaultTaint,
		DryRun:       "none",
		FieldManager: "kubectl-spark-eci",
		IOStreams:    streams,
	}
	cmd := &cobra.Command{
		Use:   "create (NAME | app/NAME | TYPE/NAME)",
		Short: "Create the ECI image cache of every image a Spark application's pods pull",
		Long: `Create a cluster-scoped ImageCache holding every image the pods of a SparkApplication
(or of each run of a ScheduledSparkApplication) pull: the Spark image of the driver and
of the executors, the init containers and sidecars of the spec, and the other
containers of the roles' pod templates. The application's imagePullSecrets go with it.

A cache that already holds all those images, and has not failed, is reused rather than
made again. --wait follows the cache until ECI has built it, with a progress bar on a
terminal; --place then pins the application to it (as place --image-cache=imc-... does,
with place's rules: an active application changes only with --restart).`,
		Example: imageCacheCreateExample,
		Args:    cobra.ExactArgs(1),
		RunE:    runCommand(o),
	}
	o.PrintFlags.AddFlags(cmd)
	flags := cmd.Flags()
	flags.StringVar(&o.Name, "name", o.Name, "Name of the ImageCache (default: NAMESPACE-APP-DIGEST, new for new images).")
	flags.IntVar(&o.SizeGiB, "size", o.SizeGiB, fmt.Sprintf("Size of the cache in GiB, %d to %d (ECI's default: %d).", imagecache.MinSizeGiB, imagecache.MaxSizeGiB, imagecache.MinSizeGiB))
	flags.IntVar(&o.RetentionDays, "retention-days", o.RetentionDays, fmt.Sprintf("Days the cache is kept, %d to %d (default: it never expires).", imagecache.MinRetentionDays, imagecache.MaxRetentionDays))
	flags.StringArrayVar(&o.PullSecrets, "pull-secret", o.PullSecrets, "Image pull secret, NAME (in the application's namespace) or NAMESPACE:NAME; repeatable. The application's imagePullSecrets are added.")
	flags.BoolVar(&o.Wait, "wait", o.Wait, "Wait until ECI has built the cache (or it fails, or --timeout).")
	flags.DurationVar(&o.Timeout, "timeout", o.Timeout, "How long --wait and --place wait for the cache; then it ends timed out (exit 124).")
	flags.BoolVar(&o.Place, "place", o.Place, "Once the cache is ready, pin the application to it (implies --wait).")
	flags.BoolVar(&o.Restart, "restart", o.Restart, "With --place, change an active application too: the Spark operator kills and resubmits it.")
	addVirtualNodeFlags(flags, &o.NodeLabel, &o.Taint)
	o.operator.addFlag(flags)
	addDryRunFlag(cmd, &o.DryRun)
	addFieldManagerFlag(flags, &o.FieldManager)

	cmd.ValidArgsFunction = imageCacheArgs.complete(configFlags, 1)
	_ = cmd.RegisterFlagCompletionFunc("output", fixedValues(o.PrintFlags.AllowedFormats()...))
	return cmd
}

// Complete reads the flags and the namespace.
func (o *ImageCacheCreateOptions) Complete(_ *cobra.Command, args []string) error {
	var err error
	o.appArg = args[0]
	if o.dryRun, err = parseDryRun(o.DryRun); err != nil {
		return err
	}
	if o.nodes, err = placement.ParseVirtualNodes(o.NodeLabel, o.Taint); err != nil {
		return err
	}
	if o.namespace, _, err = o.ConfigFlags.ToRawKubeConfigLoader().Namespace(); err != nil {
		return fmt.Errorf("read kubeconfig: %w", err)
	}
	if err := o.operator.complete(); err != nil {
		return err
	}
	o.Wait = o.Wait || o.Place
	o.toPrinter = o.PrintFlags.printerFor(o.dryRun)
	return nil
}

// Validate checks the flags before anything is read.
func (o *ImageCacheCreateOptions) Validate() error {
	if o.dryRun != dryRunNone && o.Wait {
		return errors.New("--wait and --place cannot be combined with --dry-run: a dry run makes no cache to wait for")
	}
	if o.Restart && !o.Place {
		return errors.New("--restart goes with --place: without it the application is not changed")
	}
	if o.Wait && o.Timeout <= 0 {
		return fmt.Errorf("invalid --timeout %s: want a positive duration", o.Timeout)
	}
	if format := *o.PrintFlags.OutputFormat; o.Place && format != "" && format != "yaml" && format != "name" {
		return fmt.Errorf("--place prints two objects: -o yaml (one stream) or -o name, not -o %s", format)
	}
	if _, err := o.pullSecrets(nil); err != nil {
		return err
	}
	if err := imagecache.ValidSize(o.SizeGiB); err != nil {
		return err
	}
	if err := imagecache.ValidRetention(o.RetentionDays); err != nil {
		return err
	}
	_, err := o.toPrinter("created")
	return err
}

// pullSecrets are the secrets of --pull-secret and the application's
// imagePullSecrets, as ECI takes them: NAMESPACE:NAME, each once; a bare
// NAME is in the application's namespace.
func (o *ImageCacheCreateOptions) pullSecrets(app *unstructured.Unstructured) ([]string, error) {
	var out []string
	add := func(namespace, name string) error {
		secret := name
		if !strings.Contains(name, ":") {
			secret = namespace + ":" + name
		}
		if err := imagecache.ValidPullSecret(secret); err != nil {
			return err
		}
		if !slices.Contains(out, secret) {
			out = append(out, secret)
		}
		return nil
	}
	namespace := o.namespace
	if app != nil {
		namespace = app.GetNamespace()
	}
	for _, name := range o.PullSecrets {
		if err := add(namespace, name); err != nil {
			return nil, fmt.Errorf("--pull-secret %q: want NAME or NAMESPACE:NAME", name)
		}
	}
	if app != nil {
		for _, name := range imagecache.ApplicationPullSecrets(app.Object) {
			if err := add(namespace, name); err != nil {
				return nil, fmt.Errorf("%s: imagePullSecrets: %q is no secret name", app.GetName(), name)
			}
		}
	}
	return out, nil
}

// Run reads and checks everything first (the CRD, the application and its
// images, the caches there are, what --place would do), so that bad input
// creates nothing; then it reuses or creates the cache, waits for it, and
// pins the application.
func (o *ImageCacheCreateOptions) Run(ctx context.Context) error {
	caches, err := imageCaches(o.ConfigFlags)
	if err != nil {
		return err
	}
	app, err := sparkApp(ctx, o.ConfigFlags, o.namespace, o.appArg)
	if err != nil {
		return err
	}
	images, err := imagecache.ApplicationImages(app.Object)
	if err != nil {
		return fmt.Errorf("%s: %w", app.GetName(), err)
	}
	secrets, err := o.pullSecrets(app)
	if err != nil {
		return err
	}
	spec := imagecache.Spec{Images: images, PullSecrets: secrets, SizeGiB: o.SizeGiB, RetentionDays: o.RetentionDays}
	if err := spec.Validate(); err != nil {
		return err
	}
	existing, err := listImageCaches(ctx, o.ConfigFlags, caches)
	if err != nil {
		return err
	}
	reuse, err := o.reusable(existing, spec, app)
	if err != nil {
		return err
	}
	if o.Place {
		if err := o.checkPlace(ctx, app, reuse); err != nil {
			return err
		}
	}

	obj, operation := reuse, "reused"
	if reuse == nil {
		if obj, err = o.create(ctx, caches, spec, app); err != nil {
			return err
		}
		operation = "created"
	} else {
		o.sayReused(imagecache.CacheOf(reuse), spec, app.GetName())
	}
	if o.Wait {
		if obj, err = o.waitUntilReady(ctx, caches, obj.GetName()); err != nil {
			return err
		}
	}
	printer, err := o.toPrinter(operation)
	if err != nil {
		return err
	}
	if err := printer.PrintObj(obj, o.Out); err != nil {
		return err
	}
	if o.Place {
		return o.place(ctx, app, imagecache.CacheOf(obj).ID)
	}
	return nil
}

// name is the name a new cache of the application gets.
func (o *ImageCacheCreateOptions) name(spec imagecache.Spec, app *unstructured.Unstructured) string {
	if o.Name != "" {
		return o.Name
	}
	return imagecache.DefaultName(app.GetNamespace(), app.GetName(), spec.Images)
}

// reusable picks the existing cache that holds the images, if any; nil
// means a new one is to be made. A cache of the new one's name that cannot
// be reused is an error: it is in the way.
func (o *ImageCacheCreateOptions) reusable(existing []*unstructured.Unstructured, spec imagecache.Spec, app *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	var candidates []imagecache.Cache
	byName := map[string]*unstructured.Unstructured{}
	for _, obj := range existing {
		c := imagecache.CacheOf(obj)
		byName[c.Name] = obj
		// --name asks for that cache, or a new one: no other is reused.
		if o.Name == "" || c.Name == o.Name {
			candidates = append(candidates, c)
		}
	}
	if reuse, ok := imagecache.Reusable(candidates, spec.Images, time.Now()); ok {
		return byName[reuse.Name], nil
	}
	name := o.name(spec, app)
	current, taken := byName[name]
	if !taken {
		return nil, nil
	}
	c := imagecache.CacheOf(current)
	remedy := fmt.Sprintf("delete it (kubectl spark-eci image-cache delete %s) or give another --name", name)
	switch missing := c.Missing(spec.Images); {
	case c.State() == imagecache.StateFailed:
		return nil, fmt.Errorf("image cache %s exists and failed (%s): %s", name, cmp.Or(c.Message, "phase "+c.Phase), remedy)
	case len(missing) > 0:
		return nil, fmt.Errorf("image cache %s exists and lacks %s of %s: give another --name", name, strings.Join(missing, ", "), app.GetName())
	}
	return nil, fmt.Errorf("image cache %s exists and expired at %s: %s", name, c.Expires.UTC().Format(time.RFC3339), remedy)
}

// sayReused tells which cache is reused, and when it differs from what
// --size and --retention-days ask for, which apply to new caches only.
func (o *ImageCacheCreateOptions) sayReused(c imagecache.Cache, spec imagecache.Spec, app string) {
	fmt.Fprintf(o.ErrOut, "%s: image cache %s already holds its %s\n", app, c.Name, countOf(len(spec.Images), "image", "images"))
	if (spec.SizeGiB != 0 && int64(spec.SizeGiB) != c.SizeGiB) || (spec.RetentionDays != 0 && int64(spec.RetentionDays) != c.RetentionDays) {
		fmt.Fprintf(o.ErrOut, "Warning: %s: --size and --retention-days apply to new caches; %s keeps its own (give --name to make another)\n", app, c.Name)
	}
}

// create makes a new cache of the images (or, on a dry run, only says what
// it would be).
func (o *ImageCacheCreateOptions) create(ctx context.Context, caches dynamic.ResourceInterface, spec imagecache.Spec, app *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	name := o.name(spec, app)
	obj := imagecache.New(name, spec, app.GetNamespace(), app.GetName())
	if o.dryRun == dryRunClient {
		return obj, nil
	}
	opts := metav1.CreateOptions{FieldManager: o.FieldManager}
	if o.dryRun == dryRunServer {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	created, err := caches.Create(ctx, obj, opts)
	if err != nil {
		return nil, fmt.Errorf("create image cache %s: %w", name, explainImageCacheError(o.ConfigFlags, "create", err))
	}
	return created, nil
}

// countOf writes a count with its noun: 1 image, 4 images.
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// checkPlace refuses, before the cache is made, what place would refuse: it
// places the application on the cache to reuse when that one is ready, else
// on a stand-in id, which changes the application as surely. Its words are
// those of --place, which the user typed, not of place's --image-cache.
func (o *ImageCacheCreateOptions) checkPlace(ctx context.Context, app, reuse *unstructured.Unstructured) error {
	id := "imc-check"
	if reuse != nil && imagecache.CacheOf(reuse).Pinnable() {
		id = imagecache.CacheOf(reuse).ID
	}
	pin, err := placement.ParseImageCache(id)
	if err != nil {
		return err
	}
	err = checkPlacing(ctx, o.ConfigFlags, o.IOStreams, &o.operator, app, placement.Request{ImageCache: pin, Nodes: o.nodes}, o.Restart)
	var notOnECI *placement.NotOnECIError
	if errors.As(err, &notOnECI) {
		return fmt.Errorf("--place: neither the driver nor the executors of %s can run on virtual nodes, where an image cache applies; place them there first (kubectl spark-eci place %s --executors=eci)",
			app.GetName(), placeRef(app))
	}
	return err
}

// place pins the application to the cache through place itself, with its
// rules: the patch is guarded by resourceVersion and re-checked on conflict.
func (o *ImageCacheCreateOptions) place(ctx context.Context, app *unstructured.Unstructured, id string) error {
	if id == "" {
		return fmt.Errorf("--place: the image cache has no id yet")
	}
	return placeFrom(ctx, o.ConfigFlags, o.IOStreams, placeRef(app), o.operator, func(p *PlaceOptions) {
		p.ImageCache, p.NodeLabel, p.Taint = id, o.NodeLabel, o.Taint
		p.FieldManager, p.Restart = o.FieldManager, o.Restart
		p.PrintFlags.OutputFormat = o.PrintFlags.OutputFormat
	}, nil)
}

// waitUntilReady follows the cache until it is ready (with an id to pin),
// fails, is deleted, or --timeout; on a terminal it draws its progress. The
// informer behind UntilWithSync lists again after a dropped connection or an
// expired version, and sees a deletion that happened in between.
func (o *ImageCacheCreateOptions) waitUntilReady(ctx context.Context, caches dynamic.ResourceInterface, name string) (*unstructured.Unstructured, error) {
	wait := ending.StartWait(ctx, o.Timeout)
	defer wait.Stop()
	progress := startProgress(o.ErrOut)
	defer progress.stop()

	var last imagecache.Cache
	obj, err := untilClusterObject(wait.Context(), caches, "image cache", name, func(obj *unstructured.Unstructured) (bool, error) {
		last = imagecache.CacheOf(obj)
		progress.say(imagecache.ProgressBar(last, 30))
		switch last.State() {
		case imagecache.StateFailed:
			return false, fmt.Errorf("image cache %s failed: %s", name, cmp.Or(last.Message, "phase "+last.Phase))
		case imagecache.StateReady:
			return last.Pinnable(), nil
		}
		return false, nil
	})
	if err == nil {
		return obj, nil
	}
	if !wait.Over() {
		return nil, err
	}
	ended := wait.Ended(fmt.Sprintf("image cache %s to be ready (%s)", name, last.Describe()))
	return nil, fmt.Errorf("%w: see it with kubectl spark-eci image-cache list", ended)
}
