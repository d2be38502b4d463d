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
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/pkg/doctor"
)

var (
	resourcePolicyGVR = schema.GroupVersionResource{Group: "scheduling.alibabacloud.com", Version: "v1alpha1", Resource: "resourcepolicies"}
	crdGVR            = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
)

// ensureResourcePolicyCRD installs the stand-in for ACK's ResourcePolicy CRD.
func ensureResourcePolicyCRD(t *testing.T) {
	t.Helper()
	ensureCRD(t, "resourcepolicy-crd.yaml", cluster.dyn.Resource(resourcePolicyGVR).Namespace("default"))
}

// ensureCRD installs a stand-in CRD from testdata and waits until its
// resources are served (listed through served). It stays installed for the
// rest of the run: a test that needs it absent runs against a bare API server
// of its own, so no test depends on the order the others run in.
func ensureCRD(t *testing.T, file string, served dynamic.ResourceInterface) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	crd := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(data, &crd.Object); err != nil {
		t.Fatal(err)
	}
	_, err = cluster.dyn.Resource(crdGVR).Create(t.Context(), crd, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("creating the CRD of %s: %v", file, err)
	}
	err = wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := served.List(ctx, metav1.ListOptions{Limit: 1})
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("the CRD of %s is not served: %v", file, err)
	}
}

// bareCluster starts a second API server, with nothing installed (no CRDs,
// no nodes, no webhooks), for as long as the test runs, and returns an admin
// kubeconfig for it. The shared cluster cannot be made bare without changing
// what the other tests see.
func bareCluster(t *testing.T) string {
	t.Helper()
	cp, err := startControlPlane(controlPlaneSpec{assets: cluster.assets, dir: t.TempDir()})
	if err != nil {
		t.Fatalf("starting a bare API server: %v", err)
	}
	t.Cleanup(func() {
		if err := cp.env.Stop(); err != nil {
			t.Errorf("stopping the bare API server: %v", err)
		}
	})
	return cp.kubeconfig
}

func getPolicy(t *testing.T, ns, name string) *unstructured.Unstructured {
	t.Helper()
	return getObject(t, resourcePolicyGVR, ns, name)
}

