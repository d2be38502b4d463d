//go:build e2e

package e2e

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/spark-eci/kubectl-spark-eci/pkg/doctor"
)

// cacheAppImages are the images every pod of cacheApp pulls, sorted.
var cacheAppImages = []string{"busybox:1.36", "datadog/agent:7", "fluent/fluent-bit:3.0", sparkImage}

// createCacheApp creates the guide's application as name, running image,
// with what users add to it: an init container for the driver, a sidecar for
// the executors, and an agent in the executors' pod template, whose Spark
// container takes the Spark image. Its executors are placed on ECI.
func createCacheApp(t *testing.T, ns, name, image string) {
	t.Helper()
	manifest := strings.Replace(seedManifest(t, "ecs-only"), "name: spark-pi-ecs-only", "name: "+name, 1)
	manifest = strings.Replace(manifest, "namespace: default", "namespace: "+ns, 1)
	manifest = strings.Replace(manifest, "image: "+sparkImage, "image: "+image, 1)
	manifest = strings.Replace(manifest, `    serviceAccount: spark-operator-spark
`, `    serviceAccount: spark-operator-spark
    initContainers:
    - {name: deps, image: "busybox:1.36"}
`, 1)
	manifest = strings.Replace(manifest, `    memory: 4g
`, `    memory: 4g
    sidecars:
    - {name: logs, image: "fluent/fluent-bit:3.0"}
    template:
      spec:
        containers:
        - {name: spark-kubernetes-executor, image: "replaced-by-spark:1"}
        - {name: agent, image: "datadog/agent:7"}
`, 1)
	createFromYAML(t, ns, manifest)
	mustPlace(t, ns, name, "--preset=driver-on-ecs")
}

