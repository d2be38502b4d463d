//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/pkg/cmd"
)

// cluster is the control plane every test shares; TestMain fills it in.
var cluster struct {
	controlPlane
	mapper *restmapper.DeferredDiscoveryRESTMapper
	assets string // binaries; the CRDs are in assets/crds
	tmp    string // removed after the tests
}

var (
	sparkAppGVR          = schema.GroupVersionResource{Group: "sparkoperator.k8s.io", Version: "v1beta2", Resource: "sparkapplications"}
	scheduledSparkAppGVR = schema.GroupVersionResource{Group: "sparkoperator.k8s.io", Version: "v1beta2", Resource: "scheduledsparkapplications"}
	sparkConnectGVR      = schema.GroupVersionResource{Group: "sparkoperator.k8s.io", Version: "v1alpha1", Resource: "sparkconnects"}
)

// newNamespace creates a namespace of the shared cluster for the test.
func newNamespace(t *testing.T) string {
	t.Helper()
	return cluster.newNamespace(t)
}

var notDNSLabel = regexp.MustCompile(`[^a-z0-9]+`)

// dnsLabel turns a test name into a prefix that, with the API server's
// five-character suffix, is a valid namespace name.
func dnsLabel(s string) string {
	s = notDNSLabel.ReplaceAllString(strings.ToLower(s), "-")
	s = strings.Trim(s[:min(len(s), 50)], "-")
	if s == "" {
		return "e2e"
	}
	return s
}

// createFromYAML creates the object in manifest, in namespace ns when its kind
// is namespaced, and returns it as the API server stored it.
func createFromYAML(t *testing.T, ns, manifest string) *unstructured.Unstructured {
	t.Helper()
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(manifest), &obj.Object); err != nil {
		t.Fatalf("parsing manifest: %v\n%s", err, manifest)
	}
	mapping := restMapping(t, obj.GroupVersionKind())
	r := cluster.dyn.Resource(mapping.Resource)
	var ri dynamic.ResourceInterface = r
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		obj.SetNamespace(ns)
		ri = r.Namespace(ns)
	}
	created, err := ri.Create(t.Context(), obj, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating %s %s: %v", obj.GetKind(), obj.GetName(), err)
	}
	return created
}

func restMapping(t *testing.T, gvk schema.GroupVersionKind) *meta.RESTMapping {
	t.Helper()
	mapping, err := cluster.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		// Discovery is cached; a CRD a test installed may be newer than the cache.
		cluster.mapper.Reset()
		mapping, err = cluster.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		t.Fatalf("mapping %s to a resource: %v", gvk, err)
	}
	return mapping
}

// getObject reads an object; ns is "" for cluster-scoped resources.
func getObject(t *testing.T, gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	obj, err := cluster.dyn.Resource(gvr).Namespace(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("getting %s %s/%s: %v", gvr.Resource, ns, name, err)
	}
	return obj
}

// setAppState sets .status.applicationState.state of a SparkApplication, the
// way the Spark operator would.
func setAppState(t *testing.T, ns, name, state string) {
	t.Helper()
	setAppStatus(t, ns, name, state, "")
}

// setAppStatus is setAppState with the operator's error message, when
// not "".
func setAppStatus(t *testing.T, ns, name, state, errorMessage string) {
	t.Helper()
	changeAppStatus(t, ns, name, func(obj map[string]any) error {
		if err := unstructured.SetNestedField(obj, state, "status", "applicationState", "state"); err != nil {
			return err
		}
		if errorMessage == "" {
			return nil
		}
		return unstructured.SetNestedField(obj, errorMessage, "status", "applicationState", "errorMessage")
	})
}

// changeAppStatus writes a SparkApplication's status as the operator does,
// through the status subresource.
func changeAppStatus(t *testing.T, ns, name string, change func(obj map[string]any) error) {
	t.Helper()
	apps := cluster.dyn.Resource(sparkAppGVR).Namespace(ns)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		app, err := apps.Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if err := change(app.Object); err != nil {
			return err
		}
		// The CRD requires status.driverInfo, which the operator always writes.
		if _, found, _ := unstructured.NestedFieldNoCopy(app.Object, "status", "driverInfo"); !found {
			if err := unstructured.SetNestedMap(app.Object, map[string]any{}, "status", "driverInfo"); err != nil {
				return err
			}
		}
		_, err = apps.UpdateStatus(t.Context(), app, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("status of SparkApplication %s/%s: %v", ns, name, err)
	}
}