func policyExists(t *testing.T, ns, name string) bool {
	t.Helper()
	_, err := cluster.dyn.Resource(resourcePolicyGVR).Namespace(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

func mustResourcePolicy(t *testing.T, ns string, args ...string) (stdout, stderr string) {
	t.Helper()
	stdout, stderr, code := runPlugin(t, append([]string{"resource-policy", "-n", ns}, args...)...)
	if code != 0 {
		t.Fatalf("resource-policy %v: exit %d: %s", args, code, stderr)
	}
	return stdout, stderr
}

// seedPolicySpec is the spec of the guide's ResourcePolicy, with the selector
// of the application's pods.
func seedPolicySpec(t *testing.T, app string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "pkg", "resourcepolicy", "testdata", "seed.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	seed := parseYAML(t, string(data))
	spec := seed["spec"].(map[string]interface{})
	spec["selector"] = map[string]interface{}{"sparkoperator.k8s.io/app-name": app}
	return field(t, seed, "spec")
}

// Create, dry runs, idempotence, update, a user's edit surviving an update,
// and delete, all on the real API server with the CRD's schema.
func TestResourcePolicyLifecycle(t *testing.T) {
	ensureResourcePolicyCRD(t)
	ns := newNamespace(t)
	createSeedApp(t, ns, "spark-pi")
	seedArgs := []string{"spark-pi", "--unit", "ecs:2:kubernetes.io/arch=amd64", "--unit", "eci:3"}

	// Client dry run: the object, not sent.
	stdout, _ := mustResourcePolicy(t, ns, append(seedArgs, "--dry-run=client", "-o", "yaml")...)
	if got := field(t, parseYAML(t, stdout), "spec"); got != seedPolicySpec(t, "spark-pi") {
		t.Errorf("client dry run spec:\ngot  %s\nwant %s", got, seedPolicySpec(t, "spark-pi"))
	}
	// Server dry run: validated by the server, not stored.
	stdout, _ = mustResourcePolicy(t, ns, append(seedArgs, "--dry-run=server")...)
	if stdout != "resourcepolicy.scheduling.alibabacloud.com/spark-pi created (server dry run)\n" {
		t.Errorf("server dry run: %q", stdout)
	}
	if policyExists(t, ns, "spark-pi") {
		t.Fatal("a dry run created the policy")
	}

	// Create: the guide's policy for this app, owned by the plugin's manager.
	stdout, stderr := mustResourcePolicy(t, ns, seedArgs...)
	if stdout != "resourcepolicy.scheduling.alibabacloud.com/spark-pi created\n" {
		t.Errorf("create: %q", stdout)
	}
	if !strings.Contains(stderr, "Warning: spark-pi: the driver pods and executors do not tolerate the taint virtual-kubelet.io/provider=alibabacloud:NoSchedule") ||
		!strings.Contains(stderr, "--place") {
		t.Errorf("no warning about the missing toleration: %q", stderr)
	}
	policy := getPolicy(t, ns, "spark-pi")
	if got := field(t, policy.Object, "spec"); got != seedPolicySpec(t, "spark-pi") {
		t.Errorf("stored spec:\ngot  %s\nwant %s", got, seedPolicySpec(t, "spark-pi"))
	}
	applied := false
	for _, mf := range policy.GetManagedFields() {
		applied = applied || mf.Manager == "kubectl-spark-eci" && mf.Operation == metav1.ManagedFieldsOperationApply
	}
	if !applied {
		t.Errorf("not applied by kubectl-spark-eci: %+v", policy.GetManagedFields())
	}

	// Again: nothing changes.
	stdout, _ = mustResourcePolicy(t, ns, seedArgs...)
	if stdout != "resourcepolicy.scheduling.alibabacloud.com/spark-pi unchanged\n" {
		t.Errorf("second run: %q", stdout)
	}
	if rv := getPolicy(t, ns, "spark-pi").GetResourceVersion(); rv != policy.GetResourceVersion() {
		t.Errorf("second run wrote the policy: resourceVersion %s → %s", policy.GetResourceVersion(), rv)
	}

	// A user edits the policy with their own tool: a label, a field the plugin
	// does not set, and one it does.
	edited := getPolicy(t, ns, "spark-pi")
	edited.SetLabels(map[string]string{"team": "ml"})
	if err := unstructured.SetNestedMap(edited.Object, map[string]interface{}{"policy": "ExceedMax"}, "spec", "whenTryNextUnits"); err != nil {
		t.Fatal(err)
	}
	if err := unstructured.SetNestedField(edited.Object, "BeforeNextUnit", "spec", "preemptPolicy"); err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.dyn.Resource(resourcePolicyGVR).Namespace(ns).Update(t.Context(), edited, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	stdout, _ = mustResourcePolicy(t, ns, "spark-pi", "--ecs-max=4", "--eci-max=3")
	if stdout != "resourcepolicy.scheduling.alibabacloud.com/spark-pi configured\n" {
		t.Errorf("update: %q", stdout)
	}
	policy = getPolicy(t, ns, "spark-pi")
	for _, c := range []struct {
		path []string
		want string
	}{
		{[]string{"spec", "units"}, `[{"max":4,"resource":"ecs"},{"max":3,"resource":"eci"}]`},
		{[]string{"spec", "whenTryNextUnits"}, `{"policy":"ExceedMax"}`}, // the user's, kept
		{[]string{"metadata", "labels"}, `{"team":"ml"}`},                // the user's, kept
		{[]string{"spec", "preemptPolicy"}, `"AfterAllUnits"`},           // asked for again
		{[]string{"spec", "selector"}, `{"sparkoperator.k8s.io/app-name":"spark-pi"}`},
	} {
		if got := field(t, policy.Object, c.path...); got != c.want {
			t.Errorf("after update, %v = %s, want %s", c.path, got, c.want)
		}
	}

	// whenTryNextUnits when asked for.
	mustResourcePolicy(t, ns, "spark-pi", "--ecs-max=4", "--eci-max=3", "--when-try-next-units=TimeoutOrExceedMax", "--when-try-next-units-timeout=1m")
	if got := field(t, getPolicy(t, ns, "spark-pi").Object, "spec", "whenTryNextUnits"); got != `{"policy":"TimeoutOrExceedMax","timeout":"1m0s"}` {
		t.Errorf("whenTryNextUnits = %s", got)
	}

	// Delete: dry runs keep it, then it goes, then deleting again is no error.
	for _, dryRun := range []string{"--dry-run=client", "--dry-run=server"} {
		stdout, _ = mustResourcePolicy(t, ns, "spark-pi", "--delete", dryRun)
		if !strings.HasPrefix(stdout, "resourcepolicy.scheduling.alibabacloud.com/spark-pi deleted (") || !policyExists(t, ns, "spark-pi") {
			t.Errorf("delete %s: %q", dryRun, stdout)
		}
	}
	stdout, _ = mustResourcePolicy(t, ns, "spark-pi", "--delete")
	if stdout != "resourcepolicy.scheduling.alibabacloud.com/spark-pi deleted\n" || policyExists(t, ns, "spark-pi") {
		t.Errorf("delete: %q", stdout)
	}
	stdout, stderr = mustResourcePolicy(t, ns, "spark-pi", "--delete")
	if stdout != "" || !strings.Contains(stderr, "nothing to delete") {
		t.Errorf("second delete: %q %q", stdout, stderr)
	}
}

// --place gives the app the guide's toleration through place itself: it
// refuses an active app without --restart, before anything is written.
func TestResourcePolicyPlace(t *testing.T) {
	ensureResourcePolicyCRD(t)
	ns := newNamespace(t)
	createSeedApp(t, ns, "spark-pi")
	toleration := `[{"effect":"NoSchedule","key":"virtual-kubelet.io/provider","operator":"Equal","value":"alibabacloud"}]`

	stdout, stderr := mustResourcePolicy(t, ns, "spark-pi", "--ecs-max=2", "--eci-max=3", "--place")
	if !strings.Contains(stdout, "resourcepolicy.scheduling.alibabacloud.com/spark-pi created\n") ||
		!strings.Contains(stdout, "sparkapplication.sparkoperator.k8s.io/spark-pi placed (driver: any, executors: any)") {
		t.Errorf("--place: %q", stdout)
	}
	if strings.Contains(stderr, "do not tolerate") {
		t.Errorf("warned about what --place fixes: %q", stderr)
	}
	app := getApp(t, ns, "spark-pi")
	for _, role := range []string{"driver", "executor"} {
		if got := field(t, app.Object, "spec", role, "tolerations"); got != toleration {
			t.Errorf("%s tolerations = %s", role, got)
		}
		if got := field(t, app.Object, "spec", role, "affinity"); got != "null" {
			t.Errorf("%s affinity = %s", role, got)
		}
	}
	stdout, _ = mustResourcePolicy(t, ns, "spark-pi", "--ecs-max=2", "--eci-max=3", "--place")
	if !strings.Contains(stdout, "spark-pi unchanged") || strings.Contains(stdout, "placed") {
		t.Errorf("second --place: %q", stdout)
	}
	if rv := getApp(t, ns, "spark-pi").GetResourceVersion(); rv != app.GetResourceVersion() {
		t.Error("second --place wrote the application")
	}

	// -o yaml: both objects, one YAML stream.
	stdout, _ = mustResourcePolicy(t, ns, "spark-pi", "--ecs-max=2", "--eci-max=3", "--place", "--dry-run=server", "-o", "yaml")
	docs := strings.Split(stdout, "\n---\n")
	if len(docs) != 2 || parseYAML(t, docs[0])["kind"] != "ResourcePolicy" || parseYAML(t, docs[1])["kind"] != "SparkApplication" {
		t.Errorf("-o yaml with --place: %q", stdout)
	}

	// An active application: refused, and nothing written.
	createSeedApp(t, ns, "running")
	setAppState(t, ns, "running", "RUNNING")
	before := getApp(t, ns, "running").GetResourceVersion()
	_, stderr, code := runPlugin(t, "resource-policy", "-n", ns, "running", "--ecs-max=2", "--eci-max=3", "--place")
	if code == 0 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "refusing to change an active application without --restart") ||
		!strings.Contains(stderr, "state RUNNING") {
		t.Errorf("active app: exit %d, %q", code, stderr)
	}
	if policyExists(t, ns, "running") || getApp(t, ns, "running").GetResourceVersion() != before {
		t.Error("a refused --place changed something")
	}
	_, stderr = mustResourcePolicy(t, ns, "running", "--ecs-max=2", "--eci-max=3", "--place", "--restart")
	if !strings.Contains(stderr, "will kill the driver and executors") {
		t.Errorf("--restart: %q", stderr)
	}
	if got := field(t, getApp(t, ns, "running").Object, "spec", "executor", "tolerations"); got != toleration {
		t.Errorf("--restart: executor tolerations = %s", got)
	}
}

// Each bad input: one line, a non-zero exit, nothing created.
func TestResourcePolicyBadInput(t *testing.T) {
	ensureResourcePolicyCRD(t)
	ns := newNamespace(t)
	createSeedApp(t, ns, "spark-pi")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no units", []string{"spark-pi"}, "no units"},
		{"unknown resource kind", []string{"spark-pi", "--unit", "ecs:2", "--unit", "gpu:3"}, `unknown resource kind "gpu"`},
		{"negative max", []string{"spark-pi", "--ecs-max=2", "--eci-max=-3"}, "--eci-max: max -3 is negative"},
		{"app not found", []string{"nope", "--ecs-max=2"}, `sparkapplication "nope" not found in namespace "` + ns + `"`},
		{"place without an app", []string{"nope", "--ecs-max=2", "--selector", "team=ml", "--place"}, `--place needs the SparkApplication "nope"`},
		{"namespace missing", []string{"spark-pi", "--ecs-max=2", "-n", "no-such-namespace"}, `namespace "no-such-namespace" not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runPlugin(t, append([]string{"resource-policy", "-n", ns}, tc.args...)...)
			if code == 0 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want one line with %q", code, stdout, stderr, tc.want)
			}
			list, err := cluster.dyn.Resource(resourcePolicyGVR).Namespace(ns).List(t.Context(), metav1.ListOptions{})
			if err != nil || len(list.Items) != 0 {
				t.Errorf("policies after a refused run: %v %v", list, err)
			}
		})
	}

	// With --selector no application is needed.
	stdout, _ := mustResourcePolicy(t, ns, "team-ml", "--selector", "team=ml", "--unit", "ecs:20", "--unit", "eci")
	if stdout != "resourcepolicy.scheduling.alibabacloud.com/team-ml created\n" {
		t.Errorf("--selector: %q", stdout)
	}
	policy := getPolicy(t, ns, "team-ml")
	if got := field(t, policy.Object, "spec", "selector"); got != `{"team":"ml"}` {
		t.Errorf("selector = %s", got)
	}
	if got := field(t, policy.Object, "spec", "units"); got != `[{"max":20,"resource":"ecs"},{"resource":"eci"}]` {
		t.Errorf("units = %s", got)
	}
}

// Without the CRD (a bare API server: the shared one has it once any test
// installed it), the error names the CRD and ACK's scheduler, and nothing is
// created.
func TestResourcePolicyCRDAbsent(t *testing.T) {
	kubeconfig := bareCluster(t)
	for _, args := range [][]string{
		{"spark-pi", "--ecs-max=2", "--eci-max=3"},
		{"team-ml", "--selector", "team=ml", "--eci-max=3"},
		{"spark-pi", "--delete"},
	} {
		stdout, stderr, code := runPluginAs(t, kubeconfig, append([]string{"resource-policy", "-n", "default"}, args...)...)
		if code == 0 || stdout != "" || strings.Count(stderr, "\n") != 1 ||
			!strings.Contains(stderr, "resource-policy needs ACK's scheduler") ||
			!strings.Contains(stderr, "resourcepolicies.scheduling.alibabacloud.com at v1alpha1") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}

// The rights doctor lists for resource-policy are enough to run it, --place
// and --delete included; without patch on the policies it is forbidden and
// changes nothing.
func TestResourcePolicyRights(t *testing.T) {
	ensureResourcePolicyCRD(t)
	ns := newNamespace(t)
	createSeedApp(t, ns, "spark-pi")
	var rules []rbacv1.PolicyRule
	for _, c := range doctor.Commands {
		if c.Name != "resource-policy" {
			continue
		}
		for _, n := range c.Needs {
			rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{n.Group}, Resources: []string{n.Resource}, Verbs: []string{n.Verb}})
		}
	}
	user := newUser(t, ns, "rp-user-"+ns, rules)
	for _, args := range [][]string{
		{"spark-pi", "--ecs-max=2", "--eci-max=3", "--place"},
		{"spark-pi", "--ecs-max=3", "--eci-max=3"},
		{"spark-pi", "--delete"},
	} {
		if _, stderr, code := runPluginAs(t, user, append([]string{"resource-policy", "-n", ns}, args...)...); code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
	}

	// Server-side apply needs create as well as patch when the object is new.
	for _, verb := range []string{"patch", "create"} {
		var without []rbacv1.PolicyRule
		for _, r := range rules {
			if r.Resources[0] != "resourcepolicies" || r.Verbs[0] != verb {
				without = append(without, r)
			}
		}
		name := "rp-no-" + verb + "-" + ns
		_, stderr, code := runPluginAs(t, newUser(t, ns, name, without), "resource-policy", "-n", ns, "spark-pi", "--ecs-max=2")
		if code == 0 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, `cannot `+verb+` resource "resourcepolicies"`) {
			t.Errorf("without %s: exit %d, %q", verb, code, stderr)
		}
		if policyExists(t, ns, "spark-pi") {
			t.Errorf("a run without %s created the policy", verb)
		}
	}
}

// Under the operator's PartialRestart gate, read from its Deployment,
// resource-policy --place lets through what place lets through: a change of
// the executors' placement alone, to a running application, which restarts
// nothing; a change of the driver's too is refused, as place refuses it.
func TestResourcePolicyPlaceUnderPartialRestart(t *testing.T) {
	ensureResourcePolicyCRD(t)
	ns := newNamespace(t)
	createOperatorDeployment(t, ns, "2.5.2", "PartialRestart=true")
	const toleration = `[{"effect":"NoSchedule","key":"virtual-kubelet.io/provider","operator":"Equal","value":"alibabacloud"}]`

	createSeedApp(t, ns, "driver-on-eci")
	// The driver tolerates the taint already, with no affinity.
	if _, err := cluster.dyn.Resource(sparkAppGVR).Namespace(ns).Patch(t.Context(), "driver-on-eci", types.MergePatchType,
		[]byte(`{"spec":{"driver":{"tolerations":`+toleration+`}}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	setAppState(t, ns, "driver-on-eci", "RUNNING")
	_, stderr := mustResourcePolicy(t, ns, "driver-on-eci", "--ecs-max=2", "--eci-max=3", "--place")
	if !strings.Contains(stderr, "under the operator's PartialRestart gate it goes on running") {
		t.Errorf("stderr %q, want what the gate does", stderr)
	}
	if got := field(t, getApp(t, ns, "driver-on-eci").Object, "spec", "executor", "tolerations"); got != toleration {
		t.Errorf("executor tolerations = %s", got)
	}

	createSeedApp(t, ns, "on-ecs")
	setAppState(t, ns, "on-ecs", "RUNNING")
	_, stderr, code := runPlugin(t, "resource-policy", "-n", ns, "on-ecs", "--ecs-max=2", "--eci-max=3", "--place")
	_, placeStderr, placeCode := runPlugin(t, "place", "-n", ns, "on-ecs", "--driver=eci-first", "--executors=eci-first")
	if code == 0 || placeCode == 0 || !strings.Contains(stderr, "error: refusing to change an active application without --restart") ||
		!strings.Contains(placeStderr, "error: refusing to change an active application without --restart") {
		t.Errorf("a change of the driver too: resource-policy exit %d, %q; place exit %d, %q", code, stderr, placeCode, placeStderr)
	}
}
