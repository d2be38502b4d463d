//go:build e2e

package e2e

import (
	"context"
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
			`"configmap" is a ConfigMap: place works on SparkApplications, ScheduledSparkApplications and SparkConnects`},
		{"unknown kind", "", []string{"place", "-n", ns, "sparkjob/x", "--executors=eci"},
			`the server has no resource type "sparkjob"`},
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

// With no CRD the plugin says the operator is missing. The test removes the
// ScheduledSparkApplication CRD and installs it again afterwards.
func TestPlaceWithoutTheCRD(t *testing.T) {
	ctx := t.Context()
	crds := cluster.dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	name := "scheduledsparkapplications.sparkoperator.k8s.io"
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
		resources, err := cluster.client.Discovery().ServerResourcesForGroupVersion("sparkoperator.k8s.io/v1beta2")
		if err != nil {
			return apierrors.IsNotFound(err), nil
		}
		for _, r := range resources.APIResources {
			if r.Name == "scheduledsparkapplications" {
				return false, nil
			}
		}
		return true, nil
	}); err != nil {
		t.Fatalf("CRD not deleted: %v", err)
	}

	ns := newNamespace(t)
	_, stderr, code := runPlugin(t, "place", "-n", ns, "scheduledsparkapplication/nightly", "--executors=eci")
	if code == 0 || strings.Count(stderr, "\n") != 1 ||
		!strings.Contains(stderr, "error: the server does not serve SparkApplications (sparkoperator.k8s.io/v1beta2): is the Kubeflow Spark Operator installed?") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
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
