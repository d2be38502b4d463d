package cmd

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/spark-eci/kubectl-spark-eci/pkg/ending"
	"github.com/spark-eci/kubectl-spark-eci/pkg/follow"
	"github.com/spark-eci/kubectl-spark-eci/pkg/podplacement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// watch prints the status, then, in a table, each pod again as it changes
// (and an application's header line when its state or placement changes),
// until every expected pod has a node or its application has ended. With
// -o json|yaml it prints the status once, at the end. Every stream resumes
// after a dropped connection (package follow); what changed is worked out by
// podplacement.Watch.
func (o *StatusOptions) watch(ctx context.Context, s *statusState, status podplacement.Status) error {
	w := podplacement.NewWatch(s.cluster, status)
	table := o.Output == "" || o.Output == "wide"
	if table {
		if err := podplacement.WriteTable(o.Out, status, o.tableOptions()); err != nil {
			return err
		}
	}
	if w.Settled() {
		return o.finishWatch(w)
	}

	wait := ending.StartWait(ctx, o.Timeout) // 0: no timeout
	defer wait.Stop()
	followers := follow.NewGroup(wait.Context())
	defer followers.Stop()
	scope := o.scope()
	pods, podErrs := followPods(followers, o.client, scope, o.podSelector(), s.pods, s.versions.pods)
	events, eventErrs := followEvents(followers, o.client, scope, podEventSelector, s.versions.events)
	apps, appErrs := o.followApps(followers, s)

	separated := false
	for {
		var u podplacement.Update
		changed := false
		var err error
		select {
		case <-wait.Done():
			return o.watchEnded(w, wait)
		case err = <-podErrs:
		case err = <-eventErrs:
		case err = <-appErrs:
		case ev := <-pods:
			if pod, ok := ev.Object.(*corev1.Pod); ok {
				u, changed = w.PutPod(pod, ev.Type == watch.Deleted)
			}
		case ev := <-events:
			if e, ok := ev.Object.(*corev1.Event); ok && ev.Type != watch.Deleted {
				u, changed = w.PutEvent(e)
			}
		case ev := <-apps:
			app, ok := ev.Object.(*unstructured.Unstructured)
			switch {
			case !ok:
			case ev.Type != watch.Deleted:
				u, changed = w.PutApp(app)
			case w.DeleteApp(sparkapp.Key(app.GetKind(), app.GetNamespace(), app.GetName())):
				// One deleted takes its pods with it: nothing is left to
				// wait for of it.
				fmt.Fprintf(o.ErrOut, "%s/%s: deleted\n", app.GetNamespace(), app.GetName())
			}
		}
		if err != nil {
			if wait.Over() {
				return o.watchEnded(w, wait) // the watch ended with the wait
			}
			return explainError(o.ConfigFlags, err)
		}
		if changed {
			if err := o.printUpdate(u, table, &separated); err != nil {
				return err
			}
		}
		if w.Settled() {
			return o.finishWatch(w)
		}
	}
}

// printUpdate says on stderr when a new submission came and, in a table,
// prints an application's header line when it changed and the rows of the
// pods that did. The first change printed is set apart by an empty line from
// the status printed first, which may end with the roles block.
func (o *StatusOptions) printUpdate(u podplacement.Update, table bool, separated *bool) error {
	if u.NewSubmission != "" {
		hidden := ""
		if !o.AllSubmissions {
			hidden = "; the pods of the one before are no longer shown"
		}
		fmt.Fprintf(o.ErrOut, "%s: new submission %s%s\n", u.Key, u.NewSubmission, hidden)
	}
	if !table || u.Header == "" && len(u.Rows) == 0 {
		return nil
	}
	if !*separated {
		*separated = true
		if err := writeLine(o.Out, ""); err != nil {
			return err
		}
	}
	if u.Header != "" {
		if err := writeLine(o.Out, u.Header); err != nil {
			return err
		}
	}
	if len(u.Rows) == 0 {
		return nil
	}
	return podplacement.WriteRows(o.Out, u.Rows, o.tableOptions())
}

// finishWatch prints the final status when it was not printed as it went.
// When every application shown was deleted, there was nothing to wait for.
func (o *StatusOptions) finishWatch(w *podplacement.Watch) error {
	status := w.Status()
	if o.Output == "json" || o.Output == "yaml" {
		if err := o.print(status); err != nil {
			return err
		}
	}
	if len(status.Applications) == 0 {
		return errors.New("every application shown was deleted")
	}
	if o.Output != "json" && o.Output != "yaml" {
		fmt.Fprintln(o.ErrOut, "Every expected pod has a node.")
	}
	return nil
}

// watchEnded prints what is known when the watch was cut short, by
// --timeout or a signal, and says which, naming the applications still
// waiting for pods to be placed.
func (o *StatusOptions) watchEnded(w *podplacement.Watch, wait *ending.Wait) error {
	ended := wait.Ended("pods to be placed: " + joinNames(w.Waiting()))
	if o.Output == "json" || o.Output == "yaml" {
		if err := o.print(w.Status()); err != nil {
			return err
		}
	}
	return ended
}

// followApps follows the applications shown, each kind from the list it
// was read in, on one stream.
func (o *StatusOptions) followApps(g *follow.Group, s *statusState) (<-chan watch.Event, <-chan error) {
	events := make(chan watch.Event)
	errs := make(chan error, len(s.versions.apps))
	for _, l := range s.versions.apps {
		resource := sparkType(l.kind).resource
		apps := o.dyn.Resource(resource).Namespace(o.scope())
		list, watchFn := follow.Narrow(apps.List, apps.Watch, o.appListOptions())
		listed := &unstructured.UnstructuredList{Object: map[string]interface{}{}}
		listed.SetResourceVersion(l.version)
		for _, key := range s.cluster.Keys() {
			if app := s.cluster.App(key); app.GetKind() == l.kind {
				listed.Items = append(listed.Items, *app)
			}
		}
		kindEvents, kindErrs := g.Start(follow.Source{Resource: resource.Resource, Listed: listed, Object: &unstructured.Unstructured{}, List: list, Watch: watchFn})
		g.Go(func(ctx context.Context) {
			for {
				select {
				case ev, ok := <-kindEvents:
					if !ok {
						return
					}
					select {
					case events <- ev:
					case <-ctx.Done():
						return
					}
				case err := <-kindErrs:
					errs <- err
					return
				case <-ctx.Done():
					return
				}
			}
		})
	}
	return events, errs
}
