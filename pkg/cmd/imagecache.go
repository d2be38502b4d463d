package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/resource"
	"k8s.io/client-go/dynamic"

	"github.com/spark-eci/kubectl-spark-eci/pkg/imagecache"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// NewCmdImageCache builds "kubectl spark-eci image-cache" and its subcommands.
func NewCmdImageCache(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "image-cache",
		Short: "Create, wait for, list and delete ECI image caches of Spark applications",
		Long: `ECI starts a pod from an image cache (imc-...) without pulling its images. An
ImageCache (eci.alibabacloud.com/v1, cluster-scoped; ACK's ` + imagecache.Component + ` component
brings it) holds images ahead of time. image-cache create makes one from every image an
application's pods pull, follows it until it is ready, and with --place pins the
application to it, so that even its first run hits the cache.`,
	}
	cmd.AddCommand(
		NewCmdImageCacheCreate(configFlags, streams),
		NewCmdImageCacheList(configFlags, streams),
		NewCmdImageCacheDelete(configFlags, streams),
	)
	return cmd
}

// imageCaches is the client of the cluster's ImageCaches. It first makes sure
// the server serves them, so that a cluster without ECI's CRD gets one line
// naming the component that brings it.
func imageCaches(configFlags *genericclioptions.ConfigFlags) (dynamic.ResourceInterface, error) {
	if _, err := mappingOf(configFlags, imageCacheCRD); err != nil {
		return nil, err
	}
	config, err := configFlags.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	return dyn.Resource(imagecache.Resource), nil
}

// explainImageCacheError says which rule a user lacks: image caches are
// cluster-scoped, so a namespace's Role cannot grant them.
func explainImageCacheError(configFlags *genericclioptions.ConfigFlags, verb string, err error) error {
	if apierrors.IsForbidden(err) {
		return fmt.Errorf("you may not %s %s, which are cluster-scoped: a ClusterRole must allow it (apiGroups: [%s], resources: [%s], verbs: [%s]; see deploy/rbac/imagecache-clusterrole.yaml)",
			verb, imagecache.CRDName, imagecache.GroupVersion.Group, imagecache.Resource.Resource, verb)
	}
	return explainError(configFlags, err)
}

// listImageCaches reads every image cache of the cluster.
func listImageCaches(ctx context.Context, configFlags *genericclioptions.ConfigFlags, caches dynamic.ResourceInterface) ([]*unstructured.Unstructured, error) {
	list, err := caches.List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list image caches: %w", explainImageCacheError(configFlags, "list", err))
	}
	out := make([]*unstructured.Unstructured, len(list.Items))
	for i := range list.Items {
		out[i] = &list.Items[i]
	}
	return out, nil
}

// sparkApp reads the application an argument names (imageCacheArgs).
func sparkApp(ctx context.Context, configFlags *genericclioptions.ConfigFlags, namespace, arg string) (*unstructured.Unstructured, error) {
	r, err := imageCacheArgs.resolve(arg)
	if err != nil {
		return nil, err
	}
	if _, err := mappingOf(configFlags, refTypeOf(r.kind).crd); err != nil {
		return nil, err
	}
	infos, err := resource.NewBuilder(configFlags).
		Unstructured().
		NamespaceParam(namespace).DefaultNamespace().
		ResourceTypeOrNameArgs(false, r.builderArg()).
		SingleResourceType().
		Flatten().
		Do().Infos()
	if err != nil {
		return nil, explainError(configFlags, notFoundIn(ctx, configFlags, namespace, err))
	}
	if len(infos) != 1 {
		return nil, fmt.Errorf("%q names %d objects, want one application", arg, len(infos))
	}
	app, ok := infos[0].Object.(*unstructured.Unstructured)
	if !ok || !sparkapp.IsSparkKind(app.GroupVersionKind().GroupKind()) {
		return nil, fmt.Errorf("%q is not a Spark application", arg)
	}
	return app, nil
}

// placeRef names an application as place takes it: TYPE/NAME.
func placeRef(app *unstructured.Unstructured) string {
	return sparkapp.TypeName(app.GetKind(), app.GetName())
}
