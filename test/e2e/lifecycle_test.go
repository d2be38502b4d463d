//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/spark-eci/kubectl-spark-eci/test/sparksubmit"
)

// place's central promise on the operator's real controller, at each
// version: a RUNNING application is not changed without --restart, and with
// it the controller kills the driver and submits the application again, whose
// new pods carry the new placement and land where it says.
func TestLifecyclePlaceRunningApplication(t *testing.T) {
	for _, version := range operatorVersions {
		t.Run(version.name, func(t *testing.T) {
			t.Parallel() // each version has its own cluster
			lc, ns, first, pods := runningSparkPi(t, version)
			for _, p := range pods.all() {
				if !lc.isECS(p.Spec.NodeName) {
					t.Fatalf("before place, %s runs on %q, not on ECS", p.Name, p.Spec.NodeName)
				}
			}

			// Without --restart: refused, and the controller sees no change.
			before := lc.appGeneration(t, ns, "spark-pi")
			stdout, stderr, code := runKubectl(t, lc.kubeconfig, "spark-eci", "place", "-n", ns, "spark-pi", "--executors=eci")
			if code == 0 || stdout != "" || !strings.Contains(stderr, "refusing to change an active application without --restart") ||
				!strings.Contains(stderr, "state RUNNING: the operator will kill the driver and executors and submit the application again") {
				t.Fatalf("place without --restart: exit %d, %q, %q", code, stdout, stderr)
			}
			if g := lc.appGeneration(t, ns, "spark-pi"); g != before {
				t.Errorf("a refused place wrote the application's spec: generation %d, was %d", g, before)
			}
			if state, id := lc.appState(t, ns, "spark-pi"); state != "RUNNING" || id != first {
				t.Errorf("after a refused place: state %s, submission %s, want RUNNING, %s", state, id, first)
			}
			if got, err := lc.client.CoreV1().Pods(ns).Get(t.Context(), pods.Driver.Name, metav1.GetOptions{}); err != nil || got.UID != pods.Driver.UID {
				t.Errorf("after a refused place the driver is not the same pod: %v", err)
			}

			// With --restart: what place says is what the controller does.
			stdout, stderr, code = runKubectl(t, lc.kubeconfig, "spark-eci", "place", "-n", ns, "spark-pi", "--executors=eci", "--restart")
			if code != 0 || !strings.Contains(stderr, "spark-pi: state RUNNING: the operator will kill the driver and executors and submit the application again with this placement") {
				t.Fatalf("place --restart: exit %d, %q, %q", code, stdout, stderr)
			}
			second, pods2 := lc.runningPods(t, ns, "spark-pi", first)
			if pods2.Driver.UID == pods.Driver.UID {
				t.Error("the controller did not replace the driver")
			}
			if !lc.isECS(pods2.Driver.Spec.NodeName) {
				t.Errorf("the new driver, which place left alone, runs on %q", pods2.Driver.Spec.NodeName)
			}
			lc.executorsOnECI(t, pods2, "the new submission")
			// The old submission's pods are gone.
			list, err := lc.client.CoreV1().Pods(ns).List(t.Context(), metav1.ListOptions{LabelSelector: "sparkoperator.k8s.io/submission-id=" + first})
			if err != nil {
				t.Fatal(err)
			}
			if names := podNamesOf(list.Items); len(names) > 0 {
				t.Errorf("pods of the first submission %s remain: %v (the second is %s)", first, names, second)
			}
		})
	}
}

func podNamesOf(pods []corev1.Pod) []string {
	var names []string
	for _, p := range pods {
		names = append(names, p.Name)
	}
	slices.Sort(names)
	return names
}

// An application that ended, COMPLETED or FAILED, needs no --restart: place
// says the operator will run it again, and the controller does, with the new
// placement.
func TestLifecyclePlaceEndedApplication(t *testing.T) {
	for _, version := range operatorVersions {
		t.Run(version.name, func(t *testing.T) {
			// Each version has its own cluster; within one, an application at
			// a time, as its ECS nodes hold one.
			t.Parallel()
			for _, end := range []struct {
				state    string
				exitCode int32
			}{{"COMPLETED", 0}, {"FAILED", 1}} {
				t.Run(end.state, func(t *testing.T) {
					lc, ns, first, pods := runningSparkPi(t, version)
					lc.endDriver(t, pods.Driver, end.exitCode)
					lc.waitForState(t, ns, "spark-pi", end.state)

					stdout, stderr, code := runKubectl(t, lc.kubeconfig, "spark-eci", "place", "-n", ns, "spark-pi", "--executors=eci")
					want := "spark-pi: state " + end.state + ": the operator will submit the application again with this placement"
					if code != 0 || !strings.Contains(stderr, want) {
						t.Fatalf("place: exit %d, %q, %q, want %q", code, stdout, stderr, want)
					}
					_, again := lc.runningPods(t, ns, "spark-pi", first)
					lc.executorsOnECI(t, again, "the new run")
				})
			}
		})
	}
}