// newUser provisions a user of the shared cluster (see addUser).
func newUser(t *testing.T, ns, name string, rules []rbacv1.PolicyRule) string {
	t.Helper()
	return cluster.addUser(t, ns, name, rules)
}

// runPluginOnATerminal runs the built plugin as the admin with a
// pseudo-terminal for its streams (util-linux's script), and returns all it
// wrote there and its exit code.
func runPluginOnATerminal(t *testing.T, args ...string) (string, int) {
	t.Helper()
	script, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("script (util-linux) is needed to give the plugin a terminal: %v", err)
	}
	words := append([]string{filepath.Join(pluginBinDir(t), "kubectl-spark_eci"),
		"--kubeconfig", cluster.kubeconfig, "--cache-dir", t.TempDir()}, args...)
	for i, w := range words {
		words[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'" // script -c runs a shell
	}
	command := strings.Join(words, " ")
	out, err := exec.CommandContext(t.Context(), script, "-qec", command, "/dev/null").CombinedOutput()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr): // script -e exits as the command did
		return string(out), exitErr.ExitCode()
	case err != nil:
		t.Fatalf("%v: %s", err, out)
	}
	return string(out), 0
}

// bindClusterRole grants user the rules of role cluster-wide, through a copy
// of it named after the user, until the test ends, and waits until the grant
// is in force.
func bindClusterRole(t *testing.T, user string, role rbacv1.ClusterRole) {
	t.Helper()
	role.ObjectMeta = metav1.ObjectMeta{Name: role.Name + "-" + user}
	rbac := cluster.client.RbacV1()
	if _, err := rbac.ClusterRoles().Create(t.Context(), &role, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating clusterrole %s: %v", role.Name, err)
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
	}
	if _, err := rbac.ClusterRoleBindings().Create(t.Context(), binding, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating clusterrolebinding %s: %v", binding.Name, err)
	}
	t.Cleanup(func() {
		// The test's context is cancelled by the time cleanups run.
		ctx := context.Background()
		_ = rbac.ClusterRoleBindings().Delete(ctx, binding.Name, metav1.DeleteOptions{})
		_ = rbac.ClusterRoles().Delete(ctx, role.Name, metav1.DeleteOptions{})
	})
	if len(role.Rules) > 0 {
		waitForGrant(t, "", user, role.Rules[0])
	}
}

// waitForGrant waits until the authorizer allows user the first thing rule
// grants: the RBAC authorizer reads Roles and RoleBindings from informers, so a
// request sent right after creating them can still be forbidden.
func waitForGrant(t *testing.T, ns, user string, rule rbacv1.PolicyRule) {
	t.Helper()
	waitForGrantIn(t, cluster.client, ns, user, rule)
}

func waitForGrantIn(t *testing.T, client kubernetes.Interface, ns, user string, rule rbacv1.PolicyRule) {
	t.Helper()
	first := func(s []string) string {
		if len(s) == 0 {
			return ""
		}
		return s[0]
	}
	resource, subresource, _ := strings.Cut(first(rule.Resources), "/")
	sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: user,
		ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace:   ns,
			Verb:        first(rule.Verbs),
			Group:       first(rule.APIGroups),
			Resource:    resource,
			Subresource: subresource,
			Name:        first(rule.ResourceNames),
		},
	}}
	var reason string
	err := wait.PollUntilContextTimeout(t.Context(), 50*time.Millisecond, 10*time.Second, true,
		func(ctx context.Context) (bool, error) {
			got, err := client.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
			if err != nil {
				return false, err
			}
			reason = got.Status.Reason
			return got.Status.Allowed, nil
		})
	if err != nil {
		t.Fatalf("waiting for %s to be allowed %+v in %s: %v (%s)", user, *sar.Spec.ResourceAttributes, ns, err, reason)
	}
}

