//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/pkg/doctor"
	"github.com/spark-eci/kubectl-spark-eci/pkg/podplacement"
)

func readRBAC(t *testing.T, file string, into interface{}) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "rbac", file))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(b, into); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// A user bound to deploy/rbac/role.yaml runs every command in its namespace;
// the same role without patch gets a clear "forbidden" and changes nothing.
func TestRoleGrantsEveryCommand(t *testing.T) {
	ns := newNamespace(t)
	ecs, eci := ensureNodes(t)
	var role rbacv1.Role
	readRBAC(t, "role.yaml", &role)
	user := newUser(t, ns, "spark-user-"+ns, role.Rules)

	createSeedApp(t, ns, "spark-pi")
	stdout, stderr, code := runPluginAs(t, user, "place", "-n", ns, "spark-pi", "--preset=driver-on-ecs", "--spot")
	if code != 0 || !strings.Contains(stdout, "placed (driver: ecs, executors: eci)") {
		t.Fatalf("place: exit %d, %q %q", code, stdout, stderr)
	}
	if _, stderr, code := runPluginAs(t, user, "place", "-n", ns, "--all", "--image-cache=auto"); code != 0 {
		t.Errorf("place --all: exit %d: %s", code, stderr)
	}

	at := time.Now().Truncate(time.Second)
	pod := sparkPod(t, ns, "spark-pi", "spark-pi-exec-1", "executor", eci)
	pullCacheHit(t, pod, at, "imc-rbac1")
	stdout, stderr, code = runPluginAs(t, user, "cache-report", "-n", ns, "app/spark-pi")
	if code != 0 || !strings.Contains(rowText(stdout, "spark-pi-exec-1"), "hit imc-rbac1") {
		t.Errorf("cache-report: exit %d, %q %q", code, stdout, stderr)
	}
	// Without the right to list nodes, virtual nodes are told by their name.
	if !strings.Contains(rowText(stdout, "spark-pi-exec-1"), " ECI ") {
		t.Errorf("cache-report without node rights: %q", stdout)
	}
	waiting := sparkPod(t, ns, "spark-pi", "spark-pi-exec-2", "executor", eci)
	podEvent(t, waiting, "kubelet", corev1.EventTypeNormal, "Pulling", `Pulling image "`+sparkImage+`"`, at, at, 1)
	if _, stderr, code := runPluginAs(t, user, "cache-report", "-n", ns, waiting.Name, "--timeout=1s"); code != 124 || !strings.Contains(stderr, "error: timed out after 1") {
		t.Errorf("cache-report --wait (watch): exit %d, %q", code, stderr)
	}

	sparkPod(t, ns, "spark-pi", "spark-pi-driver", "driver", ecs)
	stdout, stderr, code = runPluginAs(t, user, "status", "-n", ns, "spark-pi", "-o", "json")
	if code != 0 {
		t.Errorf("status: exit %d: %s", code, stderr)
	} else if st := statusJSON(t, stdout); len(st.Applications) != 1 || len(st.Applications[0].Pods) != 3 {
		t.Errorf("status: want spark-pi with its 3 pods, got %s", stdout)
	}
	if _, stderr, code := runPluginAs(t, user, "status", "-n", ns, "spark-pi", "--watch", "--timeout=20s"); code != 0 {
		t.Errorf("status --watch: exit %d: %s", code, stderr)
	}
	stdout, stderr, code = runPluginAs(t, user, "timeline", "-n", ns, "app/spark-pi", "-o", "json")
	if tl := decodeTimeline(t, stdout); code != 0 || strings.Contains(stderr, "Warning") || len(tl.Pods) != 3 || len(tl.Applications) != 1 {
		t.Errorf("timeline: exit %d, %d pods, %d applications, stderr %q", code, len(tl.Pods), len(tl.Applications), stderr)
	}

	ensureResourcePolicyCRD(t)
	for _, args := range [][]string{
		{"resource-policy", "-n", ns, "spark-pi", "--ecs-max=2", "--eci-max=3", "--place"},
		{"resource-policy", "-n", ns, "spark-pi", "--ecs-max=2", "--eci-max=4"},
		{"resource-policy", "-n", ns, "spark-pi", "--delete"},
	} {
		if _, stderr, code := runPluginAs(t, user, args...); code != 0 {
			t.Errorf("%s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
	}

	checks, code := doctorJSON(t, user, "-n", ns)
	for _, name := range []string{"access-place", "access-cache-report", "access-timeline", "access-status", "access-resource-policy"} {
		if checks[name].Status != doctor.OK {
			t.Errorf("doctor %s: %s %s", name, checks[name].Status, checks[name].Message)
		}
	}
	if code != 0 {
		t.Errorf("doctor as a Role user: exit %d", code)
	}

	var readOnly []rbacv1.PolicyRule
	for _, rule := range role.Rules {
		rule.Verbs = slicesWithout(rule.Verbs, "patch")
		readOnly = append(readOnly, rule)
	}
	reader := newUser(t, ns, "spark-reader-"+ns, readOnly)
	before := getApp(t, ns, "spark-pi").GetResourceVersion()
	_, stderr, code = runPluginAs(t, reader, "place", "-n", ns, "spark-pi", "--preset=eci-only")
	if code == 0 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, `cannot patch resource "sparkapplications"`) {
		t.Errorf("without patch: exit %d, %q", code, stderr)
	}
	if getApp(t, ns, "spark-pi").GetResourceVersion() != before {
		t.Error("a forbidden place changed the application")
	}
}

// A user bound to deploy/rbac/clusterrole.yaml works across namespaces, and
// gets the cluster-wide extras: the webhook check and virtual nodes by label.
func TestClusterRoleGrantsEveryCommandEverywhere(t *testing.T) {
	ns := newNamespace(t)
	_, eci := ensureNodes(t)
	var clusterRole rbacv1.ClusterRole
	readRBAC(t, "clusterrole.yaml", &clusterRole)
	name := "spark-admin-" + ns
	user := newUser(t, ns, name, nil)
	bindClusterRole(t, name, clusterRole)

	pod := sparkPod(t, ns, "everywhere", "everywhere-driver", "driver", eci)
	pullCacheHit(t, pod, time.Now().Truncate(time.Second), "imc-cluster1")
	stdout, stderr, code := runPluginAs(t, user, "cache-report", "-A", "-l", "sparkoperator.k8s.io/app-name=everywhere")
	if code != 0 || !strings.Contains(rowText(stdout, "everywhere-driver"), "hit imc-cluster1") {
		t.Fatalf("cache-report -A: exit %d, %q %q", code, stdout, stderr)
	}

	createSeedApp(t, ns, "spark-pi")
	_, stderr, code = runPluginAs(t, user, "place", "-n", ns, "spark-pi", "--executors=eci")
	if code != 0 || !strings.Contains(stderr, "Warning: no mutating webhook of the Spark operator selects Spark pods") {
		t.Errorf("place with the webhook check: exit %d, %q", code, stderr)
	}
	stdout, stderr, code = runPluginAs(t, user, "status", "-A", "-o", "json")
	if code != 0 || strings.Contains(stderr, "cannot list nodes") {
		t.Errorf("status -A: exit %d, %q", code, stderr)
	} else if !slices.ContainsFunc(statusJSON(t, stdout).Applications, func(a podplacement.Application) bool {
		return a.Namespace == ns && a.Name == "spark-pi"
	}) {
		t.Errorf("status -A does not show %s/spark-pi: %s", ns, stdout)
	}
	stdout, stderr, code = runPluginAs(t, user, "timeline", "-A", "-l", "sparkoperator.k8s.io/app-name=everywhere", "-o", "json")
	if tl := decodeTimeline(t, stdout); code != 0 || strings.Contains(stderr, "Warning") || len(tl.Pods) != 1 || tl.Pods[0].Cache != "hit" || tl.Pods[0].NodeKind != "ECI" {
		t.Errorf("timeline -A: exit %d, %+v, stderr %q", code, tl.Pods, stderr)
	}
	_, stderr, code = runPluginAs(t, user, "place", "-n", "no-such-namespace", "spark-pi", "--executors=eci")
	if code == 0 || !strings.Contains(stderr, `namespace "no-such-namespace" not found`) {
		t.Errorf("missing namespace: exit %d, %q", code, stderr)
	}
}

func slicesWithout(s []string, drop string) []string {
	var out []string
	for _, v := range s {
		if v != drop {
			out = append(out, v)
		}
	}
	return out
}
