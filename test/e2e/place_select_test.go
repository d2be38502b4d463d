//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func placedExecutors(t *testing.T, ns, name string) bool {
	t.Helper()
	return strings.Contains(field(t, getApp(t, ns, name).Object, "spec", "executor", "tolerations"), "virtual-kubelet.io/provider")
}

func labelApp(t *testing.T, ns, name, team string) {
	t.Helper()
	app := createSeedApp(t, ns, name)
	app.SetLabels(map[string]string{"team": team})
	if _, err := cluster.dyn.Resource(sparkAppGVR).Namespace(ns).Update(t.Context(), app, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestPlaceSelectsApplications(t *testing.T) {
	ns := newNamespace(t)
	labelApp(t, ns, "ml-1", "ml")
	labelApp(t, ns, "ml-2", "ml")
	labelApp(t, ns, "bi-1", "bi")
	labelApp(t, ns, "bi-2", "bi")
	createFromYAML(t, ns, scheduledManifest)

	stdout, _ := mustPlace(t, ns, "-l", "team=ml", "--executors=eci")
	if want := "sparkapplication.sparkoperator.k8s.io/ml-1 placed (driver: ecs, executors: eci)\n" +
		"sparkapplication.sparkoperator.k8s.io/ml-2 placed (driver: ecs, executors: eci)\n"; stdout != want {
		t.Errorf("-l: stdout = %q", stdout)
	}
	if placedExecutors(t, ns, "bi-1") || !placedExecutors(t, ns, "ml-2") {
		t.Error("-l placed the wrong applications")
	}

	stdout, _ = mustPlace(t, ns, "--all", "--executors=eci")
	if strings.Count(stdout, " placed ") != 2 || strings.Count(stdout, " unchanged") != 2 {
		t.Errorf("--all: stdout = %q", stdout)
	}

	mustPlace(t, ns, "sparkapp", "bi-1", "bi-2", "--executors=ecs")
	if placedExecutors(t, ns, "bi-1") || placedExecutors(t, ns, "bi-2") {
		t.Error("TYPE NAME... form did not place both")
	}
	mustPlace(t, ns, "sparkapplication/bi-1", "ml-1", "--executors=ecs-first")
	if !placedExecutors(t, ns, "bi-1") {
		t.Error("TYPE/NAME form did not place bi-1")
	}

	stdout, _ = mustPlace(t, ns, "scheduledsparkapp", "--all", "--executors=eci")
	if stdout != "scheduledsparkapplication.sparkoperator.k8s.io/nightly placed (driver: ecs, executors: eci)\n" {
		t.Errorf("scheduledsparkapp --all: stdout = %q", stdout)
	}

	// -f reads the names from a file and places what the cluster holds now.
	file := filepath.Join(t.TempDir(), "app.yaml")
	if err := os.WriteFile(file, []byte("apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nmetadata: {name: bi-2}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _ = mustPlace(t, ns, "-f", file, "--executors=eci")
	if stdout != "sparkapplication.sparkoperator.k8s.io/bi-2 placed (driver: ecs, executors: eci)\n" || !placedExecutors(t, ns, "bi-2") {
		t.Errorf("-f: stdout = %q", stdout)
	}
	if got := field(t, getApp(t, ns, "bi-2").Object, "spec", "executor", "instances"); got != "2" {
		t.Errorf("-f replaced the stored spec with the file's: instances = %s", got)
	}
}

func TestPlaceDryRunOutputAndDiff(t *testing.T) {
	ns := newNamespace(t)
	createSeedApp(t, ns, "spark-pi")
	before := getApp(t, ns, "spark-pi")

	for _, mode := range []string{"client", "server"} {
		stdout, stderr := mustPlace(t, ns, "spark-pi", "--executors=eci", "--dry-run="+mode)
		want := "sparkapplication.sparkoperator.k8s.io/spark-pi placed (driver: ecs, executors: eci) (dry run)\n"
		if mode == "server" {
			want = strings.Replace(want, "(dry run)", "(server dry run)", 1)
		}
		if !strings.Contains(stderr, "spark-pi: not submitted yet: the operator submits it with this placement (not applied: dry run)") {
			t.Errorf("--dry-run=%s: stderr = %q", mode, stderr)
		}
		if stdout != want {
			t.Errorf("--dry-run=%s: stdout = %q, want %q", mode, stdout, want)
		}
		if after := getApp(t, ns, "spark-pi"); after.GetResourceVersion() != before.GetResourceVersion() {
			t.Errorf("--dry-run=%s wrote the object", mode)
		}
	}

	// A server-side dry run goes through the real schema: the YAML printed is
	// what the server would store.
	stdout, _ := mustPlace(t, ns, "spark-pi", "--preset=eci-only", "--dry-run=server", "-o", "yaml")
	if !strings.Contains(stdout, "kind: SparkApplication") || !strings.Contains(stdout, "operator: In") ||
		!strings.Contains(stdout, "resourceVersion: \""+before.GetResourceVersion()+"\"") {
		t.Errorf("-o yaml (server dry run) = %s", stdout)
	}

	stdout, _ = mustPlace(t, ns, "spark-pi", "--executors=eci", "--diff")
	if !strings.HasPrefix(stdout, "--- spark-pi spec (before)\n+++ spark-pi spec (after)\n") ||
		!strings.Contains(stdout, "+  tolerations:\n") ||
		!strings.HasSuffix(stdout, "sparkapplication.sparkoperator.k8s.io/spark-pi placed (driver: ecs, executors: eci)\n") {
		t.Errorf("--diff: stdout = %q", stdout)
	}

	stdout, _ = mustPlace(t, ns, "spark-pi", "--driver=eci", "-o", "name", "--field-manager=gitops-bot")
	if stdout != "sparkapplication.sparkoperator.k8s.io/spark-pi\n" {
		t.Errorf("-o name: stdout = %q", stdout)
	}
	managers := map[string]bool{}
	for _, entry := range getApp(t, ns, "spark-pi").GetManagedFields() {
		managers[entry.Manager] = true
	}
	if !managers["kubectl-spark-eci"] || !managers["gitops-bot"] {
		t.Errorf("field managers = %v, want kubectl-spark-eci and gitops-bot", managers)
	}
}
