package cmd

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/spark-eci/kubectl-spark-eci/pkg/imagepull"
)

// watchReport prints a row for each selected pod as its pulls complete, following
// new pods (executors come and go) and their events with informers (package follow) from
// the versions they were listed at, until interrupted or --timeout. Then it
// prints the summary of every pod it saw.
func (o *CacheReportOptions) watchReport(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	isECI := o.eciNodes(ctx)
	store := imagepull.NewEventStoreOfAll()
	f := imagepull.NewFollower(store, isECI, o.AllSubmissions)
	var known []corev1.Pod // what the pod informer starts from, and keeps up to date
	podsVersion, err := o.eachPod(ctx, func(pod *corev1.Pod) {
		f.PutPod(pod, false)
		known = append(known, *pod)
	})
	if err != nil {
		return explainError(o.ConfigFlags, err)
	}
	namespace, selector := o.podScope()
	eventSelector := fields.Set{"involvedObject.kind": "Pod"}
	eventsVersion, err := o.eachEvent(ctx, namespace, eventSelector, func(e *corev1.Event) { f.PutEvent(e) })
	if err != nil {
		return explainError(o.ConfigFlags, err)
	}

	podEvents, podErrs := followPods(ctx, o.client, namespace, selector, known, podsVersion)
	events, eventErrs := followEvents(ctx, o.client, namespace, eventSelector.AsSelector().String(), eventsVersion)

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
		select {
		case <-ctx.Done():
			return o.finishWatch(f)
		case err := <-podErrs:
			return err
		case err := <-eventErrs:
			return err
		case ev := <-podEvents:
			if pod, ok := ev.Object.(*corev1.Pod); ok {
				f.PutPod(pod, ev.Type == watch.Deleted)
			}
		case ev := <-events:
			if e, ok := ev.Object.(*corev1.Event); ok && ev.Type != watch.Deleted {
				f.PutEvent(e)
			}
		}
	}
}

// finishWatch names the pods still pulling and prints the summary of all.
func (o *CacheReportOptions) finishWatch(f *imagepull.Follower) error {
	report, pending := f.Final()
	if len(pending) > 0 {
		fmt.Fprintf(o.ErrOut, "still pulling: %s\n", joinNames(pending))
	}
	if len(report.Pods) == 0 {
		return errors.New("no pods came")
	}
	if !o.NoHeaders {
		imagepull.WriteSummary(o.Out, report.Summary)
	}
	if o.FailOnMiss && report.Summary.Misses > 0 {
		return fmt.Errorf("%d of %d pods missed the ECI image cache", report.Summary.Misses, report.Summary.Pods)
	}
	return nil
}
