package cmd

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/spark-eci/kubectl-spark-eci/pkg/imagecache"
)

// ImageCacheDeleteOptions deletes ECI image caches.
type ImageCacheDeleteOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	PrintFlags  *PrintFlags

	IgnoreNotFound bool
	DryRun         string

	names     []string
	dryRun    dryRunStrategy
	toPrinter func(operation string) (printers.ResourcePrinter, error)

	genericiooptions.IOStreams
}

// NewCmdImageCacheDelete builds "kubectl spark-eci image-cache delete".
func NewCmdImageCacheDelete(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ImageCacheDeleteOptions{
		ConfigFlags: configFlags,
		PrintFlags:  NewPrintFlags("deleted").WithTypeSetter(scheme.Scheme),
		DryRun:      "none",
		IOStreams:   streams,
	}
	cmd := &cobra.Command{
		Use:   "delete NAME...",
		Short: "Delete ECI image caches",
		Long: `Delete ImageCaches by name. Every name is checked first: if one does not exist,
none is deleted (unless --ignore-not-found). Pods pinned to a deleted cache miss it.`,
		Example: "  kubectl spark-eci image-cache delete default-spark-pi-1a2b3c4d",
		Args:    cobra.MinimumNArgs(1),
		RunE:    runCommand(o),
	}
	o.PrintFlags.AddFlags(cmd)
	cmd.Flags().BoolVar(&o.IgnoreNotFound, "ignore-not-found", o.IgnoreNotFound, "Treat a cache that does not exist as deleted.")
	addDryRunFlag(cmd, &o.DryRun)
	cmd.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return completeNames(configFlags, imagecache.CRDName, toComplete, ""), cobra.ShellCompDirectiveNoFileComp
	}
	return cmd
}

// Complete reads the names and flags.
func (o *ImageCacheDeleteOptions) Complete(_ *cobra.Command, args []string) error {
	var err error
	o.names = slices.Compact(slices.Sorted(slices.Values(args)))
	if o.dryRun, err = parseDryRun(o.DryRun); err != nil {
		return err
	}
	o.toPrinter = o.PrintFlags.printerFor(o.dryRun)
	return nil
}

// Validate checks the flags.
func (o *ImageCacheDeleteOptions) Validate() error {
	if format := *o.PrintFlags.OutputFormat; format != "" && format != "name" {
		return errors.New("delete prints names only: -o name, or no -o")
	}
	return nil
}

// Run reads every named cache, then deletes them.
func (o *ImageCacheDeleteOptions) Run(ctx context.Context) error {
	client, err := imageCaches(o.ConfigFlags)
	if err != nil {
		return err
	}
	var found []*unstructured.Unstructured
	for _, name := range o.names {
		obj, err := client.Get(ctx, name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err) && o.IgnoreNotFound:
			continue
		case apierrors.IsNotFound(err):
			return fmt.Errorf("image cache %q not found: nothing deleted", name)
		case err != nil:
			return fmt.Errorf("read image cache %s: %w", name, explainImageCacheError(o.ConfigFlags, "get", err))
		}
		found = append(found, obj)
	}
	printer, err := o.toPrinter("deleted")
	if err != nil {
		return err
	}
	for _, obj := range found {
		if o.dryRun != dryRunClient {
			uid := obj.GetUID()
			opts := metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}}
			if o.dryRun == dryRunServer {
				opts.DryRun = []string{metav1.DryRunAll}
			}
			err := client.Delete(ctx, obj.GetName(), opts)
			if err != nil && !(apierrors.IsNotFound(err) && o.IgnoreNotFound) {
				return fmt.Errorf("delete image cache %s: %w", obj.GetName(), explainImageCacheError(o.ConfigFlags, "delete", err))
			}
		}
		if err := printer.PrintObj(obj, o.Out); err != nil {
			return err
		}
	}
	return nil
}
