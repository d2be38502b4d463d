// Package follow follows a Kubernetes resource from a list already read, with
// a client-go informer: it resumes after a dropped connection from the last
// version seen, and when the API server no longer has that version (410
// Gone: it restarted, or the gap was long) it lists again and reports what
// changed in the gap, deletions included.
//
// Commands read a resource once to print what is there, then follow it. The
// informer starts from that list, served to it in place of its first list,
// so nothing is read twice. Events, whose deletions matter to no report but
// whose order does, are followed as a Stream instead.
package follow

import (
	"context"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// ListFunc lists the followed objects (with the caller's selectors) with
// the paging options the informer gives.
type ListFunc func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error)

// WatchFunc watches the followed objects (with the caller's selectors)
// from the version in opts.
type WatchFunc func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)

// Source is a resource already listed, and how to list and watch it again.
type Source struct {
	// Resource names the resource in errors: "pods".
	Resource string
	// Listed is the list already read (a *corev1.PodList, an
	// *unstructured.UnstructuredList, ...): its items and resourceVersion.
	// A list with no items but its version follows from that version on,
	// every object coming as Added.
	Listed runtime.Object
	// Object is an empty object of the listed kind: &corev1.Pod{}.
	Object runtime.Object
	List   ListFunc
	Watch  WatchFunc
}

// Start follows src until ctx ends. The events channel gets each change
// after the list: Added for an object new since, Modified, and Deleted
// (after a relist, with the last version known of an object deleted in the
// gap). Objects of the list itself are not sent again. The errors channel
// gets an error the informer cannot get over by trying again (the user may
// not watch, the resource is gone), after which nothing more is sent.
// Objects sent are shared with the informer's cache: do not change them.
func Start(ctx context.Context, src Source) (<-chan watch.Event, <-chan error) {
	return start(ctx, src, nil)
}

// start is Start, counting its informer in running when given.
func start(ctx context.Context, src Source, running *sync.WaitGroup) (<-chan watch.Event, <-chan error) {
	events := make(chan watch.Event)
	errs := make(chan error, 1)
	ctx, stop := context.WithCancel(ctx)
	send := func(ev watch.Event) {
		select {
		case events <- ev:
		case <-ctx.Done():
		}
	}
	informer := cache.NewSharedIndexInformerWithOptions(&listerWatcher{listed: src.Listed, list: src.List, watch: src.Watch},
		src.Object, cache.SharedIndexInformerOptions{ObjectDescription: src.Resource})
	_ = informer.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		if permanent(err) {
			select {
			case errs <- fmt.Errorf("watch %s: %w", src.Resource, err):
			default:
			}
			stop()
		}
	})
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerDetailedFuncs{
		AddFunc: func(obj interface{}, isInInitialList bool) {
			if !isInInitialList {
				send(watch.Event{Type: watch.Added, Object: obj.(runtime.Object)})
			}
		},
		UpdateFunc: func(_, obj interface{}) {
			send(watch.Event{Type: watch.Modified, Object: obj.(runtime.Object)})
		},
		DeleteFunc: func(obj interface{}) {
			if gone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = gone.Obj // deleted during a gap: its last version known
			}
			send(watch.Event{Type: watch.Deleted, Object: obj.(runtime.Object)})
		},
	})
	goCounted(running, func() { informer.RunWithContext(ctx) })
	return events, errs
}

// permanent tells an error that trying again will not get over. The rest
// (a dropped connection, a restarting API server, 410 Gone) the informer
// gets over by itself.
func permanent(err error) bool {
	return apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) || apierrors.IsNotFound(err) ||
		apierrors.IsBadRequest(err) || apierrors.IsInvalid(err) || apierrors.IsMethodNotSupported(err)
}

// listerWatcher serves the list already read to the informer's first list,
// and lists for real after that.
type listerWatcher struct {
	mu     sync.Mutex
	listed runtime.Object
	list   ListFunc
	watch  WatchFunc
}

func (l *listerWatcher) ListWithContext(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
	l.mu.Lock()
	listed := l.listed
	l.listed = nil
	l.mu.Unlock()
	if listed != nil {
		return listed, nil
	}
	return l.list(ctx, opts)
}

func (l *listerWatcher) WatchWithContext(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
	return l.watch(ctx, opts)
}

func (l *listerWatcher) List(opts metav1.ListOptions) (runtime.Object, error) {
	return l.ListWithContext(context.Background(), opts)
}

func (l *listerWatcher) Watch(opts metav1.ListOptions) (watch.Interface, error) {
	return l.WatchWithContext(context.Background(), opts)
}

// IsWatchListSemanticsUnSupported keeps the informer on list and watch: a
// watch-list stream would read again, from the API server, the list
// already read.
func (l *listerWatcher) IsWatchListSemanticsUnSupported() bool { return true }

// Narrow gives the list and the watch of a client narrowed to the field and
// label selectors of sel.
func Narrow[L runtime.Object](list func(context.Context, metav1.ListOptions) (L, error), watchFn WatchFunc, sel metav1.ListOptions) (ListFunc, WatchFunc) {
	narrow := func(opts metav1.ListOptions) metav1.ListOptions {
		opts.FieldSelector, opts.LabelSelector = sel.FieldSelector, sel.LabelSelector
		return opts
	}
	return func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			return list(ctx, narrow(opts))
		}, func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			return watchFn(ctx, narrow(opts))
		}
}
