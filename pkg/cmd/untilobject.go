package cmd

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// untilClusterObject follows one cluster-scoped object, by name, until
// condition holds for it (or fails, or ctx ends), and returns it as it was
// then. It is client-go's UntilWithSync: informer-backed, so a dropped
// connection or an expired resource version costs a list, never an update,
// and a deletion in between is seen. what names the object's kind in errors.
func untilClusterObject(ctx context.Context, client dynamic.ResourceInterface, what, name string, condition func(*unstructured.Unstructured) (bool, error)) (*unstructured.Unstructured, error) {
	selector := fields.OneTermEqualSelector("metadata.name", name).String()
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			opts.FieldSelector = selector
			return client.List(ctx, opts)
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			opts.FieldSelector = selector
			return client.Watch(ctx, opts)
		},
	}
	exists := func(store cache.Store) (bool, error) {
		// A cluster-scoped object's key is its name.
		if _, ok, _ := store.GetByKey(name); !ok {
			return false, fmt.Errorf("%s %s not found", what, name)
		}
		return false, nil
	}
	var last *unstructured.Unstructured
	_, err := watchtools.UntilWithSync(ctx, lw, &unstructured.Unstructured{}, exists, func(ev watch.Event) (bool, error) {
		if ev.Type == watch.Deleted {
			return false, fmt.Errorf("%s %s was deleted", what, name)
		}
		obj, ok := ev.Object.(*unstructured.Unstructured)
		if !ok {
			return false, nil
		}
		last = obj
		return condition(obj)
	})
	return last, err
}