func TestImageCacheCreateWaitAndPlace(t *testing.T) {
	ensureImageCacheCRD(t)
	ns := newNamespace(t)
	startFakeECI(t, ns)
	createCacheApp(t, ns, "spark-pi", sparkImage)

	stdout, stderr, code := runPlugin(t, "image-cache", "create", "-n", ns, "app/spark-pi", "--place", "--retention-days=30")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	names := imageCachesWithPrefix(t, ns)
	if len(names) != 1 {
		t.Fatalf("caches %v, want one", names)
	}
	name := names[0]
	cache := imageCacheOf(t, name)
	id, _, _ := unstructured.NestedString(cache.Object, "status", "imageCacheId")
	phase, _, _ := unstructured.NestedString(cache.Object, "status", "phase")
	images, _, _ := unstructured.NestedStringSlice(cache.Object, "spec", "images")
	if phase != "Ready" || !strings.HasPrefix(id, "imc-") || !reflect.DeepEqual(images, cacheAppImages) {
		t.Errorf("cache %s: phase %q, id %q, images %q, want Ready with %q", name, phase, id, images, cacheAppImages)
	}
	if got := cache.GetAnnotations()["spark-eci.io/for"]; got != ns+"/spark-pi" {
		t.Errorf("spark-eci.io/for = %q", got)
	}
	want := "imagecache.eci.alibabacloud.com/" + name + " created\n" +
		"sparkapplication.sparkoperator.k8s.io/spark-pi placed (driver: ecs, executors: eci)\n"
	if stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	app := getApp(t, ns, "spark-pi").Object
	if got := field(t, app, "spec", "executor", "annotations"); got != `{"k8s.aliyun.com/eci-image-snapshot-id":"`+id+`"}` {
		t.Errorf("executors not pinned to %s: %s", id, got)
	}
	if got := field(t, app, "spec", "driver", "annotations"); got != "null" {
		t.Errorf("the driver runs on ECS, yet has annotations %s", got)
	}

	// Again: the cache holds the images already, and the app is pinned.
	stdout, stderr, code = runPlugin(t, "image-cache", "create", "-n", ns, "spark-pi", "--place")
	if code != 0 || stdout != "imagecache.eci.alibabacloud.com/"+name+" reused\nsparkapplication.sparkoperator.k8s.io/spark-pi unchanged\n" ||
		!strings.Contains(stderr, "spark-pi: image cache "+name+" already holds its 4 images") {
		t.Errorf("second run: exit %d, %q, %q", code, stdout, stderr)
	}
	if got := imageCachesWithPrefix(t, ns); len(got) != 1 {
		t.Errorf("caches after a second run: %v", got)
	}
	// Running, and pinned already: nothing to change, so nothing refused.
	setAppState(t, ns, "spark-pi", "RUNNING")
	stdout, stderr, code = runPlugin(t, "image-cache", "create", "-n", ns, "spark-pi", "--place", "-o", "name")
	if code != 0 || stdout != "imagecache.eci.alibabacloud.com/"+name+"\nsparkapplication.sparkoperator.k8s.io/spark-pi\n" {
		t.Errorf("a running application pinned already: exit %d, %q, %q", code, stdout, stderr)
	}

	stdout, _, code = runPlugin(t, "image-cache", "list", "-n", ns, "--for", "app/spark-pi")
	t.Logf("image-cache list --for app/spark-pi:\n%s", stdout)
	if code != 0 || !strings.Contains(stdout, "spark-pi: ready cache "+name+" ("+id+") holds its 4 images; pin it: kubectl spark-eci place -n "+ns+" sparkapplication/spark-pi --image-cache="+id) {
		t.Errorf("list --for: exit %d\n%s", code, stdout)
	}
	if row := rowOf(stdout, name); len(row) < 9 || row[1] != id || row[2] != "Ready" || row[3] != "100%" || row[len(row)-2] != ns+"/spark-pi" || row[len(row)-1] != "all" {
		t.Errorf("row of %s: %q", name, row)
	}
	stdout, _, _ = runPlugin(t, "image-cache", "list", "-o", "json")
	var list struct {
		Kind  string
		Items []map[string]interface{}
	}
	if err := json.Unmarshal([]byte(stdout), &list); err != nil || list.Kind != "List" || !strings.Contains(stdout, `"name": "`+name+`"`) {
		t.Errorf("list -o json: %v\n%s", err, stdout)
	}

	// Delete: a server dry run keeps it, a missing name deletes nothing.
	if stdout, _, code := runPlugin(t, "image-cache", "delete", name, "--dry-run=server"); code != 0 || imageCacheOf(t, name) == nil ||
		stdout != "imagecache.eci.alibabacloud.com/"+name+" deleted (server dry run)\n" {
		t.Errorf("delete --dry-run=server: exit %d, %q", code, stdout)
	}
	_, stderr, code = runPlugin(t, "image-cache", "delete", name, "no-such-cache")
	if code == 0 || stderr != "error: image cache \"no-such-cache\" not found: nothing deleted\n" || imageCacheOf(t, name) == nil {
		t.Errorf("delete with a missing name: exit %d, %q", code, stderr)
	}
	if stdout, _, code := runPlugin(t, "image-cache", "delete", name, "no-such-cache", "--ignore-not-found"); code != 0 ||
		stdout != "imagecache.eci.alibabacloud.com/"+name+" deleted\n" || imageCacheOf(t, name) != nil {
		t.Errorf("delete: exit %d, %q", code, stdout)
	}
}

