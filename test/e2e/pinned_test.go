//go:build e2e

package e2e

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/spark-eci/kubectl-spark-eci/pkg/doctor"
)

// createCache makes the image cache name holding image, with the status
// ECI would have written: until the test ends (startFakeECI deletes it).
func createCache(t *testing.T, name, image string, status map[string]interface{}) {
	t.Helper()
	createFromYAML(t, "", "apiVersion: eci.alibabacloud.com/v1\nkind: ImageCache\nmetadata: {name: "+name+"}\nspec: {images: ["+image+"]}")
	caches := cluster.dyn.Resource(imageCacheGVR)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		obj, err := caches.Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		obj.Object["status"] = status
		_, err = caches.UpdateStatus(t.Context(), obj, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("status of image cache %s: %v", name, err)
	}
}

// A Ready cache, a Failed one, one that expires in 3 days, and one nothing
// pins; applications of each kind pin them by each annotation and path, and
// one pins an id no cache has. image-cache list names who pins each cache;
// doctor's pinned-caches check names each cache that will be missed, and
// once its fix is followed, that one is no longer named.
func TestPinnedCachesListAndDoctor(t *testing.T) {
	ensureImageCacheCRD(t)
	ns := newNamespace(t)
	other := newNamespace(t)
	startFakeECI(t, ns) // also deletes the test's caches, named ns-...
	id := func(what string) string {
		return "imc-" + regexp.MustCompile(`[^a-z0-9]`).ReplaceAllString(ns, "") + what
	}
	ready, failed, expiring, unpinned, gone := id("ready"), id("failed"), id("expiring"), id("unpinned"), id("gone")
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	createCache(t, ns+"-ready", sparkImage, map[string]interface{}{"phase": "Ready", "progress": "100%", "imageCacheId": ready})
	createCache(t, ns+"-failed", sparkImage, map[string]interface{}{"phase": "Failed", "imageCacheId": failed,
		"expireDateTime": stamp(time.Now().Add(24 * time.Hour)),
		"events":         []interface{}{map[string]interface{}{"type": "Warning", "message": `Failed to pull image "x:1": not found`}}})
	expires := time.Now().Add(3 * 24 * time.Hour)
	createCache(t, ns+"-expiring", sparkImage, map[string]interface{}{"phase": "Ready", "progress": "100%", "imageCacheId": expiring, "expireDateTime": stamp(expires)})
	createCache(t, ns+"-unpinned", sparkImage, map[string]interface{}{"phase": "Ready", "progress": "100%", "imageCacheId": unpinned})

	app := func(name, roles string) string {
		return `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: ` + name + `}
spec:
  type: Scala
  mode: cluster
  sparkVersion: 3.5.2
  image: ` + sparkImage + `
  mainApplicationFile: local:///x.jar
` + roles
	}
	// etl: today's name on the driver, the guide's on the executors.
	createFromYAML(t, ns, app("etl", `
  driver: {cores: 1, annotations: {k8s.aliyun.com/eci-imc-id: `+failed+`}}
  executor: {instances: 1, annotations: {k8s.aliyun.com/eci-image-snapshot-id: `+ready+`}}`))
	createFromYAML(t, ns, app("alsoready", `
  driver: {cores: 1, template: {metadata: {annotations: {k8s.aliyun.com/eci-imc-id: `+ready+`}}}}
  executor: {instances: 1}`))
	createFromYAML(t, ns, app("plain", `
  driver: {cores: 1}
  executor: {instances: 1, annotations: {k8s.aliyun.com/eci-image-cache: "true"}}`))
	createFromYAML(t, other, app("elsewhere", `
  driver: {cores: 1}
  executor: {instances: 1, annotations: {k8s.aliyun.com/eci-imc-id: `+ready+`}}`))
	createFromYAML(t, ns, `
apiVersion: sparkoperator.k8s.io/v1alpha1
kind: SparkConnect
metadata: {name: sc}
spec:
  sparkVersion: 4.0.4
  image: docker.io/apache/spark:4.0.4
  server:
    template:
      metadata:
        annotations: {k8s.aliyun.com/eci-imc-id: `+expiring+`}
  executor:
    instances: 1
    template:
      metadata:
        annotations: {k8s.aliyun.com/eci-image-snapshot-id: `+ready+`}
      spec:
        containers:
        - name: spark-kubernetes-executor
`)
	createFromYAML(t, ns, `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: ScheduledSparkApplication
metadata: {name: nightly}
spec:
  schedule: "@daily"
  template:
    type: Scala
    sparkVersion: 3.5.2
    mode: cluster
    image: `+sparkImage+`
    mainApplicationFile: local:///x.jar
    driver: {cores: 1}
    executor:
      instances: 1
      template:
        metadata:
          annotations: {k8s.aliyun.com/eci-imc-id: `+gone+`}
`)

	// image-cache list: the current namespace's applications.
	stdout, stderr, code := runPlugin(t, "image-cache", "list", "-n", ns)
	t.Logf("image-cache list:\n%s", stdout)
	if code != 0 || stderr != "" {
		t.Fatalf("list: exit %d, %q", code, stderr)
	}
	header := cells(strings.SplitN(stdout, "\n", 2)[0])
	column := slices.Index(header, "PINNED BY")
	if column < 0 {
		t.Fatalf("no PINNED BY column: %q", header)
	}
	pinnedBy := func(table, cache string) string {
		row := rowOf(table, cache)
		if len(row) <= column {
			t.Fatalf("no row of %s:\n%s", cache, table)
		}
		return row[column]
	}
	for cache, want := range map[string]string{
		ns + "-ready":    ns + "/alsoready," + ns + "/etl," + ns + "/sparkconnect/sc",
		ns + "-failed":   ns + "/etl",
		ns + "-expiring": ns + "/sparkconnect/sc",
		ns + "-unpinned": "none",
	} {
		if got := pinnedBy(stdout, cache); got != want {
			t.Errorf("list: %s pinned by %q, want %q", cache, got, want)
		}
	}

	// -A: every namespace's; the fourth application is counted.
	stdout, _, code = runPlugin(t, "image-cache", "list", "-n", ns, "-A")
	pinners := []string{ns + "/alsoready", ns + "/etl", ns + "/sparkconnect/sc", other + "/elsewhere"}
	slices.Sort(pinners)
	if got, want := pinnedBy(stdout, ns+"-ready"), strings.Join(pinners[:3], ",")+" +1"; code != 0 || got != want {
		t.Errorf("list -A: exit %d, %s pinned by %q, want %q", code, ns+"-ready", got, want)
	}
	if got := pinnedBy(stdout, ns+"-unpinned"); got != "none" {
		t.Errorf("list -A: %s pinned by %q", ns+"-unpinned", got)
	}

	// A user who may list the caches but not the applications: the caches
	// all the same, "?" for who pins them, and one warning line.
	var cacheRole rbacv1.ClusterRole
	readRBAC(t, "imagecache-clusterrole.yaml", &cacheRole)
	user := newUser(t, ns, "cache-only-"+ns, nil)
	bindClusterRole(t, "cache-only-"+ns, cacheRole)
	stdout, stderr, code = runPluginAs(t, user, "image-cache", "list", "-n", ns)
	want := "Warning: PINNED BY shows ?: you may not list sparkapplications.sparkoperator.k8s.io, scheduledsparkapplications.sparkoperator.k8s.io, " +
		"sparkconnects.sparkoperator.k8s.io in namespace " + ns + "\n"
	if code != 0 || stderr != want || pinnedBy(stdout, ns+"-ready") != "?" || pinnedBy(stdout, ns+"-unpinned") != "?" {
		t.Errorf("list without rights on applications: exit %d, stderr %q, want %q\n%s", code, stderr, want, stdout)
	}
	if checks, _ := doctorJSON(t, user, "-n", ns); checks["pinned-caches"].Status != doctor.Warn ||
		checks["pinned-caches"].Message != "could not check: you may not list sparkapplications.sparkoperator.k8s.io, scheduledsparkapplications.sparkoperator.k8s.io, sparkconnects.sparkoperator.k8s.io in namespace "+ns ||
		!strings.Contains(checks["pinned-caches"].Fix, "deploy/rbac/role.yaml") {
		t.Errorf("doctor without rights on applications: %+v", checks["pinned-caches"])
	}

	// doctor: a line and a fix for each cache that will be missed.
	checks, _ := doctorJSON(t, cluster.kubeconfig, "-n", ns)
	c := checks["pinned-caches"]
	lines := strings.Split(c.Message, "\n")
	wantLines := []string{
		"4 applications in namespace " + ns + " pin 4 image caches, 1 fine; 3 are gone, failed or expiring within 7 days:",
		ns + "/etl: driver pins image cache " + failed + " (" + ns + `-failed), which failed (Failed: Failed to pull image "x:1": not found): its pods miss it (ImageCacheNotFound) and pull their images`,
		ns + "/scheduledsparkapplication/nightly: executor pins image cache " + gone + ", which no ImageCache has: its pods miss it (ImageCacheNotFound) and pull their images",
		ns + "/sparkconnect/sc: server pins image cache " + expiring + " (" + ns + "-expiring), which expires at " + stamp(expires) + ", in 3 days: from then on its pods miss it (ImageCacheNotFound) and pull their images",
	}
	if c.Status != doctor.Warn || !slices.Equal(lines, wantLines) {
		t.Errorf("doctor pinned-caches: %s\n%s\nwant\n%s", c.Status, c.Message, strings.Join(wantLines, "\n"))
	}
	for _, fix := range []string{
		ns + "/etl: delete it and make another: kubectl spark-eci image-cache delete " + ns + "-failed, then kubectl spark-eci image-cache create -n " + ns + " sparkapplication/etl --place",
		ns + "/scheduledsparkapplication/nightly: make a cache and pin it: kubectl spark-eci image-cache create -n " + ns + " scheduledsparkapplication/nightly --place " +
			"(or let ECI match one: kubectl spark-eci place -n " + ns + " scheduledsparkapplication/nightly --image-cache=auto); " +
			"first remove spec.template.executor.template.metadata.annotations[k8s.aliyun.com/eci-imc-id], which place does not write",
		ns + "/sparkconnect/sc: make another before then: kubectl spark-eci image-cache create -n " + ns + " sparkconnect/sc --name=NEW-NAME --place",
	} {
		if !strings.Contains(c.Fix, fix) {
			t.Errorf("doctor pinned-caches: fix lacks %q:\n%s", fix, c.Fix)
		}
	}
	stdout, _, _ = runPlugin(t, "doctor", "-n", ns)
	t.Logf("doctor:\n%s", stdout)
	if !strings.Contains(squash(stdout), "WARN Pinned image caches 4 applications in namespace "+ns+" pin 4 image caches") ||
		!strings.Contains(squash(stdout), "\nfix: "+ns+"/etl: delete it and make another") {
		t.Errorf("doctor's table:\n%s", stdout)
	}

	// Follow etl's fix: its executors on ECI, the failed cache deleted, a
	// cache that holds its image pinned: the ready one, not the newer one
	// that expires in 3 days. etl is no longer named, and its driver (on
	// ECS) pins nothing.
	mustPlace(t, ns, "etl", "--preset=driver-on-ecs")
	if _, stderr, code := runPlugin(t, "image-cache", "delete", ns+"-failed"); code != 0 {
		t.Fatalf("delete: exit %d, %s", code, stderr)
	}
	stdout, stderr, code = runPlugin(t, "image-cache", "create", "-n", ns, "sparkapplication/etl", "--place")
	if code != 0 || !strings.HasPrefix(stdout, "imagecache.eci.alibabacloud.com/"+ns+"-ready reused\n") {
		t.Fatalf("create --place: exit %d, %q, %q", code, stdout, stderr)
	}
	etl := getApp(t, ns, "etl").Object
	if got := field(t, etl, "spec", "executor", "annotations"); got != `{"k8s.aliyun.com/eci-image-snapshot-id":"`+ready+`"}` {
		t.Errorf("etl's executors: %s", got)
	}
	if got := field(t, etl, "spec", "driver", "annotations"); got != "null" {
		t.Errorf("etl's driver, on ECS, still pins: %s", got)
	}
	checks, _ = doctorJSON(t, cluster.kubeconfig, "-n", ns)
	c = checks["pinned-caches"]
	if c.Status != doctor.Warn || strings.Contains(c.Message, ns+"/etl:") || strings.Count(c.Message, "\n") != 2 ||
		!strings.HasPrefix(c.Message, "4 applications in namespace "+ns+" pin 3 image caches, 1 fine; 2 are gone, failed or expiring within 7 days:\n") {
		t.Errorf("after etl's fix: %s\n%s", c.Status, c.Message)
	}
	stdout, _, _ = runPlugin(t, "image-cache", "list", "-n", ns)
	if got := pinnedBy(stdout, ns+"-ready"); got != ns+"/alsoready,"+ns+"/etl,"+ns+"/sparkconnect/sc" || rowOf(stdout, ns+"-failed") != nil {
		t.Errorf("list after the fix: %s pinned by %q\n%s", ns+"-ready", got, stdout)
	}
}
