//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// An application whose driver cannot pull its image stays SUBMITTED on the
// operator's real controller (kubeflow/spark-operator#2667), which says
// nothing of why; status does.
func TestLifecycleStuckInSubmittedSaysWhy(t *testing.T) {
	for _, version := range operatorVersions {
		t.Run(version.name, func(t *testing.T) {
			t.Parallel() // each version has its own cluster
			lc := lifecycleCluster(t, version)
			ns := lc.newNamespace(t)
			image := sparkImage + unpullableTag
			lc.createApp(t, ns, sparkPiManifest(t, "spark-pi", 2, withRole("driver", "{image: '"+image+"'}")))
			lc.deleteAppWhenDone(t, ns, "spark-pi")

			var driver *corev1.Pod
			err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
				got, err := lc.client.CoreV1().Pods(ns).Get(ctx, "spark-pi-driver", metav1.GetOptions{})
				if err != nil {
					return false, nil
				}
				driver = got
				return waitingToPull(got), nil
			})
			if err != nil {
				lc.stalled(t, "waiting for the driver of %s/spark-pi to fail its pull: last seen %s", ns, podSummary(driver))
			}
			lc.waitForState(t, ns, "spark-pi", "SUBMITTED")
			holdsFor(t, 2*time.Second, func(ctx context.Context) error {
				state, _, err := lc.readAppState(ctx, ns, "spark-pi")
				if err == nil && state != "SUBMITTED" {
					err = fmt.Errorf("the operator moved it to %s", state)
				}
				return err
			})

			stdout, stderr, code := runKubectl(t, lc.kubeconfig, "spark-eci", "status", "-n", ns, "spark-pi", "-o", "json")
			if code != 0 {
				t.Fatalf("status: exit %d: %s", code, stderr)
			}
			a := statusJSON(t, stdout).Applications[0]
			want := `SUBMITTED, but the driver cannot pull its image: ImagePullBackOff: container spark-kubernetes-driver: Back-off pulling image "` + image + `"; ` +
				"check the image's name and tag, and the pull secret (spec.imagePullSecrets)"
			if a.State != "SUBMITTED" || a.Verdict != want {
				t.Errorf("state %s, verdict\n%s\nwant\n%s", a.State, a.Verdict, want)
			}
			if len(a.Pods) != 1 || a.Pods[0].Problem == nil || a.Pods[0].Problem.Reason != "ImagePullBackOff" {
				t.Errorf("pods %+v", a.Pods)
			}
			if stdout, _, _ := runKubectl(t, lc.kubeconfig, "spark-eci", "status", "-n", ns, "spark-pi"); !strings.Contains(stdout, "\nWHY "+want+"\n") {
				t.Errorf("the table has no verdict:\n%s", stdout)
			}
		})
	}
}