// dynFor returns a dynamic client acting as the user of a kubeconfig file.
func dynFor(t *testing.T, kubeconfigPath string) dynamic.Interface {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfigPath)
	if err != nil {
		t.Fatalf("loading %s: %v", kubeconfigPath, err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return dyn
}

// runPlugin runs kubectl spark-eci in-process as the admin user and returns
// what it printed and its exit code.
func runPlugin(t *testing.T, args ...string) (stdout, stderr string, exitCode int) {
	t.Helper()
	return runPluginAs(t, cluster.kubeconfig, args...)
}

// runPluginAs is runPlugin for the user of another kubeconfig file. Each run
// gets its own discovery cache directory, so no run sees another's cache.
func runPluginAs(t *testing.T, kubeconfigPath string, args ...string) (stdout, stderr string, exitCode int) {
	t.Helper()
	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	root := cmd.NewCmdRoot(streams)
	root.SetArgs(append([]string{"--kubeconfig", kubeconfigPath, "--cache-dir", t.TempDir()}, args...))
	code := cmd.Execute(root, streams)
	return out.String(), errOut.String(), code
}

// runKubectl runs the real kubectl as the user of kubeconfigPath, with the
// plugin binary on PATH, so "kubectl spark-eci ..." goes through kubectl's
// plugin lookup exactly as it does for a user. HOME is a fresh directory, so
// neither kubectl nor the plugin sees the developer's config or caches.
func runKubectl(t *testing.T, kubeconfigPath string, args ...string) (stdout, stderr string, exitCode int) {
	t.Helper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatalf("kubectl not found: %v", err)
	}
	binDir := pluginBinDir(t)

	// kubectl hands a plugin everything after the plugin's name and finds that
	// name only before the first flag, so --kubeconfig goes at the end (but
	// before a "--", after which nothing is a flag).
	i := len(args)
	for j, a := range args {
		if a == "--" {
			i = j
			break
		}
	}
	argv := append(append(append([]string{}, args[:i]...), "--kubeconfig", kubeconfigPath), args[i:]...)

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, kubectl, argv...)
	c.Env = append(environWithout("PATH", "HOME", "KUBECONFIG"),
		"PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+t.TempDir())
	var out, errOut bytes.Buffer
	c.Stdout, c.Stderr = &out, &errOut
	c.WaitDelay = 5 * time.Second // don't hang on a child that keeps the pipes open

	err = c.Run()
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("kubectl %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), ctx.Err(), &out, &errOut)
	case errors.As(err, &exitErr):
		return out.String(), errOut.String(), exitErr.ExitCode()
	case err != nil:
		t.Fatalf("kubectl %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), 0
}

// runShell runs a command line as a user pastes it into sh, with kubectl
// (and the plugin) on the PATH and the cluster as KUBECONFIG.
func runShell(t *testing.T, kubeconfigPath, line string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, "sh", "-c", line)
	c.Env = append(environWithout("PATH", "HOME", "KUBECONFIG"),
		"PATH="+pluginBinDir(t)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+t.TempDir(), "KUBECONFIG="+kubeconfigPath)
	c.WaitDelay = 5 * time.Second
	out, err := c.CombinedOutput()
	return string(out), err
}

func environWithout(names ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, name) {
			env = append(env, kv)
		}
	}
	return env
}

// plugin is the kubectl-spark_eci binary, built on first use so that tests
// that run the plugin in-process don't wait for the linker.
var plugin struct {
	once sync.Once
	dir  string // holds kubectl-spark_eci; goes on PATH
	err  error
}

// pluginBinDir builds the plugin once per test binary and returns the
// directory holding it; a build failure fails every test that needs it.
func pluginBinDir(t *testing.T) string {
	t.Helper()
	plugin.once.Do(func() {
		dir := filepath.Join(cluster.tmp, "bin")
		c := exec.Command("go", "build", "-o", filepath.Join(dir, "kubectl-spark_eci"), "./cmd/kubectl-spark_eci")
		c.Dir = repoRoot
		if out, err := c.CombinedOutput(); err != nil {
			plugin.err = fmt.Errorf("building the plugin: %v\n%s", err, out)
			return
		}
		plugin.dir = dir
	})
	if plugin.err != nil {
		t.Fatal(plugin.err)
	}
	return plugin.dir
}
