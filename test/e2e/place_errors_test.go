//go:build e2e

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

var readSparkApps = []rbacv1.PolicyRule{{
	APIGroups: []string{"sparkoperator.k8s.io"},
	Resources: []string{"sparkapplications", "scheduledsparkapplications"},
	Verbs:     []string{"get", "list", "watch"},
}}

// Bad input: one line on stderr, non-zero exit, nothing changed.
func TestPlaceBadInputChangesNothing(t *testing.T) {
	ns := newNamespace(t)
	createSeedApp(t, ns, "spark-pi")
	before := getApp(t, ns, "spark-pi")
	reader := newUser(t, ns, "reader-"+ns, readSparkApps)

	for _, tc := range []struct {
		name    string
		as      string
		args    []string
		wantErr string
	}{
		{"unknown app", "", []string{"place", "-n", ns, "nope", "--executors=eci"},
			`sparkapplications.sparkoperator.k8s.io "nope" not found`},
		{"one unknown among many", "", []string{"place", "-n", ns, "spark-pi", "nope", "--executors=eci"},
			`"nope" not found`},
		{"wrong kind", "", []string{"place", "-n", ns, "configmap/kube-root-ca.crt", "--executors=eci"},
			`place takes SparkApplications, ScheduledSparkApplications or SparkConnects (NAME, app/NAME, scheduledsparkapplication/NAME or sparkconnect/NAME), not "configmap/kube-root-ca.crt"`},
		{"unknown kind", "", []string{"place", "-n", ns, "sparkjob/x", "--executors=eci"},
			`not "sparkjob/x"`},
		{"namespace missing", "", []string{"place", "-n", "no-such-namespace", "spark-pi", "--executors=eci"},
			`namespace "no-such-namespace" not found`},
		{"forbidden", reader, []string{"place", "-n", ns, "spark-pi", "--executors=eci"},
			`is forbidden: User "reader-` + ns + `" cannot patch resource "sparkapplications"`},
		{"empty selector match", "", []string{"place", "-n", ns, "-l", "team=none", "--executors=eci"},
			`no applications found in namespace "` + ns + `"`},
		{"spot for ECS executors", "", []string{"place", "-n", ns, "spark-pi", "--spot"},
			"spark-pi: --spot: the executors cannot run on virtual nodes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kubeconfig := tc.as
			if kubeconfig == "" {
				kubeconfig = cluster.kubeconfig
			}
			stdout, stderr, code := runPluginAs(t, kubeconfig, tc.args...)
			if code == 0 || stdout != "" {
				t.Fatalf("exit %d, stdout %q", code, stdout)
			}
			if !strings.HasPrefix(stderr, "error: ") || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("stderr = %q, want one error line with %q", stderr, tc.wantErr)
			}
			if after := getApp(t, ns, "spark-pi"); after.GetResourceVersion() != before.GetResourceVersion() {
				t.Errorf("the application was written")
			}
		})
	}
}

// removeCRD deletes a CRD until the test ends, and waits until discovery no
// longer serves its resource.
func removeCRD(t *testing.T, resource, groupVersion string) {
	t.Helper()
	ctx := t.Context()
	crds := cluster.dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	name := resource + ".sparkoperator.k8s.io"
	if err := crds.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := envtest.InstallCRDs(cluster.cfg, envtest.CRDInstallOptions{Paths: []string{cluster.assets + "/crds"}}); err != nil {
			t.Errorf("reinstalling the CRDs: %v", err)
		}
	})
	// Gone from discovery too, not only as an object: discovery lags the
	// deletion, and until it catches up the type still resolves.
	if err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		if _, err := crds.Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return false, nil
		}
		resources, err := cluster.client.Discovery().ServerResourcesForGroupVersion(groupVersion)
		if err != nil {
			return apierrors.IsNotFound(err), nil
		}
		for _, r := range resources.APIResources {
			if r.Name == resource {
				return false, nil
			}
		}
		return true, nil
	}); err != nil {
		t.Fatalf("CRD not deleted: %v", err)
	}
}