// Suspend (operator v2.4 and later): a SUSPENDED application that place
// changes stays suspended, and runs with the new placement once resumed.
func TestLifecyclePlaceSuspendedApplication(t *testing.T) {
	t.Parallel() // beside TestLifecyclePartialRestart, each on a cluster of its own
	version := operatorVersions[len(operatorVersions)-1]
	lc, ns, first, _ := runningSparkPi(t, version)
	suspend := func(on bool) {
		t.Helper()
		patch := fmt.Sprintf(`{"spec":{"suspend":%t}}`, on)
		if _, err := lc.dyn.Resource(sparkAppGVR).Namespace(ns).Patch(t.Context(), "spark-pi", types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	suspend(true)
	lc.waitForState(t, ns, "spark-pi", "SUSPENDED")

	stdout, stderr, code := runKubectl(t, lc.kubeconfig, "spark-eci", "place", "-n", ns, "spark-pi", "--executors=eci")
	if code != 0 || !strings.Contains(stderr, "spark-pi: state SUSPENDED: the application stays suspended; once resumed (spec.suspend: false) the operator submits it with this placement") {
		t.Fatalf("place: exit %d, %q, %q", code, stdout, stderr)
	}
	// It stays suspended: the controller's invalidation turns back into a
	// suspension, and no driver comes.
	suspended := []string{"INVALIDATING", "SUSPENDING", "SUSPENDED"}
	holdsFor(t, 5*time.Second, func(ctx context.Context) error {
		state, _ := lc.appState(t, ns, "spark-pi")
		list, err := lc.client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "spark-role=driver"})
		if err != nil {
			return err
		}
		if !slices.Contains(suspended, state) || len(list.Items) > 0 {
			return fmt.Errorf("after place the application is %s with %d drivers, want it suspended", state, len(list.Items))
		}
		return nil
	})
	lc.waitForState(t, ns, "spark-pi", "SUSPENDED")

	suspend(false)
	_, resumed := lc.runningPods(t, ns, "spark-pi", first)
	lc.executorsOnECI(t, resumed, "the resumed application")
}

