//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// status --watch and cache-report --watch follow an application through the
// new submission place --restart causes, on the operator's real controller:
// the first submission's pods go (the test's kubelet holds their end, so
// they are seen Terminating), the new ones come, and each report is about
// the current submission unless asked for all.
func TestLifecycleWatchThroughResubmission(t *testing.T) {
	for _, version := range operatorVersions {
		t.Run(version.name, func(t *testing.T) {
			t.Parallel() // each version has its own cluster
			lc, ns, first, pods := runningSparkPi(t, version)

			report := startKubectl(t, lc.kubeconfig, "spark-eci", "cache-report", "-n", ns, "app/spark-pi", "--watch", "--timeout=5m")
			waitForRows(t, report, namesOf(pods.all()...))

			lc.holdDeletions(t, ns, func(p *corev1.Pod) bool { return p.Labels["sparkoperator.k8s.io/submission-id"] == first })
			if _, stderr, code := runKubectl(t, lc.kubeconfig, "spark-eci", "place", "-n", ns, "spark-pi", "--executors=eci", "--restart"); code != 0 {
				t.Fatalf("place --restart: exit %d: %s", code, stderr)
			}
			lc.waitForState(t, ns, "spark-pi", "PENDING_RERUN")

			// The first submission's pods are placed, but going: the watch
			// waits for the next submission's.
			watch := lc.startStatusWatch(t, ns, "spark-pi", "--timeout=3m")
			holdsFor(t, 2*time.Second, func(context.Context) error {
				if watch.ended() {
					return fmt.Errorf("status --watch ended while the operator was submitting the application again:\n%s%s", watch.stdout.String(), watch.stderr.String())
				}
				return nil
			})
			// The driver goes first; the garbage collector deletes the
			// executors once it is gone.
			shown := statusPods(t, lc, ns)
			if len(shown) != 3 || shown[0].Name != pods.Driver.Name || !shown[0].Terminating {
				t.Errorf("status while the first submission goes: %v, want its 3 pods, the driver Terminating", shown)
			}

			// The driver goes, the first submission's executors stay
			// Terminating, the second submission runs.
			lc.holdDeletions(t, ns, func(p *corev1.Pod) bool {
				return p.Labels["sparkoperator.k8s.io/submission-id"] == first && p.Labels["spark-role"] == "executor"
			})
			second, pods2 := lc.runningPods(t, ns, "spark-pi", first)
			watch.wait(t, time.Minute)
			if want := ns + "/spark-pi: new submission " + second + "; the pods of the one before are no longer shown"; !strings.Contains(watch.stderr.String(), want) ||
				!strings.Contains(watch.stderr.String(), "Every expected pod has a node.") {
				t.Errorf("status --watch stderr:\n%s\nwant %q and the end", watch.stderr.String(), want)
			}
			for _, p := range pods2.Executors {
				if !slices.ContainsFunc(strings.Split(watch.stdout.String(), "\n"), func(line string) bool {
					f := strings.Fields(line)
					return len(f) > 4 && f[0] == p.Name && f[4] == "ECI"
				}) {
					t.Errorf("status --watch printed no row on ECI for the new executor %s:\n%s", p.Name, watch.stdout.String())
				}
			}

			// One look: the current submission; asked, every one still there.
			current := namesOf(pods2.all()...)
			if got := names(statusPods(t, lc, ns)); !slices.Equal(got, current) {
				t.Errorf("status shows %v, want the second submission's %v", got, current)
			}
			all := statusPods(t, lc, ns, "--all-submissions")
			if got, want := names(all), namesOf(append(pods2.all(), pods.Executors...)...); !slices.Equal(got, want) {
				t.Errorf("status --all-submissions shows %v, want %v", got, want)
			}
			for _, p := range all {
				if terminating := slices.ContainsFunc(pods.Executors, func(old *corev1.Pod) bool { return old.Name == p.Name }); p.Terminating != terminating {
					t.Errorf("status --all-submissions: %s terminating %v, want %v", p.Name, p.Terminating, terminating)
				}
			}
			stdout, stderr, code := runKubectl(t, lc.kubeconfig, "spark-eci", "cache-report", "-n", ns, "app/spark-pi", "-o", "json")
			if got := reportedPods(t, stdout); code != 0 || !slices.Equal(got, current) || !strings.Contains(stderr, "pods of earlier submissions left out: 2 (--all-submissions reports them)") {
				t.Errorf("cache-report: exit %d, pods %v, want %v; stderr %q", code, got, current, stderr)
			}
			stdout, _, code = runKubectl(t, lc.kubeconfig, "spark-eci", "cache-report", "-n", ns, "app/spark-pi", "-o", "json", "--all-submissions")
			if got := reportedPods(t, stdout); code != 0 || len(got) != 5 {
				t.Errorf("cache-report --all-submissions: exit %d, pods %v, want 5", code, got)
			}

			// The watch printed each pod of both submissions once, as its
			// pulls completed, and sums up the second.
			lc.holdDeletions(t, ns, nil)
			waitForRows(t, report, current)
			report.interrupt(t, syscall.SIGINT, 30*time.Second)
			if want := ns + "/spark-pi: new submission " + second + ": reporting its pods; the summary leaves out the submission before"; !strings.Contains(report.stderr.String(), want) {
				t.Errorf("cache-report --watch stderr:\n%s\nwant %q", report.stderr.String(), want)
			}
			rows := rowNames(report.stdout.String())
			for _, p := range append(pods.all(), pods2.all()...) {
				if n := strings.Count(" "+strings.Join(rows, " ")+" ", " "+p.Name+" "); p.Name != pods.Driver.Name && n != 1 {
					t.Errorf("cache-report --watch printed %s %d times:\n%s", p.Name, n, report.stdout.String())
				}
			}
			if n := strings.Count(strings.Join(rows, " "), pods.Driver.Name); n != 2 {
				t.Errorf("cache-report --watch printed %d rows of %s, want one per submission:\n%s", n, pods.Driver.Name, report.stdout.String())
			}
			if !strings.Contains(report.stdout.String(), "Pods:          3, 2 on ECI") {
				t.Errorf("cache-report --watch summary is not about the second submission:\n%s", report.stdout.String())
			}
		})
	}
}

