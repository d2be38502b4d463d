package cmd

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/spark-eci/kubectl-spark-eci/pkg/ending"
	"github.com/spark-eci/kubectl-spark-eci/pkg/follow"
	"github.com/spark-eci/kubectl-spark-eci/pkg/imagepull"
)

// waitForPulls follows the events of pods from resourceVersion, the version
// of the list they were read from, until every pod has pulled its images (or
// failed to), --timeout, or an interruption. No event is missed across a
// dropped connection or a restarted API server (package follow), and the
// store counts a repeated event once. Each event makes again the report of
// the pod it is about, no other. It returns the pods as they are at the end,
// and, when the wait was cut short, an *ending.WaitEnded that says how and
// names the pods still pulling.
func (o *CacheReportOptions) waitForPulls(ctx context.Context, pods []imagepull.PodFacts, store *imagepull.EventStore, resourceVersion string, isECI func(string) bool) ([]imagepull.PodFacts, error) {
	pending := map[types.UID]*imagepull.PodFacts{}
	var order []types.UID // the pods pending, in the report's order
	for i := range pods {
		if !imagepull.ReportOf(&pods[i], store.Of(pods[i].UID), isECI).Done() {
			pending[pods[i].UID] = &pods[i]
			order = append(order, pods[i].UID)
		}
	}
	if len(pending) == 0 {
		return pods, nil
	}
	wait := ending.StartWait(ctx, o.Timeout)
	defer wait.Stop()
	progress := startProgress(o.ErrOut)
	defer progress.stop()
	waitingFor := func() string {
		var first []string
		for _, uid := range order {
			if p := pending[uid]; p != nil && len(first) < 3 {
				first = append(first, p.Name)
			}
		}
		return "the image pulls of " + joinFirst(first, len(pending))
	}
	progress.say("waiting for " + waitingFor())

	namespace, selector := eventScope(factsOf(pods))
	followers := follow.NewGroup(wait.Context())
	defer followers.Stop()
	events, errs := followEvents(followers, o.client, namespace, selector.AsSelector().String(), resourceVersion)
	for len(pending) > 0 {
		select {
		case <-wait.Done():
			progress.stop()
			ended := wait.Ended(waitingFor())
			return o.refreshPods(ctx, pods), ended
		case err := <-errs:
			if wait.Over() { // the watch ended with the wait
				return o.refreshPods(ctx, pods), wait.Ended(waitingFor())
			}
			return nil, err
		case ev := <-events:
			e, ok := ev.Object.(*corev1.Event)
			if !ok || ev.Type == watch.Deleted || !store.Put(e) {
				continue
			}
			uid := e.InvolvedObject.UID
			if p := pending[uid]; p != nil && imagepull.ReportOf(p, store.Of(uid), isECI).Done() {
				delete(pending, uid)
				progress.say("waiting for " + waitingFor())
			}
		}
	}
	return o.refreshPods(ctx, pods), nil
}

// refreshPods reads the reported pods again, for the nodes and phases they
// have now; pods gone meanwhile keep their last known state.
func (o *CacheReportOptions) refreshPods(ctx context.Context, pods []imagepull.PodFacts) []imagepull.PodFacts {
	if ctx.Err() != nil {
		return pods // interrupted: no more requests
	}
	fresh, _, err := o.pods(ctx)
	if err != nil {
		return pods
	}
	byUID := make(map[types.UID]*imagepull.PodFacts, len(fresh))
	for i := range fresh {
		byUID[fresh[i].UID] = &fresh[i]
	}
	for i := range pods {
		if now := byUID[pods[i].UID]; now != nil {
			pods[i] = *now
		}
	}
	return pods
}

// joinNames lists a few names and counts the rest.
func joinNames(names []string) string {
	return joinFirst(names[:min(len(names), 3)], len(names))
}

// joinFirst lists the first names of total and counts the rest.
func joinFirst(first []string, total int) string {
	if total > len(first) {
		return fmt.Sprintf("%s and %d more", strings.Join(first, ", "), total-len(first))
	}
	return strings.Join(first, ", ")
}
