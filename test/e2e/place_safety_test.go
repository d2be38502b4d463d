//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/retry"
)

// Rule 5: the operator resubmits an application whose spec changes, so place
// refuses active ones without --restart and says what the operator will do.
func TestPlaceRefusesActiveApplicationsWithoutRestart(t *testing.T) {
	ns := newNamespace(t)
	for _, state := range []string{"RUNNING", "SUBMITTED", "PENDING_RERUN", "SUCCEEDING"} {
		t.Run(state, func(t *testing.T) {
			name := "app-" + strings.ToLower(strings.ReplaceAll(state, "_", "-"))
			createSeedApp(t, ns, name)
			setAppState(t, ns, name, state)
			before := field(t, getApp(t, ns, name).Object, "spec")

			stdout, stderr, code := runPlugin(t, "place", "-n", ns, name, "--executors=eci")
			if code == 0 || stdout != "" {
				t.Fatalf("exit %d, stdout %q: want a refusal", code, stdout)
			}
			if !strings.HasPrefix(stderr, "error: refusing to change an active application without --restart") ||
				!strings.Contains(stderr, name+": state "+state+": the operator will kill the driver and executors") ||
				strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr = %q", stderr)
			}
			if after := field(t, getApp(t, ns, name).Object, "spec"); after != before {
				t.Errorf("spec changed despite the refusal")
			}

			stdout, stderr = mustPlace(t, ns, name, "--executors=eci", "--restart")
			if !strings.Contains(stderr, name+": state "+state+": the operator will kill the driver and executors and submit the application again") {
				t.Errorf("stderr = %q, want the consequence spelled out", stderr)
			}
			if !strings.Contains(stdout, "placed (driver: ecs, executors: eci)") {
				t.Errorf("stdout = %q", stdout)
			}
		})
	}
}

func TestPlaceSaysWhatTheOperatorWillDo(t *testing.T) {
	ns := newNamespace(t)
	createSeedApp(t, ns, "done")
	setAppState(t, ns, "done", "COMPLETED")
	createSeedApp(t, ns, "fresh")
	createFromYAML(t, ns, scheduledManifest)

	_, stderr := mustPlace(t, ns, "done", "--executors=eci")
	if !strings.Contains(stderr, "done: state COMPLETED: the operator will submit the application again with this placement") {
		t.Errorf("completed: stderr = %q", stderr)
	}
	_, stderr = mustPlace(t, ns, "fresh", "--executors=eci")
	if !strings.Contains(stderr, "fresh: not submitted yet") {
		t.Errorf("new: stderr = %q", stderr)
	}
	stdout, stderr := mustPlace(t, ns, "scheduledsparkapplication/nightly", "--preset=driver-on-ecs")
	if !strings.Contains(stderr, "nightly: applies to future runs") ||
		stdout != "scheduledsparkapplication.sparkoperator.k8s.io/nightly placed (driver: ecs, executors: eci)\n" {
		t.Errorf("scheduled: stdout %q, stderr %q", stdout, stderr)
	}
	nightly := getObject(t, scheduledSparkAppGVR, ns, "nightly").Object
	if got := field(t, nightly, "spec", "template", "executor", "tolerations"); !strings.Contains(got, "virtual-kubelet.io/provider") {
		t.Errorf("spec.template.executor.tolerations = %s", got)
	}
	if _, found, _ := unstructured.NestedFieldNoCopy(nightly, "spec", "executor"); found {
		t.Error("wrote spec.executor into a ScheduledSparkApplication")
	}
}

const scheduledManifest = `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: ScheduledSparkApplication
metadata: {name: nightly}
spec:
  schedule: "@daily"
  concurrencyPolicy: Forbid
  template:
    type: Scala
    mode: cluster
    image: spark:3.5.2
    mainClass: org.apache.spark.examples.SparkPi
    mainApplicationFile: local:///opt/spark/examples/jars/spark-examples_2.12-3.5.2.jar
    sparkVersion: 3.5.2
    driver: {cores: 1, memory: 512m}
    executor: {instances: 2, cores: 1, memory: 512m}
`

