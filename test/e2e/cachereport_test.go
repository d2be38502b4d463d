//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The guide's two scenarios, as ECI and the kubelet report them.
func TestCacheReportOfOnePod(t *testing.T) {
	ns := newNamespace(t)
	ecs, eci := ensureNodes(t)
	now := time.Now().Add(-10 * time.Minute).Truncate(time.Second)

	missed := sparkPod(t, ns, "spark-pi", "spark-pi-driver", "driver", eci)
	pullMissAutoCreated(t, missed, now, "imc-2zeabcdefghijklmnop")
	stdout, stderr, code := runPlugin(t, "cache-report", "-n", ns, "spark-pi-driver")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	row := rowText(stdout, "spark-pi-driver")
	for _, want := range []string{"driver", eci, "ECI", "missed, auto-created imc-2zeabcdefghijklmnop", "1m41.289s"} {
		if !strings.Contains(row, want) {
			t.Errorf("row %q lacks %q", row, want)
		}
	}
	if !strings.HasPrefix(stdout, "POD") {
		t.Errorf("no header row:\n%s", stdout)
	}

	hit := sparkPod(t, ns, "spark-pi", "spark-pi-exec-1", "executor", eci)
	pullCacheHit(t, hit, now, "imc-2zeabcdefghijklmnop")
	stdout, _, _ = runPlugin(t, "cache-report", "-n", ns, "pod/spark-pi-exec-1", "--no-headers")
	row = rowText(stdout, "spark-pi-exec-1")
	if !strings.Contains(row, "hit imc-2zeabcdefghijklmnop") || !strings.Contains(row, "present") || strings.HasPrefix(stdout, "POD") {
		t.Errorf("cache hit: %q", stdout)
	}

	onECS := sparkPod(t, ns, "other", "web-driver", "driver", ecs)
	podEvent(t, onECS, "kubelet", corev1.EventTypeNormal, "Pulling", `Pulling image "`+sparkImage+`"`, now, now, 1)
	podEvent(t, onECS, "kubelet", corev1.EventTypeNormal, "Pulled", `Successfully pulled image "`+sparkImage+`" in 49.657983991s`, now.Add(50*time.Second), now.Add(50*time.Second), 1)
	stdout, _, _ = runPlugin(t, "cache-report", "-n", ns, "web-driver")
	row = rowText(stdout, "web-driver")
	if !strings.Contains(row, "ECS") || !strings.Contains(row, " - ") || !strings.Contains(row, "49.658s") {
		t.Errorf("ECS pod: %q", row)
	}
}

