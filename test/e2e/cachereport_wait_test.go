//go:build e2e

package e2e

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// firstImage decodes a one-pod JSON report and returns its first image.
func firstImage(t *testing.T, stdout string) map[string]interface{} {
	t.Helper()
	var report struct {
		Pods []struct {
			Images []map[string]interface{} `json:"images"`
		} `json:"pods"`
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil || len(report.Pods) != 1 || len(report.Pods[0].Images) == 0 {
		t.Fatalf("want a one-pod report with images (%v):\n%s", err, stdout)
	}
	return report.Pods[0].Images[0]
}

// cache-report waits for a pull in progress, counts a repeated event once,
// and prints when the pull is done.
func TestCacheReportWaitsForAPullInProgress(t *testing.T) {
	ns := newNamespace(t)
	_, eci := ensureNodes(t)
	pod := sparkPod(t, ns, "spark-pi", "spark-pi-exec-1", "executor", eci)
	start := time.Now().Truncate(time.Second)
	podEvent(t, pod, "kubelet", corev1.EventTypeNormal, "Pulling", `Pulling image "`+sparkImage+`"`, start, start, 1)

	stdout, _, code := runPlugin(t, "cache-report", "-n", ns, pod.Name, "--wait=false", "-o", "json")
	if code != 0 || firstImage(t, stdout)["state"] != "pulling" {
		t.Fatalf("--wait=false: exit %d, %s", code, stdout)
	}
	stdout, stderr, code := runPlugin(t, "cache-report", "-n", ns, pod.Name, "--timeout=1s", "-o", "json")
	timedOut := regexp.MustCompile(`^error: timed out after 1(\.\d)?s waiting for the image pulls of spark-pi-exec-1\n$`)
	if code != 124 || !timedOut.MatchString(stderr) || firstImage(t, stdout)["state"] != "pulling" {
		t.Fatalf("--timeout: exit %d, stderr %q", code, stderr)
	}

	done := startPlugin(t, cluster.kubeconfig, "cache-report", "-n", ns, pod.Name, "--timeout=60s", "-o", "json")
	select {
	case r := <-done:
		t.Fatalf("returned before the pull finished: %+v", r)
	case <-time.After(2 * time.Second):
	}

	// The kubelet retries the pull: the same event, its count bumped.
	repeatEvent(t, pod, "Pulling", 2)
	podEvent(t, pod, "kubelet", corev1.EventTypeNormal, "Pulled",
		`Successfully pulled image "`+sparkImage+`" in 4.614s (6.021s including waiting). Image size: 336066994 bytes.`, start.Add(8*time.Second), start.Add(8*time.Second), 1)

	r := awaitPlugin(t, done, 30*time.Second, "cache-report after the pull finished")
	image := firstImage(t, r.stdout)
	if image["state"] != "pulled" || image["pullSeconds"] != 4.614 || image["withWaitingSeconds"] != 6.021 || image["sizeBytes"] != 336066994.0 {
		t.Errorf("image = %v", image)
	}
	if image["attempts"] != 2.0 {
		t.Errorf("attempts = %v, want 2: the repeated Pulling event must count once, with its count", image["attempts"])
	}
}

// The connection drops, or the API server restarts, while cache-report
// waits, and events arrive meanwhile: the watch resumes from the last version
// it saw (or lists again), so the report completes, missing nothing and
// counting nothing twice.
func TestCacheReportResumesAfterADisruption(t *testing.T) {
	for _, tc := range []struct {
		name    string
		disrupt func(*cuttableProxy)
	}{
		{"dropped connection", func(p *cuttableProxy) { p.cut() }},
		// The plugin's watch is cut first: a kube-apiserver drains open watch
		// streams before it stops, which would hold the restart up.
		{"API server restarted", func(p *cuttableProxy) { p.pause(); restartAPIServer(t); p.resume() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := newNamespace(t)
			_, eci := ensureNodes(t)
			proxy, kubeconfig := newCuttableProxy(t)
			pod := sparkPod(t, ns, "spark-pi", "spark-pi-exec-2", "executor", eci)
			start := time.Now().Truncate(time.Second)
			podEvent(t, pod, "EciService", corev1.EventTypeWarning, "ImageCacheMissed", "[eci.imagecache]Missed image cache.", start, start, 1)
			podEvent(t, pod, "kubelet", corev1.EventTypeNormal, "Pulling", `Pulling image "`+sparkImage+`"`, start, start, 1)

			// -v=6 logs each request as its response comes: the watch of
			// the pod's events has begun once it is logged.
			report := startKubectl(t, kubeconfig, "spark-eci", "cache-report", "-n", ns, pod.Name, "--timeout=60s", "-o", "json", "-v=6")
			waitForLog(t, report, `"Response"`, "/namespaces/"+ns+"/events?", "watch=true", `status="200 OK"`)

			tc.disrupt(proxy)
			repeatEvent(t, pod, "Pulling", 3)
			podEvent(t, pod, "EciService", corev1.EventTypeNormal, "ImageCacheAutoCreated", "[eci.imagecache]Image cache imc-resumed1 is auto created", start, start, 1)
			podEvent(t, pod, "kubelet", corev1.EventTypeNormal, "Pulled",
				`Successfully pulled image "`+sparkImage+`" in 1m2.5s (1m2.5s including waiting)`, start.Add(63*time.Second), start.Add(63*time.Second), 1)
			proxy.cut() // and once more, while it reconnects

			report.wait(t, 45*time.Second)
			stdout := report.stdout.String()
			image := firstImage(t, stdout)
			if image["state"] != "pulled" || image["pullSeconds"] != 62.5 || image["attempts"] != 3.0 {
				t.Errorf("image = %v, want pulled in 62.5s after 3 attempts", image)
			}
			if !strings.Contains(stdout, `"outcome": "auto-created"`) || !strings.Contains(stdout, `"id": "imc-resumed1"`) {
				t.Errorf("the cache event sent during the disruption is missing:\n%s", stdout)
			}
			if !strings.Contains(stdout, `"events": 4`) {
				t.Errorf("want 4 events counted once each:\n%s", stdout)
			}
		})
	}
}

// --watch follows an application's pods as they come, printing each row as
// its pulls complete, then the summary of all when --timeout ends it. The API
// server restarts in the middle: the watch resumes, no pod is missed or
// printed twice.
func TestCacheReportWatchFollowsNewExecutors(t *testing.T) {
	ns := newNamespace(t)
	ecs, eci := ensureNodes(t)
	proxy, kubeconfig := newCuttableProxy(t)
	at := time.Now().Truncate(time.Second)
	driver := sparkPod(t, ns, "stream", "stream-driver", "driver", ecs)
	podEvent(t, driver, "kubelet", corev1.EventTypeNormal, "Pulled", `Container image "`+sparkImage+`" already present on machine`, at, at, 1)

	w := startKubectl(t, kubeconfig, "spark-eci", "cache-report", "-n", ns, "app/stream", "--watch", "--timeout=15s")
	waitForRows(t, w, []string{"stream-driver"})

	exec1 := sparkPod(t, ns, "stream", "stream-exec-1", "executor", eci)
	podEvent(t, exec1, "kubelet", corev1.EventTypeNormal, "Pulling", `Pulling image "`+sparkImage+`"`, at, at, 1)
	exec2 := sparkPod(t, ns, "stream", "stream-exec-2", "executor", eci)
	pullCacheHit(t, exec2, at, "imc-stream1")
	sparkPod(t, ns, "stream", "stream-exec-3", "executor", eci) // never pulls
	sparkPod(t, ns, "other", "other-exec-1", "executor", eci)   // another application
	waitForRows(t, w, []string{"stream-exec-2"})

	proxy.pause() // a kube-apiserver drains open watches before it stops
	restartAPIServer(t)
	proxy.resume()
	pullCacheHit(t, sparkPod(t, ns, "stream", "stream-exec-4", "executor", eci), at, "imc-stream1")
	// Pods and events are two watches, each resuming in its own time:
	// the row of exec-4 may come only once both have.
	waitForRows(t, w, []string{"stream-exec-4"})
	podEvent(t, exec1, "kubelet", corev1.EventTypeNormal, "Pulled",
		`Successfully pulled image "`+sparkImage+`" in 12.5s (12.5s including waiting)`, at.Add(13*time.Second), at.Add(13*time.Second), 1)

	w.waitFor(t, 40*time.Second, 124) // ended by --timeout, stream-exec-3 still pulling
	r := pluginResult{stdout: w.stdout.String(), stderr: w.stderr.String()}
	t.Logf("cache-report --watch:\n%s", r.stdout)
	var rows []string
	for _, line := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "stream-") {
			rows = append(rows, f[0])
		}
	}
	if got := strings.Join(rows, " "); got != "stream-driver stream-exec-2 stream-exec-4 stream-exec-1" {
		t.Errorf("rows %q, want each pod once, in the order their pulls completed", got)
	}
	if strings.Count(r.stdout, "POD ") != 1 || !strings.Contains(rowText(r.stdout, "stream-exec-1"), "12.5s") {
		t.Errorf("want one header and exec-1's pull time:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "Pods:          5, 4 on ECI") {
		t.Errorf("summary of all pods seen missing:\n%s", r.stdout)
	}
	if !regexp.MustCompile(`(^|\n)error: timed out after 15(\.\d)?s waiting for the image pulls of stream-exec-3\n$`).MatchString(r.stderr) || strings.Contains(r.stdout, "other-exec-1") {
		t.Errorf("stderr %q", r.stderr)
	}
}

