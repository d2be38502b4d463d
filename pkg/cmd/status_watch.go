package cmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/spark-eci/kubectl-spark-eci/pkg/follow"
	"github.com/spark-eci/kubectl-spark-eci/pkg/podplacement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// statusWatch follows the applications, their pods and the scheduler's
// events, and prints what changes.
type statusWatch struct {
	o           *StatusOptions
	s           *statusState
	built       map[string]podplacement.Application // by application
	podApp      map[types.UID]string                // pod -> its application
	rows        map[types.UID]string                // what was last printed of each pod
	headers     map[string]string                   // what was last printed of each application
	submissions sparkapp.Submissions                // each application's current submission
	updates     bool                                // whether a change was printed yet
}

// watch prints the status, then, in a table, each pod again as it changes
// (and an application's header line when its state or placement changes),
// until every expected pod has a node or its application has ended. With
// -o json|yaml it prints the status once, at the end. Every stream resumes
// after a dropped connection (package follow).
func (o *StatusOptions) watch(ctx context.Context, s *statusState, status podplacement.Status) error {
	w := &statusWatch{o: o, s: s, built: map[string]podplacement.Application{}, podApp: map[types.UID]string{},
		rows: map[types.UID]string{}, headers: map[string]string{}, submissions: sparkapp.Submissions{}}
	for i, key := range s.order {
		w.built[key] = status.Applications[i]
		for _, p := range s.pods[key] {
			w.podApp[p.UID] = key
		}
		w.submissions[key] = w.submissionOf(key)
	}
	if o.Output == "" || o.Output == "wide" {
		if err := podplacement.WriteTable(o.Out, status, o.tableOptions()); err != nil {
			return err
		}
		for _, a := range status.Applications {
			w.headers[a.Namespace+"/"+a.Name] = podplacement.HeaderLine(a)
			for _, p := range a.Pods {
				w.rows[p.UID] = rowKey(p)
			}
		}
	}
	if w.settled() {
		return w.finish()
	}

	followCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var timeout <-chan time.Time
	if o.Timeout > 0 {
		timer := time.NewTimer(o.Timeout)
		defer timer.Stop()
		timeout = timer.C
	}
	scope := o.scope()
	pods, podErrs := followPods(followCtx, o.client, scope, o.podSelector(), s.shownPods(), s.versions.pods)
	events, eventErrs := followEvents(followCtx, o.client, scope, failedSchedulingSelector, s.versions.events)
	apps, appErrs := o.followApps(followCtx, s)

	for {
		var changed string
		select {
		case <-ctx.Done():
			return nil
		case <-timeout:
			return w.timedOut()
		case err := <-podErrs:
			return explainError(o.ConfigFlags, err)
		case err := <-eventErrs:
			return explainError(o.ConfigFlags, err)
		case err := <-appErrs:
			return explainError(o.ConfigFlags, err)
		case ev := <-pods:
			if pod, ok := ev.Object.(*corev1.Pod); ok {
				changed = w.putPod(pod, ev.Type == watch.Deleted)
			}
		case ev := <-events:
			if e, ok := ev.Object.(*corev1.Event); ok && ev.Type != watch.Deleted && s.failed.Put(e) {
				changed = w.podApp[e.InvolvedObject.UID]
			}
		case ev := <-apps:
			if app, ok := ev.Object.(*unstructured.Unstructured); ok {
				changed = w.putApp(app, ev.Type == watch.Deleted)
			}
		}
		if changed == "" {
			continue
		}
		if err := w.rebuild(changed); err != nil {
			return err
		}
		if w.settled() {
			return w.finish()
		}
	}
}

// putPod keeps a pod of a shown application as it is now, and returns the
// application's key, or "" when the pod is not about one.
func (w *statusWatch) putPod(pod *corev1.Pod, deleted bool) string {
	key := sparkapp.AppKey(pod)
	if w.s.apps[key] == nil {
		return ""
	}
	pods := w.s.pods[key]
	i := 0
	for i < len(pods) && pods[i].UID != pod.UID {
		i++
	}
	switch {
	case deleted && i < len(pods):
		w.s.pods[key] = append(pods[:i], pods[i+1:]...)
		delete(w.podApp, pod.UID)
		delete(w.rows, pod.UID)
	case deleted:
		return ""
	case i < len(pods):
		pods[i] = *pod
	default:
		w.s.pods[key] = append(pods, *pod)
		w.podApp[pod.UID] = key
	}
	return key
}

// putApp keeps an application as it is now. One deleted takes its pods with
// it: nothing is left to wait for.
func (w *statusWatch) putApp(app *unstructured.Unstructured, deleted bool) string {
	key := app.GetNamespace() + "/" + app.GetName()
	if deleted {
		if w.s.apps[key] == nil {
			return ""
		}
		delete(w.s.apps, key)
		delete(w.built, key)
		for i, k := range w.s.order {
			if k == key {
				w.s.order = append(w.s.order[:i], w.s.order[i+1:]...)
				break
			}
		}
		fmt.Fprintf(w.o.ErrOut, "%s: deleted\n", key)
		return ""
	}
	w.s.addApp(app)
	return key
}

