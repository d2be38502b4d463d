package cmd

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/spark-eci/kubectl-spark-eci/pkg/imagepull"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// watchReport prints a row for each selected pod as its pulls complete, following
// new pods (executors come and go) and their events with informers (package follow) from
// the versions they were listed at, until interrupted or --timeout. Then it
// prints the summary of every pod it saw.
func (o *CacheReportOptions) watchReport(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	pods, podsVersion, err := o.listPods(ctx)
	if err != nil {
		return explainError(o.ConfigFlags, err)
	}
	namespace, selector := o.podScope()
	store := &podEventStore{byPod: map[types.UID][]corev1.Event{}, where: map[types.UID]int{}}
	eventSelector := fields.Set{"involvedObject.kind": "Pod"}
	eventsVersion, err := o.eachEvent(ctx, namespace, eventSelector, func(e *corev1.Event) { store.put(e) })
	if err != nil {
		return explainError(o.ConfigFlags, err)
	}
	isECI := o.eciNodes(ctx)

	podEvents, podErrs := followPods(ctx, o.client, namespace, selector, pods, podsVersion)
	events, eventErrs := followEvents(ctx, o.client, namespace, eventSelector.AsSelector().String(), eventsVersion)

	f := &follower{o: o, store: store, isECI: isECI, pods: map[types.UID]*corev1.Pod{}, printed: map[types.UID]bool{}}
	for i := range pods {
		f.track(&pods[i])
	}
	f.submissions = sparkapp.CurrentSubmissions(maps.Values(f.pods))
	if err := f.printCompleted(); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return f.finish()
		case err := <-podErrs:
			return err
		case err := <-eventErrs:
			return err
		case ev := <-podEvents:
			if pod, ok := ev.Object.(*corev1.Pod); ok {
				f.track(pod)
				if ev.Type == watch.Deleted {
					f.gone(pod.UID)
				}
			}
		case ev := <-events:
			if e, ok := ev.Object.(*corev1.Event); ok && ev.Type != watch.Deleted && imagepull.Relevant(e) {
				store.put(e)
			}
		}
		if err := f.printCompleted(); err != nil {
			return err
		}
	}
}

// follower remembers the pods seen, which of them are printed, and the
// current submission of each application: it reports the pods of that
// submission only, unless --all-submissions.
type follower struct {
	o           *CacheReportOptions
	store       *podEventStore
	isECI       func(string) bool
	pods        map[types.UID]*corev1.Pod
	order       []types.UID
	printed     map[types.UID]bool
	header      bool
	submissions sparkapp.Submissions
}

func (f *follower) track(pod *corev1.Pod) {
	if _, ok := f.pods[pod.UID]; !ok {
		f.order = append(f.order, pod.UID)
	}
	f.pods[pod.UID] = pod.DeepCopy()
}

// gone marks a deleted pod as being deleted, if its last version did not
// say so: it no longer tells its application's current submission.
func (f *follower) gone(uid types.UID) {
	if pod := f.pods[uid]; pod.DeletionTimestamp == nil {
		now := metav1.Now()
		pod.DeletionTimestamp = &now
	}
}

// followSubmissions reads each application's current submission again and
// says on stderr which applications have a new one.
func (f *follower) followSubmissions() {
	current := sparkapp.CurrentSubmissions(maps.Values(f.pods))
	changed := current.Changed(f.submissions)
	slices.Sort(changed)
	for _, key := range changed {
		what := "reporting its pods; the summary leaves out the submission before"
		if f.o.AllSubmissions {
			what = "reporting its pods beside those of the submission before"
		}
		fmt.Fprintf(f.o.ErrOut, "%s: new submission %s: %s\n", key, current[key], what)
	}
	f.submissions = current
}

// reported tells whether a pod is of those the report is about.
func (f *follower) reported(uid types.UID) bool {
	return f.o.AllSubmissions || f.submissions.Has(f.pods[uid])
}

func (f *follower) report(uid types.UID) imagepull.PodReport {
	return imagepull.BuildPodReport(f.pods[uid], f.store.of(uid), f.isECI)
}

// printCompleted prints a row for each pod whose pulls completed since the
// last call; the first row carries the header.
func (f *follower) printCompleted() error {
	f.followSubmissions()
	for _, uid := range f.order {
		if f.printed[uid] || !f.reported(uid) {
			continue
		}
		r := f.report(uid)
		if !r.Done() {
			continue
		}
		if err := imagepull.WriteTable(f.o.Out, imagepull.NewReport([]imagepull.PodReport{r}), f.header || f.o.NoHeaders); err != nil {
			return err
		}
		f.header, f.printed[uid] = true, true
	}
	return nil
}

// finish names the pods still pulling and prints the summary of all.
func (f *follower) finish() error {
	var reports []imagepull.PodReport
	var pending []string
	for _, uid := range f.order {
		if !f.reported(uid) {
			continue
		}
		r := f.report(uid)
		reports = append(reports, r)
		if !f.printed[uid] {
			pending = append(pending, r.Name)
		}
	}
	if len(pending) > 0 {
		fmt.Fprintf(f.o.ErrOut, "still pulling: %s\n", joinNames(pending))
	}
	if len(reports) == 0 {
		return errors.New("no pods came")
	}
	report := imagepull.NewReport(reports)
	if !f.o.NoHeaders {
		imagepull.WriteSummary(f.o.Out, report.Summary)
	}
	if f.o.FailOnMiss && report.Summary.Misses > 0 {
		return fmt.Errorf("%d of %d pods missed the ECI image cache", report.Summary.Misses, report.Summary.Pods)
	}
	return nil
}
