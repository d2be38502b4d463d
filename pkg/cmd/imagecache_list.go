package cmd

import (
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

	"github.com/spark-eci/kubectl-spark-eci/pkg/imagecache"
)

const imageCacheListExample = `  # Every image cache of the cluster, with its id, progress, expiry and the
  # applications of the current namespace that pin it
  kubectl spark-eci image-cache list

  # The applications of every namespace that pin each cache
  kubectl spark-eci image-cache list -A

  # Which caches hold the images of spark-pi, and which one to pin
  kubectl spark-eci image-cache list --for app/spark-pi`

// ImageCacheListOptions lists the cluster's ECI image caches.
type ImageCacheListOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	PrintFlags  *PrintFlags

	For           string
	NoHeaders     bool
	AllNamespaces bool

	namespace string
	printer   printers.ResourcePrinter // nil: the table

	genericiooptions.IOStreams
}

// NewCmdImageCacheList builds "kubectl spark-eci image-cache list".
func NewCmdImageCacheList(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ImageCacheListOptions{
		ConfigFlags: configFlags,
		PrintFlags:  NewPrintFlags("").WithTypeSetter(scheme.Scheme),
		IOStreams:   streams,
	}
	cmd := &cobra.Command{
		Use:     "list [--for (NAME | app/NAME | TYPE/NAME)]",
		Aliases: []string{"ls"},
		Short:   "List the ECI image caches of the cluster",
		Long: `List the cluster's ImageCaches: name, id (imc-...), phase, progress, size, images,
expiry, and PINNED BY: the applications that pin the cache by its id (pod annotation
k8s.aliyun.com/eci-imc-id or eci-image-snapshot-id, in a role's annotations or pod
template), as namespace/name (namespace/sparkconnect/name,
namespace/scheduledsparkapplication/name), a few then +N; "none" when none does. Image
caches are cluster-scoped, applications are not: PINNED BY reads those of the current
namespace, or with -A of every namespace, so "none" without -A says nothing of other
namespaces. When the applications cannot be read, the column says "?" and a warning
says why.

With --for, a column says how many of the application's images each cache holds, and a
last line which ready cache holds them all, ready to pin.

-o json|yaml prints the ImageCache objects themselves, as the API serves them: PINNED BY
and --for belong to the table.`,
		Example: imageCacheListExample,
		Args:    cobra.NoArgs,
		RunE:    runCommand(o),
	}
	o.PrintFlags.AddFlags(cmd)
	cmd.Flags().StringVar(&o.For, "for", o.For, "Say which caches hold every image of this application.")
	cmd.Flags().BoolVar(&o.NoHeaders, "no-headers", o.NoHeaders, "Print the table without its header row and last line.")
	cmd.Flags().BoolVarP(&o.AllNamespaces, "all-namespaces", "A", o.AllNamespaces, "Name in PINNED BY the applications of every namespace, not only the current one's.")
	_ = cmd.RegisterFlagCompletionFunc("for", imageCacheArgs.complete(configFlags, 0))
	_ = cmd.RegisterFlagCompletionFunc("output", fixedValues(o.PrintFlags.AllowedFormats()...))
	return cmd
}

// Complete reads the namespace (of --for) and the printer -o asks for.
func (o *ImageCacheListOptions) Complete(_ *cobra.Command, _ []string) error {
	var err error
	if o.namespace, _, err = o.ConfigFlags.ToRawKubeConfigLoader().Namespace(); err != nil {
		return fmt.Errorf("read kubeconfig: %w", err)
	}
	if *o.PrintFlags.OutputFormat != "" {
		if o.printer, err = o.PrintFlags.ToPrinter(); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks the flags.
func (o *ImageCacheListOptions) Validate() error {
	if o.NoHeaders && o.printer != nil {
		return errors.New("--no-headers goes with the table, not with -o")
	}
	if o.For != "" && o.printer != nil {
		return errors.New("--for adds a column and a verdict to the table, not to -o")
	}
	if o.AllNamespaces && o.printer != nil {
		return errors.New("--all-namespaces reads the applications of the table's PINNED BY column, which -o does not print")
	}
	return nil
}

// Run lists the caches, sorted by name, and prints them.
func (o *ImageCacheListOptions) Run(ctx context.Context) error {
	client, err := imageCaches(o.ConfigFlags)
	if err != nil {
		return err
	}
	var coverage *imagecache.Coverage
	if o.For != "" {
		app, err := sparkApp(ctx, o.ConfigFlags, o.namespace, o.For)
		if err != nil {
			return err
		}
		images, err := imagecache.ApplicationImages(app.Object)
		if err != nil {
			return fmt.Errorf("%s: %w", app.GetName(), err)
		}
		coverage = &imagecache.Coverage{App: app.GetName(), Namespace: app.GetNamespace(), Ref: placeRef(app), Images: images}
	}
	objs, err := listImageCaches(ctx, o.ConfigFlags, client)
	if err != nil {
		return err
	}
	slices.SortFunc(objs, func(a, b *unstructured.Unstructured) int { return strings.Compare(a.GetName(), b.GetName()) })

	if o.printer != nil {
		list := &unstructured.UnstructuredList{Object: map[string]interface{}{"apiVersion": "v1", "kind": "List"}}
		for _, obj := range objs {
			list.Items = append(list.Items, *obj)
		}
		return o.printer.PrintObj(list, o.Out)
	}
	caches := make([]imagecache.Cache, len(objs))
	for i, obj := range objs {
		caches[i] = imagecache.CacheOf(obj)
	}
	if len(caches) == 0 && coverage == nil {
		fmt.Fprintln(o.ErrOut, "No image caches found.")
		return nil
	}
	pinners, err := o.pinners(ctx)
	if err != nil {
		return err
	}
	return imagecache.WriteTable(o.Out, caches, pinners, coverage, o.NoHeaders, time.Now())
}

// pinners reads the applications that pin the caches, of the kinds the
// server serves. When they cannot be read, the caches are shown all the
// same: the column says "?", and one warning line what could not be read.
func (o *ImageCacheListOptions) pinners(ctx context.Context) (imagecache.Pinners, error) {
	namespace := o.namespace
	if o.AllNamespaces {
		namespace = metav1.NamespaceAll
	}
	pinnings, err := o.readPinnings(ctx, namespace)
	switch {
	case ctx.Err() != nil:
		return imagecache.Pinners{}, ctx.Err()
	case err != nil:
		fmt.Fprintf(o.ErrOut, "Warning: PINNED BY shows ?: %s\n", oneLine(err))
		return imagecache.Pinners{Unknown: true}, nil
	}
	return imagecache.Pinners{ByID: imagecache.PinnedBy(pinnings)}, nil
}

func (o *ImageCacheListOptions) readPinnings(ctx context.Context, namespace string) ([]imagecache.Pinning, error) {
	types, err := servedSparkTypes(o.ConfigFlags)
	if err != nil {
		return nil, err
	}
	config, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	pinnings, err := listPinnings(ctx, dyn, namespace, types)
	if err != nil {
		return nil, explainError(o.ConfigFlags, err)
	}
	return pinnings, nil
}