// repeatEvent bumps the count of pod's one event of reason, as the kubelet
// does when it repeats an event.
func repeatEvent(t *testing.T, pod *corev1.Pod, reason string, count int32) {
	t.Helper()
	events := cluster.client.CoreV1().Events(pod.Namespace)
	list, err := events.List(t.Context(), metav1.ListOptions{FieldSelector: "reason=" + reason + ",involvedObject.name=" + pod.Name})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("%s event of %s: %v", reason, pod.Name, err)
	}
	e := list.Items[0]
	e.Count = count
	e.LastTimestamp = metav1.NewTime(e.LastTimestamp.Add(time.Duration(count) * time.Second))
	if _, err := events.Update(t.Context(), &e, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// The spinner shows what cache-report waits for, on a terminal only.
func TestCacheReportSpinnerOnlyOnATerminal(t *testing.T) {
	ns := newNamespace(t)
	_, eci := ensureNodes(t)
	pod := sparkPod(t, ns, "spark-pi", "spark-pi-exec-1", "executor", eci)
	at := time.Now().Truncate(time.Second)
	podEvent(t, pod, "kubelet", corev1.EventTypeNormal, "Pulling", `Pulling image "`+sparkImage+`"`, at, at, 1)
	// The spinner's frame, reset to the terminal's colour, then its text.
	const spinning = "\x1b[0m waiting for the image pulls of spark-pi-exec-1"

	_, stderr, code := runPlugin(t, "cache-report", "-n", ns, pod.Name, "--timeout=1s")
	if code != 124 || !regexp.MustCompile(`^error: timed out after 1(\.\d)?s waiting for the image pulls of spark-pi-exec-1\n$`).MatchString(stderr) {
		t.Errorf("spinner written to a stderr that is not a terminal, or a wrong end: exit %d, %q", code, stderr)
	}

	out, code := runPluginOnATerminal(t, "cache-report", "-n", ns, pod.Name, "--timeout=2s")
	if code != 124 || !strings.Contains(out, spinning) {
		t.Errorf("no spinner on a terminal (exit %d):\n%q", code, out)
	}
}

// pluginResult is what a plugin run printed and its exit code.
// awaitPlugin waits at most d for a plugin started by startPlugin to end
// (what names it in failures), and for it to succeed.
func awaitPlugin(t *testing.T, done <-chan pluginResult, d time.Duration, what string) pluginResult {
	t.Helper()
	select {
	case r := <-done:
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", what, r.code, r.stderr)
		}
		return r
	case <-time.After(d):
		t.Fatalf("%s: did not end within %s", what, d)
		return pluginResult{}
	}
}

type pluginResult struct {
	stdout, stderr string
	code           int
}

// startPlugin runs the plugin in-process in the background, as the user of
// kubeconfig; the result arrives on the channel when it ends.
func startPlugin(t *testing.T, kubeconfig string, args ...string) <-chan pluginResult {
	done := make(chan pluginResult, 1)
	go func() {
		stdout, stderr, code := runPluginAs(t, kubeconfig, args...)
		done <- pluginResult{stdout, stderr, code}
	}()
	return done
}

// --watch of an application no pod of which came by --timeout says so, with
// the time it watched, and fails: there is no report to print.
func TestCacheReportWatchNoPods(t *testing.T) {
	ns := newNamespace(t)
	stdout, stderr, code := runPlugin(t, "cache-report", "-n", ns, "app/none", "--watch", "--timeout=1s")
	if code != 1 || stdout != "" || !regexp.MustCompile(`^error: no pods of app/none came in 1(\.\d)?s\n$`).MatchString(stderr) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
