//go:build e2e

package e2e

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// place's central promise on the operator's real controller, at each
// version: a RUNNING application is not changed without --restart, and with
// it the controller kills the driver and submits the application again, whose
// new pods carry the new placement and land where it says.
func TestLifecyclePlaceRunningApplication(t *testing.T) {
	for _, version := range operatorVersions {
		t.Run(version.name, func(t *testing.T) {
			lc := lifecycleCluster(t, version)
			ns := lc.newNamespace(t)
			lc.createApp(t, ns, sparkPiManifest(t, "spark-pi", 2))
			lc.deleteAppWhenDone(t, ns, "spark-pi")
			first, pods := lc.runningPods(t, ns, "spark-pi", "")
			for _, p := range pods.all() {
				if !lc.isECS(p.Spec.NodeName) {
					t.Fatalf("before place, %s runs on %q, not on ECS", p.Name, p.Spec.NodeName)
				}
			}

			// Without --restart: refused, and the controller sees no change.
			stdout, stderr, code := runKubectl(t, lc.kubeconfig, "spark-eci", "place", "-n", ns, "spark-pi", "--executors=eci")
			if code == 0 || stdout != "" || !strings.Contains(stderr, "refusing to change active applications without --restart") ||
				!strings.Contains(stderr, "state RUNNING: the operator will kill the driver and executors and submit the application again") {
				t.Fatalf("place without --restart: exit %d, %q, %q", code, stdout, stderr)
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
			for _, p := range pods2.Executors {
				if !lc.isECI(p.Spec.NodeName) {
					t.Errorf("new executor %s runs on %q, not on ECI: %s", p.Name, p.Spec.NodeName, schedulingMessage(p))
				}
			}
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
