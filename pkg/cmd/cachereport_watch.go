package cmd

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/spark-eci/kubectl-spark-eci/pkg/ending"
	"github.com/spark-eci/kubectl-spark-eci/pkg/follow"
	"github.com/spark-eci/kubectl-spark-eci/pkg/imagepull"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// watchReport prints a row for each selected pod as its pulls complete, following
// new pods (executors come and go) and their events with informers (package follow) from
// the versions they were listed at, until --timeout or an interruption. Then it
// prints the summary of every pod it saw.
func (o *CacheReportOptions) watchReport(ctx context.Context) error {
	wait := ending.StartWait(ctx, o.Timeout)
	defer wait.Stop()
	ctx = wait.Context()
	// An error of a request the wait's end cut short is that end.
	failed := func(err error) error {
		if wait.Over() {
			return wait.Ended("new " + o.podsWatched())
		}
		return explainError(o.ConfigFlags, err)
	}

	isECI := o.eciNodes(ctx)
	store := imagepull.NewEventStoreOfAll()
	f := imagepull.NewFollower(store, isECI, o.AllSubmissions)
	var known []corev1.Pod // what the pod informer starts from, and keeps up to date
	podsVersion, err := o.eachPod(ctx, func(pod *corev1.Pod) {
		f.PutPod(pod, false)
		known = append(known, *pod)
	})
	if err != nil {
		return failed(err)
	}
	namespace, selector := o.podScope()
	eventSelector := fields.Set{"involvedObject.kind": "Pod"}
	eventsVersion, err := o.eachEvent(ctx, namespace, eventSelector, func(e *corev1.Event) { f.PutEvent(e) })
	if err != nil {
		return failed(err)
	}

	followers := follow.NewGroup(ctx)
	defer followers.Stop()
	podEvents, podErrs := followPods(followers, o.client, namespace, selector, known, podsVersion)
	events, eventErrs := followEvents(followers, o.client, namespace, eventSelector.AsSelector().String(), eventsVersion)

	header := o.NoHeaders
	for {
		done, resubmitted := f.Completed()
		for _, r := range resubmitted {
			what := "reporting its pods; the summary leaves out the submission before"
			if o.AllSubmissions {
				what = "reporting its pods beside those of the submission before"
			}
			fmt.Fprintf(o.ErrOut, "%s: new submission %s: %s\n", r.App, r.ID, what)
		}
		for _, r := range done {
			if err := imagepull.WriteTable(o.Out, imagepull.NewReport([]imagepull.PodReport{r}), header); err != nil {
				return err
			}
			header = true
		}
		var err error
		select {
		case <-wait.Done():
			return o.finishWatch(f, wait)
		case err = <-podErrs:
		case err = <-eventErrs:
		case ev := <-podEvents:
			if pod, ok := ev.Object.(*corev1.Pod); ok {
				f.PutPod(pod, ev.Type == watch.Deleted)
			}
		case ev := <-events:
			if e, ok := ev.Object.(*corev1.Event); ok && ev.Type != watch.Deleted {
				f.PutEvent(e)
			}
		}
		if err != nil {
			if wait.Over() {
				return o.finishWatch(f, wait) // the watch ended with the wait
			}
			return failed(err)
		}
	}
}

// finishWatch prints the summary of every pod seen, and tells how the watch
// ended. Its --timeout is how long to watch: a watch that reaches it with
// every pod seen done is done; one with pods still pulling timed out, and
// names them. An interruption says so, and names them too.
func (o *CacheReportOptions) finishWatch(f *imagepull.Follower, wait *ending.Wait) error {
	report, pending := f.Final()
	what := "new " + o.podsWatched()
	if len(pending) > 0 {
		what = "the image pulls of " + joinNames(pending)
	}
	end := wait.Ended(what)
	var ended *ending.WaitEnded
	timedOut := errors.As(end, &ended) && ended.TimedOut()
	if len(report.Pods) == 0 {
		if timedOut {
			return fmt.Errorf("no %s came in %s", o.podsWatched(), ending.Round(ended.Waited))
		}
		return ending.Join(errors.New("no pods came"), end)
	}
	if timedOut && len(pending) == 0 {
		fmt.Fprintf(o.ErrOut, "watched for %s (--timeout); every pod seen is done\n", ending.Round(ended.Waited))
		end = nil
	}
	if !o.NoHeaders {
		imagepull.WriteSummary(o.Out, report.Summary)
	}
	return o.end(report, end)
}

// podsWatched names the pods --watch follows.
func (o *CacheReportOptions) podsWatched() string {
	switch {
	case o.appName != "" && o.kind == sparkapp.KindSparkConnect:
		return "pods of sparkconnect/" + o.appName
	case o.appName != "":
		return "pods of app/" + o.appName
	}
	return "pods matching " + o.Selector
}