func TestCacheReportOfAnApplication(t *testing.T) {
	ns := newNamespace(t)
	ecs, eci := ensureNodes(t)
	at := time.Now().Add(-5 * time.Minute).Truncate(time.Second)

	driver := sparkPod(t, ns, "etl", "etl-driver", "driver", ecs)
	podEvent(t, driver, "kubelet", corev1.EventTypeNormal, "Pulled", `Container image "`+sparkImage+`" already present on machine`, at, at, 1)
	pullMissAutoCreated(t, sparkPod(t, ns, "etl", "etl-5f7c-exec-1", "executor", eci), at, "imc-auto1")
	pullCacheHit(t, sparkPod(t, ns, "etl", "etl-5f7c-exec-2", "executor", eci), at, "imc-auto1")
	missed := sparkPod(t, ns, "etl", "etl-5f7c-exec-10", "executor", eci)
	podEvent(t, missed, "EciService", corev1.EventTypeWarning, "ImageCacheMissed", "[eci.imagecache]Missed image cache.", at, at, 1)
	podEvent(t, missed, "kubelet", corev1.EventTypeNormal, "Pulling", `Pulling image "`+sparkImage+`"`, at, at, 1)
	podEvent(t, missed, "kubelet", corev1.EventTypeNormal, "Pulled",
		`Successfully pulled image "`+sparkImage+`" in 4.614s (4.614s including waiting). Image size: 336066994 bytes.`, at.Add(5*time.Second), at.Add(5*time.Second), 1)
	// Another application's pod in the namespace: never reported.
	pullCacheHit(t, sparkPod(t, ns, "other", "other-driver", "driver", eci), at, "imc-other")

	stdout, stderr, code := runPlugin(t, "cache-report", "-n", ns, "app/etl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	t.Logf("cache-report app/etl:\n%s", stdout)
	if strings.Contains(stdout, "other-driver") {
		t.Errorf("reported another application's pod:\n%s", stdout)
	}
	var order []string
	for _, line := range strings.Split(stdout, "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "etl-") {
			order = append(order, f[0])
		}
	}
	if got := strings.Join(order, " "); got != "etl-driver etl-5f7c-exec-1 etl-5f7c-exec-2 etl-5f7c-exec-10" {
		t.Errorf("rows in order %q, want the driver first, executors in natural order", got)
	}

	stdout, _, code = runPlugin(t, "cache-report", "-n", ns, "app/etl", "-o", "json")
	if code != 0 {
		t.Fatal(stdout)
	}
	var report map[string]interface{}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("-o json is not JSON: %v\n%s", err, stdout)
	}
	if report["apiVersion"] != "spark-eci.io/v1alpha1" || report["kind"] != "CacheReport" {
		t.Errorf("report header: %v %v", report["apiVersion"], report["kind"])
	}
	if pods := report["pods"].([]interface{}); len(pods) != 4 {
		t.Errorf("%d pods in the JSON report", len(pods))
	}
	summary := report["summary"].(map[string]interface{})
	for key, want := range map[string]float64{"pods": 4, "eciPods": 3, "hits": 1, "misses": 2, "autoCreated": 1} {
		if summary[key] != want {
			t.Errorf("summary.%s = %v, want %v (summary %v)", key, summary[key], want, summary)
		}
	}

	// Every miss reads as one, in the table and the JSON alike.
	table, _, _ := runPlugin(t, "cache-report", "-n", ns, "app/etl")
	var missedRows int
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(line, "etl-") && strings.Contains(line, " missed") {
			missedRows++
		}
	}
	if missedRows != 2 || !strings.Contains(table, "Image cache:   1 hit, 2 missed") {
		t.Errorf("%d rows say missed, want 2 as the summary does:\n%s", missedRows, table)
	}
	if !strings.Contains(table, "Auto-created:  imc-auto1, for the pods that come next") {
		t.Errorf("the summary does not name the auto-created cache:\n%s", table)
	}
	var missedPods []string
	for _, p := range report["pods"].([]interface{}) {
		pod := p.(map[string]interface{})
		if cache, _ := pod["cache"].(map[string]interface{}); cache["missed"] == true {
			missedPods = append(missedPods, pod["name"].(string))
		}
	}
	if got := strings.Join(missedPods, " "); got != "etl-5f7c-exec-1 etl-5f7c-exec-10" {
		t.Errorf("pods with cache.missed: %q", got)
	}
	if ids := summary["autoCreatedIds"]; fmt.Sprint(ids) != "[imc-auto1]" {
		t.Errorf("summary.autoCreatedIds = %v", ids)
	}

	_, stderr, code = runPlugin(t, "cache-report", "-n", ns, "app/etl", "--fail-on-miss", "-o", "yaml")
	if code != 2 || !strings.Contains(stderr, "error: --fail-on-miss: 2 of 4 pods missed the ECI image cache (etl-5f7c-exec-1, etl-5f7c-exec-10)\n") {
		t.Errorf("--fail-on-miss: exit %d, stderr %q", code, stderr)
	}
	stdout, _, code = runPlugin(t, "cache-report", "-n", ns, "-l", "spark-role=executor,sparkoperator.k8s.io/app-name=etl", "-o", "yaml")
	if code != 0 || !strings.Contains(stdout, "kind: CacheReport") || strings.Contains(stdout, "etl-driver") {
		t.Errorf("-l: exit %d\n%s", code, stdout)
	}
}