// namesOf are the sorted names of pods.
func namesOf(pods ...*corev1.Pod) []string {
	var n []string
	for _, p := range pods {
		n = append(n, p.Name)
	}
	slices.Sort(n)
	return n
}

// shownPod is a pod as status -o json shows it.
type shownPod struct {
	Name        string `json:"name"`
	Terminating bool   `json:"terminating"`
}

func statusPods(t *testing.T, lc *schedulingEnv, ns string, args ...string) []shownPod {
	t.Helper()
	stdout, stderr, code := runKubectl(t, lc.kubeconfig, append([]string{"spark-eci", "status", "-n", ns, "spark-pi", "-o", "json"}, args...)...)
	if code != 0 {
		t.Fatalf("status: exit %d: %s", code, stderr)
	}
	var status struct {
		Applications []struct {
			Pods []shownPod `json:"pods"`
		} `json:"applications"`
	}
	if err := json.Unmarshal([]byte(stdout), &status); err != nil || len(status.Applications) != 1 {
		t.Fatalf("status -o json: %v\n%s", err, stdout)
	}
	return status.Applications[0].Pods
}

func names(pods []shownPod) []string {
	var n []string
	for _, p := range pods {
		n = append(n, p.Name)
	}
	slices.Sort(n)
	return n
}

// reportedPods are the sorted pod names of a cache-report -o json.
func reportedPods(t *testing.T, stdout string) []string {
	t.Helper()
	var report struct {
		Pods []struct {
			Name string `json:"name"`
		} `json:"pods"`
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Errorf("cache-report -o json: %v\n%s", err, stdout)
		return nil
	}
	var n []string
	for _, p := range report.Pods {
		n = append(n, p.Name)
	}
	slices.Sort(n)
	return n
}