// Rule 4: no lost updates. Writers keep changing the executor's tolerations
// (the very list place rewrites) and the labels while place toggles the
// executors between targets. Every version of the object is watched: a write
// computed from a stale read would show as a writer's value going backwards.
func TestPlaceLosesNoConcurrentUpdate(t *testing.T) {
	ns := newNamespace(t)
	created := createSeedApp(t, ns, "spark-pi")
	apps := cluster.dyn.Resource(sparkAppGVR).Namespace(ns)

	watcher, err := apps.Watch(t.Context(), metav1.ListOptions{
		FieldSelector:   "metadata.name=spark-pi",
		ResourceVersion: created.GetResourceVersion(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Stop()
	versions := make(chan *unstructured.Unstructured, 10000)
	go func() {
		defer close(versions)
		for ev := range watcher.ResultChan() {
			if obj, ok := ev.Object.(*unstructured.Unstructured); ok {
				versions <- obj
			}
		}
	}()

	const writers, toggles = 3, 12
	var wg sync.WaitGroup
	placeDone := make(chan struct{})
	errs := make(chan error, writers+1)
	lastWritten := make([]int, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			key := fmt.Sprintf("writer-%d", w)
			for round := 1; ; round++ {
				select {
				case <-placeDone:
					return
				default:
				}
				err := retry.RetryOnConflict(retry.DefaultBackoff, func() error {
					return writeRound(t, apps, key, round)
				})
				switch {
				case err == nil:
					lastWritten[w] = round
				case !apierrors.IsConflict(err):
					errs <- fmt.Errorf("%s round %d: %w", key, round, err)
					return
				}
				time.Sleep(time.Duration(40+20*w) * time.Millisecond) // busy, not hot-looping

			}
		}(w)
	}
	go func() {
		defer close(placeDone)
		for i := 0; i < toggles; i++ {
			target := []string{"eci", "ecs-first", "eci-first", "ecs"}[i%4]
			if _, stderr, code := runPlugin(t, "place", "-n", ns, "spark-pi", "--executors="+target); code != 0 {
				errs <- fmt.Errorf("place --executors=%s: %s", target, stderr)
				return
			}
		}
		if _, stderr, code := runPlugin(t, "place", "-n", ns, "spark-pi", "--executors=eci"); code != 0 {
			errs <- fmt.Errorf("final place: %s", stderr)
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	final := getApp(t, ns, "spark-pi")
	watcher.Stop()
	seen := map[string]int{}
	count := 0
	for obj := range versions {
		count++
		values := writerValues(obj)
		for key, last := range seen {
			if values[key] < last {
				t.Errorf("version %s: %s went back from round %d to %d: a write from a stale read", obj.GetResourceVersion(), key, last, values[key])
			}
		}
		for key, v := range values {
			seen[key] = v
		}
	}
	if count < toggles+writers {
		t.Errorf("watched only %d versions", count)
	}
	values := writerValues(final)
	for w := 0; w < writers; w++ {
		key := fmt.Sprintf("writer-%d", w)
		if values[key] != lastWritten[w] || final.GetLabels()[key] != fmt.Sprint(lastWritten[w]) {
			t.Errorf("%s: last write (round %d) lost: toleration %d, label %q", key, lastWritten[w], values[key], final.GetLabels()[key])
		}
	}
	tolerations := field(t, final.Object, "spec", "executor", "tolerations")
	if strings.Count(tolerations, "virtual-kubelet.io/provider") != 1 {
		t.Errorf("want exactly one ECI toleration after the final place: %s", tolerations)
	}
	if got := field(t, final.Object, "spec", "executor", "affinity"); !strings.Contains(got, `"operator":"In"`) {
		t.Errorf("final placement lost: affinity %s", got)
	}
}

// writeRound sets writer key's toleration and label to round, through a
// plain read-modify-update as any controller would.
func writeRound(t *testing.T, apps dynamic.ResourceInterface, key string, round int) error {
	app, err := apps.Get(t.Context(), "spark-pi", metav1.GetOptions{})
	if err != nil {
		return err
	}
	tolerations, _, _ := unstructured.NestedSlice(app.Object, "spec", "executor", "tolerations")
	kept := []interface{}{}
	for _, tol := range tolerations {
		if tol.(map[string]interface{})["key"] != key {
			kept = append(kept, tol)
		}
	}
	kept = append(kept, map[string]interface{}{"key": key, "operator": "Equal", "value": fmt.Sprint(round), "effect": "NoSchedule"})
	if err := unstructured.SetNestedSlice(app.Object, kept, "spec", "executor", "tolerations"); err != nil {
		return err
	}
	labels := app.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[key] = fmt.Sprint(round)
	app.SetLabels(labels)
	_, err = apps.Update(t.Context(), app, metav1.UpdateOptions{})
	return err
}

// writerValues reads each writer's round from its toleration.
func writerValues(app *unstructured.Unstructured) map[string]int {
	values := map[string]int{}
	tolerations, _, _ := unstructured.NestedSlice(app.Object, "spec", "executor", "tolerations")
	for _, item := range tolerations {
		tol := item.(map[string]interface{})
		key, _ := tol["key"].(string)
		if strings.HasPrefix(key, "writer-") {
			var round int
			fmt.Sscan(fmt.Sprint(tol["value"]), &round)
			values[key] = round
		}
	}
	return values
}
