//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// gitopsManifest is a manifest as a GitOps folder keeps it: a
// ServiceAccount, a SparkApplication, a ConfigMap, a
// ScheduledSparkApplication and a SparkConnect.
const gitopsManifest = "../../pkg/cmd/testdata/gitops-input.yaml"

// Against a cluster, place -f places the Spark applications a manifest of
// several kinds holds, says in one line which objects it skipped, and never
// writes those; -o name, --diff and --dry-run say the same. A manifest
// without a Spark application is an error that changes nothing.
func TestPlaceManifestOfSeveralKinds(t *testing.T) {
	ns := newNamespace(t)
	data, err := os.ReadFile(gitopsManifest)
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range strings.Split(string(data), "\n---\n") {
		if strings.Contains(doc, "kind: Spark") || strings.Contains(doc, "kind: ScheduledSpark") {
			createFromYAML(t, ns, doc)
		}
	}
	skipped := "Skipped, not Spark applications: serviceaccount/spark, configmap/spark-conf\n"
	names := "sparkapplication.sparkoperator.k8s.io/spark-pi\nscheduledsparkapplication.sparkoperator.k8s.io/nightly\nsparkconnect.sparkoperator.k8s.io/spark-connect\n"

	for _, tc := range []struct{ name, flag string }{{"client dry run", "--dry-run=client"}, {"server dry run", "--dry-run=server"}, {"diff", "--diff"}} {
		before := getApp(t, ns, "spark-pi").GetResourceVersion()
		args := []string{"place", "-n", ns, "-f", gitopsManifest, "--executors=eci", tc.flag}
		if tc.flag != "--diff" {
			args = append(args, "-o", "name")
		}
		stdout, stderr, code := runPlugin(t, args...)
		if code != 0 || !strings.Contains(stderr, skipped) || strings.Count(stderr, "Skipped") != 1 {
			t.Errorf("%s: exit %d, stderr %q, want it to say once %q", tc.name, code, stderr, skipped)
		}
		if tc.flag != "--diff" && stdout != names {
			t.Errorf("%s: stdout %q, want %q", tc.name, stdout, names)
		}
		if tc.flag == "--diff" && (strings.Count(stdout, "+++ ") != 3 || strings.Contains(stdout, "spark-conf\n")) {
			t.Errorf("--diff: want the three applications' diffs:\n%s", stdout)
		}
		if tc.flag != "--diff" && getApp(t, ns, "spark-pi").GetResourceVersion() != before {
			t.Errorf("%s changed spark-pi", tc.name)
		}
	}

	stdout, stderr, code := runPlugin(t, "place", "-n", ns, "-f", gitopsManifest, "--executors=eci", "-o", "name")
	if code != 0 || stdout != names || !strings.Contains(stderr, skipped) || strings.Count(stderr, "Skipped") != 1 {
		t.Fatalf("place: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if !placedExecutors(t, ns, "spark-pi") {
		t.Error("spark-pi was not placed")
	}
	if !strings.Contains(field(t, getObject(t, scheduledSparkAppGVR, ns, "nightly").Object, "spec", "template", "executor", "tolerations"), "virtual-kubelet.io/provider") {
		t.Error("nightly was not placed")
	}
	// The API server validated the SparkConnect against the operator's CRD,
	// which keeps its templates as they are written.
	connect := getObject(t, sparkConnectGVR, ns, "spark-connect").Object
	if !strings.Contains(field(t, connect, "spec", "executor", "template", "spec", "tolerations"), "virtual-kubelet.io/provider") {
		t.Error("spark-connect was not placed")
	}
	if got := field(t, connect, "spec", "server"); got != `{"template":{"metadata":{"annotations":{"team":"ml"}},"spec":{"serviceAccount":"spark"}}}` {
		t.Errorf("spark-connect's server changed: %s", got)
	}
	// SparkConnects by type, as kubectl names them.
	stdout, stderr, code = runPlugin(t, "place", "-n", ns, "sparkconnects", "--all", "--driver=eci")
	if want := "sparkconnect.sparkoperator.k8s.io/spark-connect placed (server: eci, executors: eci)\n"; code != 0 || stdout != want ||
		!strings.Contains(stderr, "spark-connect: no server yet: the operator creates it with this placement") {
		t.Errorf("place sparkconnects --all: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	connect = getObject(t, sparkConnectGVR, ns, "spark-connect").Object
	if !strings.Contains(field(t, connect, "spec", "server", "template", "spec", "tolerations"), "virtual-kubelet.io/provider") {
		t.Error("the server of spark-connect was not placed")
	}
	core := cluster.client.CoreV1()
	if _, err := core.ConfigMaps(ns).Get(t.Context(), "spark-conf", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the ConfigMap of the manifest was written: %v", err)
	}
	if _, err := core.ServiceAccounts(ns).Get(t.Context(), "spark", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the ServiceAccount of the manifest was written: %v", err)
	}

	onlyOthers := filepath.Join(t.TempDir(), "conf.yaml")
	if err := os.WriteFile(onlyOthers, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: spark-conf}\ndata: {a: b}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = runPlugin(t, "place", "-n", ns, "-f", onlyOthers, "--executors=eci")
	if want := `"spark-conf" is a ConfigMap: place works on SparkApplications, ScheduledSparkApplications and SparkConnects`; code == 0 || stdout != "" ||
		strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) {
		t.Errorf("a manifest without a Spark application: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