// v2.5.2 with its PartialRestart gate on: a change of the executors'
// placement alone does not restart a RUNNING application, and place, which
// reads the gate from the controller's Deployment, lets it through without
// --restart. Running executors stay where they are; an executor created
// afterwards gets the new placement. Annotations and the driver still
// restart, and place still asks for --restart there.
func TestLifecyclePartialRestart(t *testing.T) {
	t.Parallel() // beside TestLifecyclePlaceSuspendedApplication, each on a cluster of its own
	lc, ns, first, pods := runningSparkPi(t, partialRestart)

	// A user who may not read the Deployment is told about the gate.
	var role rbacv1.Role
	readRBAC(t, "role.yaml", &role)
	user := lc.addUser(t, ns, "place-user-"+ns, role.Rules)
	stdout, stderr, code := runKubectl(t, user, "spark-eci", "place", "-n", ns, "spark-pi", "--executors=eci")
	if code == 0 || !strings.Contains(stderr, "say so with --operator-feature-gates=PartialRestart=true") {
		t.Fatalf("place as a user who cannot read the operator: exit %d, %q, %q", code, stdout, stderr)
	}

	stdout, stderr, code = runKubectl(t, lc.kubeconfig, "spark-eci", "place", "-n", ns, "spark-pi", "--executors=eci")
	if code != 0 || !strings.Contains(stderr, "spark-pi: state RUNNING: under the operator's PartialRestart gate it goes on running: "+
		"running executors keep their nodes, and executors created from now on (dynamic allocation, replacements) get this placement") {
		t.Fatalf("place without --restart: exit %d, %q, %q", code, stdout, stderr)
	}
	// The controller records the change, and restarts nothing.
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		list, err := lc.client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=spark-pi,reason=SparkApplicationWebhookFieldsUpdated"})
		return err == nil && len(list.Items) > 0, err
	})
	if err != nil {
		t.Fatalf("no SparkApplicationWebhookFieldsUpdated event from the controller: %v", err)
	}
	holdsFor(t, 2*time.Second, func(ctx context.Context) error {
		if state, id := lc.appState(t, ns, "spark-pi"); state != "RUNNING" || id != first {
			return fmt.Errorf("after an executor placement change: %s, submission %s, want RUNNING, %s", state, id, first)
		}
		return podsStay(ctx, lc, pods)
	})

	// A replacement executor, as the driver creates it, lands on ECI.
	app, err := lc.dyn.Resource(sparkAppGVR).Namespace(ns).Get(t.Context(), "spark-pi", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm, err := lc.client.CoreV1().ConfigMaps(ns).Get(t.Context(), sparksubmit.ConfigMapName(pods.Driver), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	replacement, err := sparksubmit.ExecutorPod(sparksubmit.DriverConf(cm), pods.Driver, 3)
	if err != nil {
		t.Fatal(err)
	}
	lc.waitForWebhook(t, app, replacement)
	created, err := lc.client.CoreV1().Pods(ns).Create(t.Context(), replacement, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := lc.scheduled(t, created)[0]; !lc.isECI(got.Spec.NodeName) {
		t.Errorf("the replacement executor runs on %q, not on ECI: %s", got.Spec.NodeName, schedulingMessage(got))
	}

	// Annotations and the driver still restart: place asks for --restart,
	// and with it the controller submits the application again.
	for _, args := range [][]string{{"--image-cache=auto"}, {"--driver=eci"}} {
		stdout, stderr, code := runKubectl(t, lc.kubeconfig, append([]string{"spark-eci", "place", "-n", ns, "spark-pi"}, args...)...)
		if code == 0 || !strings.Contains(stderr, "state RUNNING: the operator will kill the driver and executors") {
			t.Errorf("place %v: exit %d, %q, %q", args, code, stdout, stderr)
		}
	}
	stdout, stderr, code = runKubectl(t, lc.kubeconfig, "spark-eci", "place", "-n", ns, "spark-pi", "--image-cache=auto", "--restart")
	if code != 0 || !strings.Contains(stderr, "the operator will kill the driver and executors and submit the application again") {
		t.Fatalf("place --image-cache=auto --restart: exit %d, %q, %q", code, stdout, stderr)
	}
	second, restarted := lc.runningPods(t, ns, "spark-pi", first)
	if restarted.Executors[0].Annotations["k8s.aliyun.com/eci-image-cache"] != "true" {
		t.Errorf("the resubmitted executors lack the image-cache annotation: %v", restarted.Executors[0].Annotations)
	}

	// Ended, such a change does not run it again.
	lc.endDriver(t, restarted.Driver, 0)
	lc.waitForState(t, ns, "spark-pi", "COMPLETED")
	stdout, stderr, code = runKubectl(t, lc.kubeconfig, "spark-eci", "place", "-n", ns, "spark-pi", "--executors=ecs-first")
	if code != 0 || !strings.Contains(stderr, "state COMPLETED: under the operator's PartialRestart gate this change does not run it again") {
		t.Fatalf("place on a COMPLETED application: exit %d, %q, %q", code, stdout, stderr)
	}
	holdsFor(t, 3*time.Second, func(ctx context.Context) error {
		if state, id, err := lc.readAppState(ctx, ns, "spark-pi"); err == nil && (state != "COMPLETED" || id != second) {
			return fmt.Errorf("the completed application moved: %s, submission %s", state, id)
		}
		return nil
	})
}

// A ScheduledSparkApplication: place changes its template, the run going on
// keeps its placement, and the next run the controller creates carries the
// new one.
func TestLifecyclePlaceScheduledApplication(t *testing.T) {
	for _, version := range operatorVersions {
		t.Run(version.name, func(t *testing.T) {
			t.Parallel() // each version has its own cluster
			lc := lifecycleCluster(t, version)
			ns := lc.newNamespace(t)
			scheduled := parseYAML(t, `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: ScheduledSparkApplication
metadata: {name: nightly}
spec:
  schedule: "@every 5s"
  concurrencyPolicy: Forbid
  successfulRunHistoryLimit: 1
  failedRunHistoryLimit: 1
`)
			scheduled["spec"].(map[string]interface{})["template"] = parseYAML(t, sparkPiManifest(t, "ignored", 1))["spec"]
			lc.createScheduled(t, ns, scheduled)
			run := lc.latestRun(t, ns, "nightly", "")
			_, pods := lc.runningPods(t, ns, run, "")

			stdout, stderr, code := runKubectl(t, lc.kubeconfig, "spark-eci", "place", "-n", ns, "scheduledsparkapplication/nightly", "--executors=eci")
			if code != 0 || !strings.Contains(stderr, "nightly: applies to future runs; runs already started keep their placement") {
				t.Fatalf("place: exit %d, %q, %q", code, stdout, stderr)
			}
			// The run going on is untouched.
			holdsFor(t, 2*time.Second, func(ctx context.Context) error { return podsStay(ctx, lc, pods) })
			// Once it ends, the next run has the new placement.
			lc.endDriver(t, pods.Driver, 0)
			next := lc.latestRun(t, ns, "nightly", run)
			_, nextPods := lc.runningPods(t, ns, next, "")
			lc.executorsOnECI(t, nextPods, "the next run")
		})
	}
}

// podsStay tells, with an error, when one of pods is gone or was replaced,
// or has left the ECS node it ran on.
func podsStay(ctx context.Context, lc *schedulingEnv, pods sparkPods) error {
	for _, p := range pods.all() {
		got, err := lc.client.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("pod %s: %w", p.Name, err)
		}
		if got.UID != p.UID || !lc.isECS(got.Spec.NodeName) {
			return fmt.Errorf("pod %s was replaced, or runs on %q", p.Name, got.Spec.NodeName)
		}
	}
	return nil
}