// Every bad input is one line on stderr, and no cache is made, no application
// changed.
func TestImageCacheBadInputChangesNothing(t *testing.T) {
	ensureImageCacheCRD(t)
	ns := newNamespace(t)
	startFakeECI(t, ns)
	createCacheApp(t, ns, "spark-pi", sparkImage)
	createCacheApp(t, ns, "running", sparkImage)
	setAppState(t, ns, "running", "RUNNING")
	createFromYAML(t, ns, `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: imageless}
spec: {type: Scala, mode: cluster, sparkVersion: 3.5.2, mainApplicationFile: "local:///x.jar", driver: {cores: 1}, executor: {instances: 1}}`)
	before := getApp(t, ns, "running").GetResourceVersion()

	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"app/imageless"}, "imageless: the driver has no image: set spec.image (or spec.driver.image)"},
		{[]string{"app/running", "--place"}, "error: refusing to change an active application without --restart"},
		{[]string{"app/nope"}, `sparkapplications.sparkoperator.k8s.io "nope" not found`},
		{[]string{"deployment/web"}, `image-cache takes a SparkApplication, a ScheduledSparkApplication or a SparkConnect (NAME, app/NAME, scheduledsparkapplication/NAME or sparkconnect/NAME), not "deployment/web"`},
		{[]string{"app/spark-pi", "--size=10"}, "invalid --size 10: ECI takes 20 to 32768 GiB"},
		{[]string{"app/spark-pi", "--retention-days=0", "--size=20000000"}, "invalid --size 20000000"},
		{[]string{"app/spark-pi", "--pull-secret=a:b:c"}, `--pull-secret "a:b:c": want NAME or NAMESPACE:NAME`},
		{[]string{"app/spark-pi", "--wait", "--dry-run=client"}, "--wait and --place cannot be combined with --dry-run"},
		{[]string{"app/spark-pi", "--restart"}, "--restart goes with --place"},
		{[]string{"app/spark-pi", "-o", "wide"}, `unable to match a printer suitable for the output format "wide"`},
		{[]string{"app/spark-pi", "--place", "-o", "json"}, "--place prints two objects: -o yaml (one stream) or -o name, not -o json"},
		{[]string{"app/spark-pi", "--ephemeral"}, "unknown flag: --ephemeral"},
	} {
		stdout, stderr, code := runPlugin(t, append([]string{"image-cache", "create", "-n", ns}, tc.args...)...)
		if code == 0 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.wantErr) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q, want one line with %q", tc.args, code, stdout, stderr, tc.wantErr)
		}
	}
	if got := imageCachesWithPrefix(t, ns); len(got) != 0 {
		t.Errorf("bad input made caches %v", got)
	}
	if getApp(t, ns, "running").GetResourceVersion() != before {
		t.Error("a refused --place changed the running application")
	}

	// Dry runs print the cache and make none.
	stdout, _, code := runPlugin(t, "image-cache", "create", "-n", ns, "app/spark-pi", "--dry-run=client", "-o", "yaml", "--size=40")
	if code != 0 || !strings.Contains(stdout, "kind: ImageCache") || !strings.Contains(stdout, "imageCacheSize: 40") {
		t.Errorf("--dry-run=client: exit %d\n%s", code, stdout)
	}
	stdout, _, code = runPlugin(t, "image-cache", "create", "-n", ns, "app/spark-pi", "--dry-run=server")
	if code != 0 || !strings.HasSuffix(stdout, " created (server dry run)\n") {
		t.Errorf("--dry-run=server: exit %d, %q", code, stdout)
	}
	if got := imageCachesWithPrefix(t, ns); len(got) != 0 {
		t.Errorf("dry runs made caches %v", got)
	}
}

// A cache that fails, or never gets ready, ends --wait with one line, and the
// application is not pinned to it.
func TestImageCacheThatFailsOrTakesTooLong(t *testing.T) {
	ensureImageCacheCRD(t)
	ns := newNamespace(t)
	startFakeECI(t, ns)
	createCacheApp(t, ns, "broken", missingImage)
	createCacheApp(t, ns, "slow", endlessImage)

	_, stderr, code := runPlugin(t, "image-cache", "create", "-n", ns, "app/broken", "--place")
	if code == 0 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, `failed: Failed to pull image "`+missingImage+`": not found`) {
		t.Errorf("failed cache: exit %d, %q", code, stderr)
	}
	if got := field(t, getApp(t, ns, "broken").Object, "spec", "executor", "annotations"); got != "null" {
		t.Errorf("pinned to a failed cache: %s", got)
	}
	// A failed cache is not reused: its name is taken until it is deleted.
	_, stderr, code = runPlugin(t, "image-cache", "create", "-n", ns, "app/broken")
	if code == 0 || !strings.Contains(stderr, "exists and failed (Failed to pull image") || !strings.Contains(stderr, "kubectl spark-eci image-cache delete ") {
		t.Errorf("a failed cache again: exit %d, %q", code, stderr)
	}

	_, stderr, code = runPlugin(t, "image-cache", "create", "-n", ns, "app/slow", "--wait", "--timeout=3s")
	if code != 124 || strings.Count(stderr, "\n") != 1 || !regexp.MustCompile(`^error: timed out after 3(\.\d)?s waiting for image cache \S+ to be ready \(Creating 50%\)`).MatchString(stderr) {
		t.Errorf("--timeout: exit %d, %q", code, stderr)
	}
	stdout, _, _ := runPlugin(t, "image-cache", "list", "--for", "slow", "-n", ns)
	if !strings.Contains(stdout, "slow: cache "+ns+"-slow-") || !strings.Contains(stdout, "holds its 4 images, and is not ready to pin (Creating 50%)") {
		t.Errorf("list --for a cache in progress:\n%s", stdout)
	}
}

