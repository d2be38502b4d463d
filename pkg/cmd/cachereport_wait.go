package cmd

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/spark-eci/kubectl-spark-eci/pkg/imagepull"
)

// waitForPulls follows the events of pods from resourceVersion, the version
// of the list they were read from, until every pod has pulled its images (or
// failed to), or --timeout. No event is missed across a dropped connection or
// a restarted API server (package follow), and the store counts a repeated event
// once. It returns the pods as they are at the end.
func (o *CacheReportOptions) waitForPulls(ctx context.Context, pods []corev1.Pod, store *imagepull.EventStore, resourceVersion string, isECI func(string) bool) ([]corev1.Pod, error) {
	pending := stillPulling(podPointers(pods), store, isECI)
	if len(pending) == 0 {
		return pods, nil
	}
	waitCtx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	progress := startProgress(o.ErrOut)
	defer progress.stop()
	say := func() { progress.say("waiting for the image pulls of " + joinNames(podNames(pending))) }
	say()

	namespace, selector := eventScope(pods)
	events, errs := followEvents(waitCtx, o.client, namespace, selector.AsSelector().String(), resourceVersion)

	for len(pending) > 0 {
		select {
		case <-waitCtx.Done():
			progress.stop()
			fmt.Fprintf(o.ErrOut, "Warning: still waiting after %s for %s; printing what is known\n", o.Timeout, joinNames(podNames(pending)))
			return o.refreshPods(ctx, pods, store), nil
		case err := <-errs:
			return nil, err
		case ev := <-events:
			e, ok := ev.Object.(*corev1.Event)
			if ok && ev.Type != watch.Deleted && imagepull.Relevant(e) && store.Put(e) {
				// Only pods still pulling can change: the rest are done.
				pending = stillPulling(pending, store, isECI)
				say()
			}
		}
	}
	return o.refreshPods(ctx, pods, store), nil
}

// stillPulling keeps the pods whose pulls have not finished.
func stillPulling(pods []*corev1.Pod, store *imagepull.EventStore, isECI func(string) bool) []*corev1.Pod {
	var pending []*corev1.Pod
	for _, pod := range pods {
		if !imagepull.BuildPodReport(pod, store.Of(pod.UID), isECI).Done() {
			pending = append(pending, pod)
		}
	}
	return pending
}

func podPointers(pods []corev1.Pod) []*corev1.Pod {
	out := make([]*corev1.Pod, len(pods))
	for i := range pods {
		out[i] = &pods[i]
	}
	return out
}

func podNames(pods []*corev1.Pod) []string {
	names := make([]string, len(pods))
	for i, pod := range pods {
		names[i] = pod.Name
	}
	return names
}

// refreshPods reads the reported pods again, for the nodes and phases they
// have now; pods gone meanwhile keep their last known state.
func (o *CacheReportOptions) refreshPods(ctx context.Context, pods []corev1.Pod, store *imagepull.EventStore) []corev1.Pod {
	fresh, _, err := o.pods(ctx)
	if err != nil {
		return pods
	}
	byUID := map[string]corev1.Pod{}
	for _, p := range fresh {
		byUID[string(p.UID)] = p
	}
	out := make([]corev1.Pod, len(pods))
	for i, p := range pods {
		out[i] = p
		if now, ok := byUID[string(p.UID)]; ok {
			out[i] = now
		}
	}
	return out
}

// joinNames lists a few names and counts the rest.
func joinNames(names []string) string {
	if len(names) > 3 {
		return fmt.Sprintf("%s and %d more", strings.Join(names[:3], ", "), len(names)-3)
	}
	return strings.Join(names, ", ")
}
