//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var signals = []syscall.Signal{syscall.SIGINT, syscall.SIGTERM}

// A command that waits, signalled in the middle of its wait, prints what it
// knew, says it was interrupted (not that it timed out) with the time it
// really waited, and exits 130 or 143: never 0, and a gate never passes.
func TestInterruptedWaits(t *testing.T) {
	for _, signal := range signals {
		name := signalName(signal)
		interrupted := func(waitingFor string) *regexp.Regexp {
			// Seconds, never the minutes of --timeout.
			return regexp.MustCompile(`^error: interrupted by ` + name + ` after [0-9.]+m?s waiting for ` + regexp.QuoteMeta(waitingFor) + `$`)
		}

		t.Run("cache-report POD --fail-on-miss/"+name, func(t *testing.T) {
			ns := newNamespace(t)
			_, eci := ensureNodes(t)
			pod := sparkPod(t, ns, "spark-pi", "spark-pi-exec-1", "executor", eci)
			at := time.Now().Truncate(time.Second)
			podEvent(t, pod, "kubelet", corev1.EventTypeNormal, "Pulling", `Pulling image "`+sparkImage+`"`, at, at, 1)

			// -v=6 logs each request as its response comes: the watch of
			// the pod's events has begun once it is logged.
			w := startKubectl(t, cluster.kubeconfig, "spark-eci", "cache-report", "-n", ns, pod.Name, "--fail-on-miss", "--timeout=5m", "-o", "json", "-v=6")
			waitForLog(t, w, `"Response"`, "/namespaces/"+ns+"/events?", "watch=true", `status="200 OK"`)
			w.interrupt(t, signal, 10*time.Second)

			lines := errorLines(w.stderr.String())
			if len(lines) != 2 || lines[0] != "error: --fail-on-miss: 1 of 1 pod undecided (still pulling: spark-pi-exec-1)" ||
				!interrupted("the image pulls of spark-pi-exec-1").MatchString(lines[1]) {
				t.Errorf("error lines %q: want the undecided pod, then the interruption", lines)
			}
			if strings.Contains(w.stderr.String(), "timed out") || strings.Contains(w.stderr.String(), "Warning") {
				t.Errorf("an interruption told as a timeout:\n%s", w.stderr.String())
			}
			report := decodeCacheReport(t, w.stdout.String())
			if len(report.Pods) != 1 || report.Pods[0].Images[0].State != "pulling" || report.Summary.Undecided != 1 {
				t.Errorf("what it knew: %+v", report)
			}
		})

		t.Run("cache-report app --watch --fail-on-miss/"+name, func(t *testing.T) {
			ns := newNamespace(t)
			ecs, eci := ensureNodes(t)
			at := time.Now().Truncate(time.Second)
			driver := sparkPod(t, ns, "spark-pi", "spark-pi-driver", "driver", ecs)
			podEvent(t, driver, "kubelet", corev1.EventTypeNormal, "Pulled", `Container image "`+sparkImage+`" already present on machine`, at, at, 1)
			exec1 := sparkPod(t, ns, "spark-pi", "spark-pi-exec-1", "executor", eci)
			podEvent(t, exec1, "kubelet", corev1.EventTypeNormal, "Pulling", `Pulling image "`+sparkImage+`"`, at, at, 1)

			w := startKubectl(t, cluster.kubeconfig, "spark-eci", "cache-report", "-n", ns, "app/spark-pi", "--watch", "--fail-on-miss", "--timeout=5m")
			waitForRows(t, w, []string{"spark-pi-driver"})
			w.interrupt(t, signal, 10*time.Second)

			lines := errorLines(w.stderr.String())
			if len(lines) != 2 || lines[0] != "error: --fail-on-miss: 1 of 2 pods undecided (still pulling: spark-pi-exec-1)" ||
				!interrupted("the image pulls of spark-pi-exec-1").MatchString(lines[1]) {
				t.Errorf("error lines %q: want the undecided pod, then the interruption", lines)
			}
			if !strings.Contains(w.stdout.String(), "Pods:          2, 1 on ECI") {
				t.Errorf("no summary of the pods seen:\n%s", w.stdout.String())
			}
		})

		t.Run("status --watch/"+name, func(t *testing.T) {
			ns := newNamespace(t)
			createSeedApp(t, ns, "spark-pi") // no controller here: its pods never come
			w := startKubectl(t, cluster.kubeconfig, "spark-eci", "status", "-n", ns, "spark-pi", "--watch", "-o", "json", "-v=6")
			waitForLog(t, w, `"Response"`, "/namespaces/"+ns+"/pods?", "watch=true", `status="200 OK"`)
			w.interrupt(t, signal, 10*time.Second)

			lines := errorLines(w.stderr.String())
			if len(lines) != 1 || !regexp.MustCompile(`^error: interrupted by `+name+` after [0-9.]+m?s waiting for pods to be placed: `+ns+`/spark-pi`).MatchString(lines[0]) {
				t.Errorf("error lines %q", lines)
			}
			if s := statusJSON(t, w.stdout.String()); len(s.Applications) != 1 || s.Applications[0].Settled {
				t.Errorf("what it knew: %+v", s.Applications)
			}
		})

		t.Run("image-cache create --wait/"+name, func(t *testing.T) {
			ensureImageCacheCRD(t)
			ns := newNamespace(t)
			createCacheApp(t, ns, "cached", sparkImage)
			cache := ns + "-wait"
			t.Cleanup(func() {
				_ = cluster.dyn.Resource(imageCacheGVR).Delete(context.Background(), cache, metav1.DeleteOptions{})
			})
			// No ECI here: the cache is never built.
			w := startKubectl(t, cluster.kubeconfig, "spark-eci", "image-cache", "create", "-n", ns, "app/cached", "--name", cache, "--wait", "-v=6")
			waitForLog(t, w, `"Response"`, "/imagecaches?", "watch=true", `status="200 OK"`)
			w.interrupt(t, signal, 10*time.Second)

			lines := errorLines(w.stderr.String())
			if len(lines) != 1 || !interrupted("image cache "+cache+" to be ready (no phase yet): see it with kubectl spark-eci image-cache list").MatchString(lines[0]) {
				t.Errorf("error lines %q", lines)
			}
		})
	}
}