// A kind whose CRD is missing is named for what it is. The test removes a
// CRD and installs the CRDs again afterwards.
func TestPlaceWithoutTheCRD(t *testing.T) {
	t.Run("ScheduledSparkApplication", func(t *testing.T) {
		removeCRD(t, "scheduledsparkapplications", "sparkoperator.k8s.io/v1beta2")
		ns := newNamespace(t)
		_, stderr, code := runPlugin(t, "place", "-n", ns, "scheduledsparkapplication/nightly", "--executors=eci")
		if code == 0 || strings.Count(stderr, "\n") != 1 ||
			!strings.Contains(stderr, "error: the server does not serve ScheduledSparkApplications (sparkoperator.k8s.io/v1beta2): is the Kubeflow Spark Operator installed?") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})

	// An operator before v2.3 serves no SparkConnect: that is what a
	// SparkConnect named is told, not that the operator is missing; -l,
	// --all and -f go on without them.
	t.Run("SparkConnect", func(t *testing.T) {
		ensureImageCacheCRD(t) // image-cache create is asked too
		ns := newNamespace(t)
		createSeedApp(t, ns, "spark-pi")
		removeCRD(t, "sparkconnects", "sparkoperator.k8s.io/v1alpha1")
		const notServed = "the server does not serve SparkConnects (sparkoperator.k8s.io/v1alpha1): they come with the Kubeflow Spark Operator v2.3.0 and later"
		for _, args := range [][]string{
			{"place", "-n", ns, "sparkconnect/spark-connect", "--executors=eci"},
			{"status", "-n", ns, "sparkconnect/spark-connect"},
			{"image-cache", "create", "-n", ns, "sparkconnect/spark-connect", "--dry-run=client"},
		} {
			_, stderr, code := runPlugin(t, args...)
			if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "error: "+notServed) {
				t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
			}
		}
		stdout, stderr, code := runPlugin(t, "place", "-n", ns, "--all", "--preset=ecs-only", "--dry-run=server", "-o", "name")
		if code != 0 || stdout != "sparkapplication.sparkoperator.k8s.io/spark-pi\n" {
			t.Errorf("place --all: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		if stdout, stderr, code = runPlugin(t, "status", "-n", ns, "-l", "!nothing", "-o", "json"); code != 0 || !strings.Contains(stdout, `"name": "spark-pi"`) {
			t.Errorf("status -l: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}

		manifest := filepath.Join(t.TempDir(), "apps.yaml")
		if err := os.WriteFile(manifest, []byte(strings.TrimSpace(sparkPi)+"\n---\n"+strings.TrimSpace(sparkConnectManifest)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code = runPlugin(t, "place", "-n", ns, "-f", manifest, "--preset=ecs-only", "--dry-run=server", "-o", "name")
		if code != 0 || stdout != "sparkapplication.sparkoperator.k8s.io/spark-pi\n" || stderr != "Skipped 1 document: "+notServed+" (no matches for kind \"SparkConnect\" in version \"sparkoperator.k8s.io/v1alpha1\")\n" {
			t.Errorf("place -f: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		connectOnly := filepath.Join(t.TempDir(), "connect.yaml")
		if err := os.WriteFile(connectOnly, []byte(sparkConnectManifest), 0o644); err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code = runPlugin(t, "place", "-n", ns, "-f", connectOnly, "--preset=ecs-only")
		if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "error: "+notServed) {
			t.Errorf("place -f with only what is not served: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	})
}

// Rule 7: without the operator's pod webhook, tolerations and affinity in the
// spec never reach the pods, and place says so.
func TestPlaceWarnsWithoutTheOperatorWebhook(t *testing.T) {
	ns := newNamespace(t)
	createSeedApp(t, ns, "spark-pi")
	const warning = "Warning: no mutating webhook of the Spark operator selects Spark pods"

	_, stderr := mustPlace(t, ns, "spark-pi", "--executors=eci")
	if !strings.Contains(stderr, warning) || !strings.Contains(stderr, "--via=template") {
		t.Errorf("no webhook: stderr = %q", stderr)
	}
	_, stderr = mustPlace(t, ns, "spark-pi", "--executors=eci-first", "--via=template")
	if strings.Contains(stderr, warning) {
		t.Errorf("--via=template needs no webhook, yet: %q", stderr)
	}

	// A user who may not list webhook configurations gets no warning and no error.
	placer := newUser(t, ns, "placer-"+ns, []rbacv1.PolicyRule{{
		APIGroups: []string{"sparkoperator.k8s.io"}, Resources: []string{"sparkapplications"},
		Verbs: []string{"get", "list", "patch"},
	}})
	stdout, stderr, code := runPluginAs(t, placer, "place", "-n", ns, "spark-pi", "--executors=ecs-first")
	if code != 0 || strings.Contains(stderr, "Warning") || !strings.Contains(stdout, "placed") {
		t.Errorf("forbidden check: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	// The operator's webhook, configured as its Helm chart does.
	createPodWebhook(t, ns)
	_, stderr = mustPlace(t, ns, "spark-pi", "--executors=eci")
	if strings.Contains(stderr, warning) {
		t.Errorf("webhook present, yet: %q", stderr)
	}
}

// The built binary through the real kubectl, as a user runs it.
func TestPlaceThroughKubectl(t *testing.T) {
	ns := newNamespace(t)
	createSeedApp(t, ns, "spark-pi")
	stdout, stderr, code := runKubectl(t, cluster.kubeconfig, "spark-eci", "place", "spark-pi", "-n", ns, "--preset=driver-on-ecs", "--image-cache=auto")
	if code != 0 || stdout != "sparkapplication.sparkoperator.k8s.io/spark-pi placed (driver: ecs, executors: eci)\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	app := getApp(t, ns, "spark-pi").Object
	want := parseYAML(t, seedManifest(t, "driver-on-ecs"))
	for _, role := range []string{"driver", "executor"} {
		if g, w := field(t, app, "spec", role, "affinity"), field(t, want, "spec", role, "affinity"); g != w {
			t.Errorf("%s affinity = %s, want %s", role, g, w)
		}
	}
	if got := field(t, app, "spec", "executor", "annotations"); got != `{"k8s.aliyun.com/eci-image-cache":"true"}` {
		t.Errorf("executor annotations = %s", got)
	}

	stdout, stderr, code = runKubectl(t, cluster.kubeconfig, "spark-eci", "place", "nope", "-n", ns, "--preset=eci-only")
	if code == 0 || stdout != "" || stderr != `error: sparkapplications.sparkoperator.k8s.io "nope" not found`+"\n" {
		t.Errorf("unknown app through kubectl: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
