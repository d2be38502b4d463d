package cmd

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// listFunc lists a resource again: its items and the version to watch from.
type listFunc func(ctx context.Context) ([]runtime.Object, string, error)

// follow watches a resource from resourceVersion and sends what changes on
// the returned channel until ctx ends. The retry watcher resumes from the last
// version seen when the connection drops. When the API server no longer has
// that version (410 Gone: it restarted, or the gap was long), the resource is
// listed again, its items sent as Added, and the watch goes on from the new
// list: receivers must take an object they already have as an update.
func follow(ctx context.Context, what, resourceVersion string, watchFn cache.WatchFuncWithContext, list listFunc) (<-chan watch.Event, <-chan error) {
	events := make(chan watch.Event)
	errs := make(chan error, 1)
	send := func(ev watch.Event) bool {
		select {
		case events <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	go func() {
		for {
			watcher, err := watchtools.NewRetryWatcherWithContext(ctx, resourceVersion, &cache.ListWatch{WatchFuncWithContext: watchFn})
			if err != nil {
				errs <- fmt.Errorf("watch %s: %w", what, err)
				return
			}
			expired := false
			for ev := range watcher.ResultChan() {
				if ev.Type == watch.Error {
					err := apierrors.FromObject(ev.Object)
					if apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
						expired = true
						break
					}
					watcher.Stop()
					errs <- fmt.Errorf("watch %s: %w", what, err)
					return
				}
				if !send(ev) {
					watcher.Stop()
					return
				}
			}
			watcher.Stop()
			if ctx.Err() != nil {
				return
			}
			if !expired {
				errs <- fmt.Errorf("watch %s: %w", what, errors.New("the watch ended"))
				return
			}
			items, version, err := list(ctx)
			if err != nil {
				errs <- fmt.Errorf("list %s again: %w", what, err)
				return
			}
			for _, item := range items {
				if !send(watch.Event{Type: watch.Added, Object: item}) {
					return
				}
			}
			resourceVersion = version
		}
	}()
	return events, errs
}

// watchFunc narrows a watch to a field or label selector.
func watchFunc(watchFn func(context.Context, metav1.ListOptions) (watch.Interface, error), fieldSelector, labelSelector string) cache.WatchFuncWithContext {
	return func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
		opts.FieldSelector, opts.LabelSelector = fieldSelector, labelSelector
		return watchFn(ctx, opts)
	}
}