// SIGINT and SIGTERM end resource-policy and image-cache create at once in
// the middle of their write, which is not applied.
func TestInterruptedWrites(t *testing.T) {
	for _, signal := range signals {
		name := signalName(signal)
		t.Run("resource-policy/"+name, func(t *testing.T) {
			ensureResourcePolicyCRD(t)
			ns := newNamespace(t)
			createSeedApp(t, ns, "spark-pi")
			args := []string{"resource-policy", "-n", ns, "spark-pi", "--ecs-max=2", "--eci-max=3"}
			slow := newSlowWebhook(t, ns, resourcePolicyGVR, admissionregistrationv1.Create, func(context.Context) error {
				return pluginProbe(t, append(args, "--dry-run=server"))
			})
			w := startKubectl(t, cluster.kubeconfig, append([]string{"spark-eci"}, args...)...)
			slow.interruptHeld(t, w, signal, "error: interrupted by "+name+": apply resourcepolicy spark-pi: patch request called off")
			holdsFor(t, 2*time.Second, func(ctx context.Context) error {
				_, err := cluster.dyn.Resource(resourcePolicyGVR).Namespace(ns).Get(ctx, "spark-pi", metav1.GetOptions{})
				if !apierrors.IsNotFound(err) {
					return fmt.Errorf("the interrupted resource-policy wrote its policy (get: %v)", err)
				}
				return nil
			})
		})

		t.Run("image-cache create/"+name, func(t *testing.T) {
			ensureImageCacheCRD(t)
			ns := newNamespace(t)
			createCacheApp(t, ns, "cached", sparkImage)
			cache := ns + "-held"
			args := []string{"image-cache", "create", "-n", ns, "app/cached", "--name", cache}
			slow := newSlowWebhook(t, ns, imageCacheGVR, admissionregistrationv1.Create, func(context.Context) error {
				return pluginProbe(t, append(args, "--dry-run=server"))
			})
			w := startKubectl(t, cluster.kubeconfig, append([]string{"spark-eci"}, args...)...)
			slow.interruptHeld(t, w, signal, "error: interrupted by "+name+": create image cache "+cache+": post request called off")
			holdsFor(t, 2*time.Second, func(ctx context.Context) error {
				_, err := cluster.dyn.Resource(imageCacheGVR).Get(ctx, cache, metav1.GetOptions{})
				if !apierrors.IsNotFound(err) {
					return fmt.Errorf("the interrupted image-cache create made its cache (get: %v)", err)
				}
				return nil
			})
		})
	}
}

// pluginProbe runs the plugin in-process (a server dry run, which the slow
// webhook answers at once), for the error it ends with.
func pluginProbe(t *testing.T, args []string) error {
	if _, stderr, code := runPlugin(t, args...); code != 0 {
		return fmt.Errorf("exit %d: %s", code, stderr)
	}
	return nil
}

// errorLines are the "error: ..." lines of a command's stderr, without the
// logs of -v.
func errorLines(stderr string) []string {
	var lines []string
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "error: ") {
			lines = append(lines, line)
		}
	}
	return lines
}

// cacheReport is what the tests read of cache-report -o json.
type cacheReport struct {
	Pods []struct {
		Name   string `json:"name"`
		Images []struct {
			State string `json:"state"`
		} `json:"images"`
	} `json:"pods"`
	Summary struct {
		Pods      int `json:"pods"`
		Misses    int `json:"misses"`
		Undecided int `json:"undecided"`
	} `json:"summary"`
}

func decodeCacheReport(t *testing.T, stdout string) cacheReport {
	t.Helper()
	var r cacheReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("cache-report -o json: %v\n%s", err, stdout)
	}
	return r
}
