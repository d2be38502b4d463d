package follow

import (
	"context"
	"errors"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"

	"github.com/spark-eci/kubectl-spark-eci/pkg/bulkread"
)

// Stream follows src as a stream, for a resource whose deletions do not
// matter to the follower and whose order does: events. Unlike Start, it
// keeps nothing: client-go's retry watcher resumes from the last version
// sent after a dropped connection, so what comes, comes in order. Only
// when the API server no longer has that version (410 Gone) is the
// resource listed again (a page at a time), each object sent as Added
// (the follower takes one it has as an update), and the stream goes on
// from that list. src.Listed gives the version to start from; its items
// are not sent.
func Stream(ctx context.Context, src Source) (<-chan watch.Event, <-chan error) {
	return stream(ctx, src, nil)
}

// stream is Stream, counting its goroutine in running when given.
func stream(ctx context.Context, src Source, running *sync.WaitGroup) (<-chan watch.Event, <-chan error) {
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
	version, err := meta.NewAccessor().ResourceVersion(src.Listed)
	if err != nil {
		errs <- fmt.Errorf("watch %s: %w", src.Resource, err)
		return events, errs
	}
	watchFn := cache.WatchFuncWithContext(src.Watch)
	goCounted(running, func() {
		for {
			watcher, err := watchtools.NewRetryWatcherWithContext(ctx, version, &cache.ListWatch{WatchFuncWithContext: watchFn})
			if err != nil {
				errs <- fmt.Errorf("watch %s: %w", src.Resource, err)
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
					<-watcher.Done()
					errs <- fmt.Errorf("watch %s: %w", src.Resource, err)
					return
				}
				if !send(ev) {
					watcher.Stop()
					<-watcher.Done()
					return
				}
			}
			watcher.Stop()
			<-watcher.Done()
			switch {
			case ctx.Err() != nil:
				return
			case !expired:
				errs <- fmt.Errorf("watch %s: %w", src.Resource, errors.New("the watch ended"))
				return
			}
			if version, err = relist(ctx, src, send); err != nil {
				errs <- fmt.Errorf("list %s again: %w", src.Resource, err)
				return
			}
		}
	})
	return events, errs
}

// relist lists src again, a page at a time, sends each object as Added,
// and returns the version of the list.
func relist(ctx context.Context, src Source, send func(watch.Event) bool) (string, error) {
	var version string
	p := bulkread.Pager(func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		page, err := src.List(ctx, opts)
		if err == nil && version == "" {
			version, err = meta.NewAccessor().ResourceVersion(page)
		}
		return page, err
	})
	err := p.EachListItem(ctx, metav1.ListOptions{}, func(obj runtime.Object) error {
		if !send(watch.Event{Type: watch.Added, Object: obj}) {
			return ctx.Err()
		}
		return nil
	})
	return version, err
}