// rebuild builds the status of one application again and, in a table,
// prints what changed of it.
func (w *statusWatch) rebuild(key string) error {
	if w.s.apps[key] == nil {
		return nil
	}
	if err := w.noteSubmission(key); err != nil {
		return err
	}
	a, _ := w.o.buildApp(w.s, key)
	w.built[key] = a
	if w.o.Output != "" && w.o.Output != "wide" {
		return nil
	}
	header := podplacement.HeaderLine(a)
	var changed []podplacement.Pod
	for _, p := range a.Pods {
		if row := rowKey(p); w.rows[p.UID] != row {
			w.rows[p.UID] = row
			changed = append(changed, p)
		}
	}
	if w.headers[key] == header && len(changed) == 0 {
		return nil
	}
	// An empty line sets the changes apart from the status printed first,
	// which may end with the roles block.
	if !w.updates {
		w.updates = true
		if err := writeLine(w.o.Out, ""); err != nil {
			return err
		}
	}
	if w.headers[key] != header {
		w.headers[key] = header
		if err := writeLine(w.o.Out, header); err != nil {
			return err
		}
	}
	if len(changed) == 0 {
		return nil
	}
	return podplacement.WriteRows(w.o.Out, changed, w.o.tableOptions())
}

// noteSubmission keeps the current submission of an application and, when a
// new one took its place, says so on stderr: status shows the new pods, and
// those of the one before go from view.
func (w *statusWatch) noteSubmission(key string) error {
	id, was := w.submissionOf(key), w.submissions[key]
	if id == "" || id == was {
		return nil
	}
	w.submissions[key] = id
	if was == "" {
		return nil
	}
	hidden := ""
	if !w.o.AllSubmissions {
		hidden = "; the pods of the one before are no longer shown"
	}
	_, err := fmt.Fprintf(w.o.ErrOut, "%s: new submission %s%s\n", key, id, hidden)
	return err
}

func (w *statusWatch) submissionOf(key string) string {
	return sparkapp.CurrentSubmissions(sparkapp.PodsOf(w.s.pods[key]))[key]
}

// rowKey is what a pod's row shows, but its age: a pod is printed again
// when it changes.
func rowKey(p podplacement.Pod) string {
	message := ""
	if p.Scheduler != nil {
		message = p.Scheduler.Message
	}
	return strings.Join([]string{string(p.Phase), fmt.Sprint(p.Terminating), p.Node, p.NominatedNode, p.IP, p.Ready, fmt.Sprint(p.Restarts), message}, "\x00")
}

func (w *statusWatch) settled() bool {
	for _, key := range w.s.order {
		if !w.built[key].Settled {
			return false
		}
	}
	return true
}

func (w *statusWatch) current() podplacement.Status {
	apps := make([]podplacement.Application, 0, len(w.s.order))
	for _, key := range w.s.order {
		apps = append(apps, w.built[key])
	}
	return podplacement.NewStatus(apps)
}

// finish prints the final status when it was not printed as it went.
func (w *statusWatch) finish() error {
	if w.o.Output == "json" || w.o.Output == "yaml" {
		return w.o.print(w.current())
	}
	fmt.Fprintln(w.o.ErrOut, "Every expected pod has a node.")
	return nil
}

// timedOut prints what is known and names the applications still waiting.
func (w *statusWatch) timedOut() error {
	if w.o.Output == "json" || w.o.Output == "yaml" {
		if err := w.o.print(w.current()); err != nil {
			return err
		}
	}
	var waiting []string
	for _, key := range w.s.order {
		a := w.built[key]
		if a.Settled {
			continue
		}
		var missing []string
		for _, r := range a.Roles {
			if n := r.ExpectedPods - r.Scheduled; n > 0 || r.Pods > r.Scheduled {
				missing = append(missing, fmt.Sprintf("%s %d/%d with a node", r.Role, r.Scheduled, max(r.ExpectedPods, r.Pods)))
			}
		}
		waiting = append(waiting, fmt.Sprintf("%s (%s)", key, strings.Join(missing, ", ")))
	}
	return fmt.Errorf("timed out after %s waiting for pods to be placed: %s", w.o.Timeout, joinNames(waiting))
}

// shownPods are the pods of the applications shown, in one list.
func (s *statusState) shownPods() []corev1.Pod {
	var pods []corev1.Pod
	for _, key := range s.order {
		pods = append(pods, s.pods[key]...)
	}
	return pods
}

// followApps follows the applications shown, from the list they were read in.
func (o *StatusOptions) followApps(ctx context.Context, s *statusState) (<-chan watch.Event, <-chan error) {
	list, watchFn := follow.Narrow(o.apps.Namespace(o.scope()).List, o.apps.Namespace(o.scope()).Watch, o.appListOptions())
	listed := &unstructured.UnstructuredList{Object: map[string]interface{}{}}
	listed.SetResourceVersion(s.versions.apps)
	for _, key := range s.order {
		listed.Items = append(listed.Items, *s.apps[key])
	}
	return follow.Start(ctx, follow.Source{Resource: "sparkapplications", Listed: listed, Object: &unstructured.Unstructured{}, List: list, Watch: watchFn})
}