// The progress bar is drawn on a terminal only.
func TestImageCacheProgressOnlyOnATerminal(t *testing.T) {
	ensureImageCacheCRD(t)
	ns := newNamespace(t)
	startFakeECI(t, ns)
	createCacheApp(t, ns, "a", sparkImage)
	createCacheApp(t, ns, "b", sparkImage+"-b")

	_, stderr, code := runPlugin(t, "image-cache", "create", "-n", ns, "app/a", "--wait")
	if code != 0 || strings.Contains(stderr, "%") {
		t.Errorf("progress on a stderr that is not a terminal: exit %d, %q", code, stderr)
	}
	out, code := runPluginOnATerminal(t, "image-cache", "create", "-n", ns, "app/b", "--wait")
	if code != 0 || !strings.Contains(out, "% Creating") {
		t.Errorf("no progress bar on a terminal (exit %d):\n%q", code, out)
	}
}

// image-cache needs a ClusterRole: a user with the namespace's Role alone is
// told which rule is missing; with deploy/rbac/imagecache-clusterrole.yaml
// every subcommand works, and doctor agrees.
func TestImageCacheRights(t *testing.T) {
	ensureImageCacheCRD(t)
	ns := newNamespace(t)
	startFakeECI(t, ns)
	createCacheApp(t, ns, "spark-pi", sparkImage)
	var role rbacv1.Role
	readRBAC(t, "role.yaml", &role)
	user := newUser(t, ns, "cache-user-"+ns, role.Rules)

	_, stderr, code := runPluginAs(t, user, "image-cache", "create", "-n", ns, "app/spark-pi")
	if code == 0 || strings.Count(stderr, "\n") != 1 ||
		!strings.Contains(stderr, "you may not list imagecaches.eci.alibabacloud.com, which are cluster-scoped: a ClusterRole must allow it") {
		t.Errorf("without the ClusterRole: exit %d, %q", code, stderr)
	}
	if checks, _ := doctorJSON(t, user, "-n", ns); checks["access-image-cache"].Status != doctor.Warn {
		t.Errorf("doctor without the ClusterRole: %+v", checks["access-image-cache"])
	}

	var clusterRole rbacv1.ClusterRole
	readRBAC(t, "imagecache-clusterrole.yaml", &clusterRole)
	bindClusterRole(t, "cache-user-"+ns, clusterRole)
	stdout, stderr, code := runPluginAs(t, user, "image-cache", "create", "-n", ns, "app/spark-pi", "--place")
	if code != 0 || !strings.HasSuffix(stdout, " created\nsparkapplication.sparkoperator.k8s.io/spark-pi placed (driver: ecs, executors: eci)\n") {
		t.Fatalf("with the ClusterRole: exit %d, %q, %q", code, stdout, stderr)
	}
	name := strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(stdout, "\n", 2)[0], "imagecache.eci.alibabacloud.com/"), " created")
	if _, stderr, code := runPluginAs(t, user, "image-cache", "list", "-n", ns, "--for", "spark-pi"); code != 0 {
		t.Errorf("list: exit %d, %q", code, stderr)
	}
	if _, stderr, code := runPluginAs(t, user, "image-cache", "list", "-n", ns, "--for", "spark-pi", "-o", "yaml"); code == 0 ||
		!strings.Contains(stderr, "--for adds a column and a verdict to the table, not to -o") {
		t.Errorf("list --for -o yaml: exit %d, %q", code, stderr)
	}
	if _, stderr, code := runPluginAs(t, user, "image-cache", "delete", name); code != 0 {
		t.Errorf("delete: exit %d, %q", code, stderr)
	}
	if checks, _ := doctorJSON(t, user, "-n", ns); checks["access-image-cache"].Status != doctor.OK {
		t.Errorf("doctor with the ClusterRole: %+v", checks["access-image-cache"])
	}
}

// Without ECI's CRD, each subcommand says which ACK component brings it.
func TestImageCacheWithoutTheCRD(t *testing.T) {
	kubeconfig := bareCluster(t)
	for _, args := range [][]string{
		{"image-cache", "create", "app/spark-pi"},
		{"image-cache", "list"},
		{"image-cache", "delete", "x"},
	} {
		stdout, stderr, code := runPluginAs(t, kubeconfig, args...)
		if code == 0 || stdout != "" || stderr != "error: the server does not serve imagecaches.eci.alibabacloud.com: "+
			"the ImageCache CRD comes with ACK's ack-virtual-node component (install or update it: ACK console, Add-ons)\n" {
			t.Errorf("%v: exit %d, %q, %q", args, code, stdout, stderr)
		}
	}
}