// What the pods ask of ECI's cache, by the seed's annotation names and
// today's: a pinned cache that was not there, or not ready, is why the pod
// missed; a pod with matching off did not miss.
func TestCacheReportReadsTheCacheAPodAskedFor(t *testing.T) {
	ns := newNamespace(t)
	_, eci := ensureNodes(t)
	at := time.Now().Add(-5 * time.Minute).Truncate(time.Second)

	gone := sparkPod(t, ns, "etl", "etl-driver", "driver", eci, map[string]string{"k8s.aliyun.com/eci-imc-id": "imc-2zegone"})
	podEvent(t, gone, "EciService", corev1.EventTypeWarning, "ImageCacheNotFound", "The specified image cache imc-2zegone does not exist.", at, at, 1)
	podEvent(t, gone, "EciService", corev1.EventTypeWarning, "ImageCacheMissed", "[eci.imagecache]Missed image cache.", at, at, 1)
	notReady := sparkPod(t, ns, "etl", "etl-exec-1", "executor", eci, map[string]string{"k8s.aliyun.com/eci-image-snapshot-id": "imc-2zebaking"})
	podEvent(t, notReady, "EciService", corev1.EventTypeNormal, "ImageCacheNotComplete",
		"The production for specified image cache imc-2zebaking is not yet complete.", at, at, 1)
	off := sparkPod(t, ns, "etl", "etl-exec-2", "executor", eci, map[string]string{"k8s.aliyun.com/eci-auto-imc": "false"})
	podEvent(t, off, "kubelet", corev1.EventTypeNormal, "Pulled", `Container image "`+sparkImage+`" already present on machine`, at, at, 1)

	// The pulls of these pods never end: report what is known.
	stdout, stderr, code := runPlugin(t, "cache-report", "-n", ns, "app/etl", "--fail-on-miss", "--wait=false")
	t.Logf("cache-report app/etl:\n%s", stdout)
	for pod, want := range map[string]string{
		"etl-driver": "missed, imc-2zegone not found",
		"etl-exec-1": "missed, imc-2zebaking not ready",
		"etl-exec-2": " off ",
	} {
		if row := rowText(stdout, pod) + " "; !strings.Contains(row, want) {
			t.Errorf("%s: row %q lacks %q", pod, row, want)
		}
	}
	if code != 2 || !strings.Contains(stderr, "error: --fail-on-miss: 2 of 3 pods missed the ECI image cache (etl-driver, etl-exec-1)\n") {
		t.Errorf("--fail-on-miss: exit %d, stderr %q", code, stderr)
	}

	stdout, _, _ = runPlugin(t, "cache-report", "-n", ns, "etl-driver", "-o", "json", "--wait=false")
	var report struct {
		Pods []struct {
			Cache map[string]interface{} `json:"cache"`
		} `json:"pods"`
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil || len(report.Pods) != 1 {
		t.Fatalf("-o json: %v\n%s", err, stdout)
	}
	want := map[string]interface{}{"outcome": "not-found", "missed": true, "id": "imc-2zegone", "pinnedId": "imc-2zegone"}
	if got := report.Pods[0].Cache; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("cache = %v, want %v", got, want)
	}
}

// A pod that is gone still has its events for an hour: the report comes from them.
func TestCacheReportOfAGonePod(t *testing.T) {
	ns := newNamespace(t)
	_, eci := ensureNodes(t)
	at := time.Now().Add(-time.Minute).Truncate(time.Second)
	pod := sparkPod(t, ns, "spark-pi", "spark-pi-driver", "driver", eci)
	pullMissAutoCreated(t, pod, at, "imc-gone1")
	if err := cluster.client.CoreV1().Pods(ns).Delete(t.Context(), pod.Name, *metav1.NewDeleteOptions(0)); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runPlugin(t, "cache-report", "-n", ns, "spark-pi-driver")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	row := rowText(stdout, "spark-pi-driver")
	if !strings.Contains(row, "missed, auto-created imc-gone1") || !strings.Contains(row, "1m41.289s") {
		t.Errorf("gone pod: %q", row)
	}
}

func TestCacheReportBadInputAndGaps(t *testing.T) {
	ns := newNamespace(t)
	_, eci := ensureNodes(t)
	sparkPod(t, ns, "quiet", "quiet-driver", "driver", eci)

	stdout, stderr, code := runPlugin(t, "cache-report", "-n", ns, "quiet-driver", "--wait=false")
	if code != 0 || !strings.Contains(stderr, "quiet-driver: no image events (events expire after one hour by default)") ||
		!strings.Contains(stdout, "quiet-driver") {
		t.Errorf("no events: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"nope"}, `pod "nope" not found in namespace "` + ns + `", and no events name it`},
		{[]string{"app/nope"}, `no pods of application "nope"`},
		{[]string{"deployment/web"}, `cache-report takes a Pod, a SparkApplication or a SparkConnect (NAME, app/NAME or sparkconnect/NAME), not "deployment/web"`},
		{[]string{}, "give one of POD, app/NAME, sparkconnect/NAME or -l SELECTOR"},
		{[]string{"quiet-driver", "-o", "table"}, `unknown --output "table"`},
		{[]string{"-l", "a in (b"}, "invalid --selector"},
		{[]string{"-A", "quiet-driver"}, "--all-namespaces needs -l SELECTOR"},
		{[]string{"quiet-driver", "--watch"}, "--watch follows an application or a selector"},
		{[]string{"app/quiet", "--watch", "-o", "json"}, "--watch prints table rows as pods complete"},
		{[]string{"quiet-driver", "--all-submissions"}, "--all-submissions is for app/NAME and -l"},
	} {
		stdout, stderr, code := runPlugin(t, append([]string{"cache-report", "-n", ns}, tc.args...)...)
		if code == 0 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.wantErr) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q, want one line with %q", tc.args, code, stdout, stderr, tc.wantErr)
		}
	}
}
