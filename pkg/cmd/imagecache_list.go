package cmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/spark-eci/kubectl-spark-eci/pkg/imagecache"
)

const imageCacheListExample = `  # Every image cache of the cluster, with its id, progress and expiry
  kubectl spark-eci image-cache list

  # Which caches hold the images of spark-pi, and which one to pin
  kubectl spark-eci image-cache list --for app/spark-pi`

// ImageCacheListOptions lists the cluster's ECI image caches.
type ImageCacheListOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	PrintFlags  *PrintFlags

	For       string
	NoHeaders bool

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
		Long: `List the cluster's ImageCaches: name, id (imc-...), phase, progress, size, images and
expiry. With --for, a column says how many of the application's images each cache holds,
and a last line which ready cache holds them all, ready to pin.`,
		Example: imageCacheListExample,
		Args:    cobra.NoArgs,
		RunE:    runCommand(o),
	}
	o.PrintFlags.AddFlags(cmd)
	cmd.Flags().StringVar(&o.For, "for", o.For, "Say which caches hold every image of this application.")
	cmd.Flags().BoolVar(&o.NoHeaders, "no-headers", o.NoHeaders, "Print the table without its header row and last line.")
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
	return imagecache.WriteTable(o.Out, caches, coverage, o.NoHeaders, time.Now())
}
