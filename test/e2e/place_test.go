//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// placementTestdata reads a manifest of the placement transform's tests.
func placementTestdata(t *testing.T, path ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"..", "..", "pkg", "placement", "testdata"}, path...)...))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// seedManifest is one of the guide's manifests, the golden cases of place.
func seedManifest(t *testing.T, name string) string {
	t.Helper()
	return placementTestdata(t, "seed", name+".yaml")
}

// createSeedApp creates the guide's ECS-only application as NAME in ns.
func createSeedApp(t *testing.T, ns, name string) *unstructured.Unstructured {
	t.Helper()
	manifest := strings.Replace(seedManifest(t, "ecs-only"), "name: spark-pi-ecs-only", "name: "+name, 1)
	manifest = strings.Replace(manifest, "namespace: default", "namespace: "+ns, 1)
	return createFromYAML(t, ns, manifest)
}

func getApp(t *testing.T, ns, name string) *unstructured.Unstructured {
	t.Helper()
	return getObject(t, sparkAppGVR, ns, name)
}

// field renders a field of obj as sorted JSON ("null" when absent), so that
// content compares equal whatever the Go types of its numbers.
func field(t *testing.T, obj map[string]interface{}, path ...string) string {
	t.Helper()
	v, _, err := unstructured.NestedFieldNoCopy(obj, path...)
	if err != nil {
		t.Fatalf("%v: %v", path, err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func parseYAML(t *testing.T, manifest string) map[string]interface{} {
	t.Helper()
	var obj map[string]interface{}
	if err := yaml.Unmarshal([]byte(manifest), &obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

func mustPlace(t *testing.T, ns string, args ...string) (stdout, stderr string) {
	t.Helper()
	stdout, stderr, code := runPlugin(t, append([]string{"place", "-n", ns}, args...)...)
	if code != 0 {
		t.Fatalf("place %v: exit %d: %s", args, code, stderr)
	}
	return stdout, stderr
}

// Rule 1: for each seed strategy, starting from the seed's ECS-only app, the
// stored driver and executor affinity, tolerations and annotations equal the
// seed's YAML.
func TestPlaceGivesTheSeedStrategies(t *testing.T) {
	ns := newNamespace(t)
	createSeedApp(t, ns, "spark-pi")
	for _, tc := range []struct {
		args []string
		seed string
	}{
		{[]string{"--preset=eci-only"}, "eci-only"},
		{[]string{"--preset=ecs-first"}, "ecs-first"},
		{[]string{"--preset=driver-on-ecs"}, "driver-on-ecs"},
		{[]string{"--preset=eci-only", "--image-cache=imc-2zeXXXXXXXXXXXXXXXXX"}, "eci-only-image-cache-id"},
		{[]string{"--image-cache=auto"}, "eci-only-image-cache-auto"},
		{[]string{"--preset=ecs-only", "--image-cache=off"}, "ecs-only"},
	} {
		t.Run(tc.seed, func(t *testing.T) {
			stdout, _ := mustPlace(t, ns, append([]string{"spark-pi"}, tc.args...)...)
			if !strings.HasPrefix(stdout, "sparkapplication.sparkoperator.k8s.io/spark-pi placed (") {
				t.Errorf("stdout = %q", stdout)
			}
			got, want := getApp(t, ns, "spark-pi").Object, parseYAML(t, seedManifest(t, tc.seed))
			for _, role := range []string{"driver", "executor"} {
				for _, f := range []string{"affinity", "tolerations", "annotations"} {
					if g, w := field(t, got, "spec", role, f), field(t, want, "spec", role, f); g != w {
						t.Errorf("spec.%s.%s:\ngot  %s\nwant %s", role, f, g, w)
					}
				}
			}
		})
	}
}

// Rules 2 and 3 on the real API server: the user's rules survive, required
// affinity is ANDed into every term, and going back gives the stored original.
func TestPlaceKeepsTheUsersSpecAndRoundTrips(t *testing.T) {
	ns := newNamespace(t)
	original := createFromYAML(t, ns, placementTestdata(t, "user-app.yaml"))
	originalSpec := field(t, original.Object, "spec")

	mustPlace(t, ns, "etl", "--driver=ecs-first", "--executors=eci", "--image-cache=auto", "--spot")
	placed := getApp(t, ns, "etl").Object

	terms, _, _ := unstructured.NestedSlice(placed, "spec", "executor", "affinity", "nodeAffinity",
		"requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
	if len(terms) != 2 {
		t.Fatalf("executor has %d required terms, want the user's 2 (ANDed, not ORed): %v", len(terms), terms)
	}
	for i, term := range terms {
		exprs := term.(map[string]interface{})["matchExpressions"].([]interface{})
		last := exprs[len(exprs)-1].(map[string]interface{})
		if last["key"] != "type" || last["operator"] != "In" {
			t.Errorf("term %d does not end with type In [virtual-kubelet]: %v", i, exprs)
		}
	}
	for _, path := range [][]string{
		{"spec", "driver", "nodeSelector"}, {"spec", "driver", "labels"},
		{"spec", "driver", "affinity", "podAntiAffinity"},
		{"spec", "driver", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"},
		{"spec", "executor", "instances"}, {"metadata", "labels"}, {"metadata", "annotations"},
	} {
		if g, w := field(t, placed, path...), field(t, original.Object, path...); g != w {
			t.Errorf("%v changed:\ngot  %s\nwant %s", path, g, w)
		}
	}
	if got := field(t, placed, "spec", "driver", "annotations"); got != `{"k8s.aliyun.com/eci-image-cache":"true","prometheus.io/scrape":"true"}` {
		t.Errorf("driver annotations = %s", got)
	}

	mustPlace(t, ns, "etl", "--driver=eci-first", "--executors=ecs-first")
	mustPlace(t, ns, "etl", "--preset=ecs-only", "--image-cache=off", "--spot=off")
	if got := field(t, getApp(t, ns, "etl").Object, "spec"); got != originalSpec {
		t.Errorf("round trip did not give back the original spec:\ngot  %s\nwant %s", got, originalSpec)
	}
}

// Rule 3: a second identical run reports "unchanged" and sends no write. The
// second run is made by a user who may read but not patch: a write would be
// forbidden.
func TestPlaceTwiceIsUnchangedAndSendsNoWrite(t *testing.T) {
	ns := newNamespace(t)
	createSeedApp(t, ns, "spark-pi")
	mustPlace(t, ns, "spark-pi", "--preset=driver-on-ecs", "--spot")
	before := getApp(t, ns, "spark-pi")

	reader := newUser(t, ns, "reader-"+ns, readSparkApps)
	stdout, stderr, code := runPluginAs(t, reader, "place", "-n", ns, "spark-pi", "--preset=driver-on-ecs", "--spot")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "sparkapplication.sparkoperator.k8s.io/spark-pi unchanged\n" {
		t.Errorf("stdout = %q", stdout)
	}
	if after := getApp(t, ns, "spark-pi"); after.GetResourceVersion() != before.GetResourceVersion() {
		t.Errorf("resourceVersion moved from %s to %s", before.GetResourceVersion(), after.GetResourceVersion())
	}
}

// Every --image-cache form on the real API server (the CRD's schema keeps role
// annotations): each leaves exactly its own annotations, off writes today's
// switch of ECI's default matching, and back on ECS the original returns.
func TestPlaceImageCacheFormsOwnTheirAnnotations(t *testing.T) {
	ns := newNamespace(t)
	original := createSeedApp(t, ns, "spark-pi")
	originalSpec := field(t, original.Object, "spec")
	mustPlace(t, ns, "spark-pi", "--preset=driver-on-ecs")
	for _, tc := range []struct{ flag, executor string }{
		{"auto", `{"k8s.aliyun.com/eci-image-cache":"true"}`},
		{"imc-2zeabc", `{"k8s.aliyun.com/eci-image-snapshot-id":"imc-2zeabc"}`},
		{"off", `{"k8s.aliyun.com/eci-auto-imc":"false"}`},
		{"auto", `{"k8s.aliyun.com/eci-image-cache":"true"}`},
		{"off", `{"k8s.aliyun.com/eci-auto-imc":"false"}`},
		{"imc-2zeabc", `{"k8s.aliyun.com/eci-image-snapshot-id":"imc-2zeabc"}`},
	} {
		mustPlace(t, ns, "spark-pi", "--image-cache="+tc.flag)
		app := getApp(t, ns, "spark-pi").Object
		if got := field(t, app, "spec", "executor", "annotations"); got != tc.executor {
			t.Errorf("--image-cache=%s: executor annotations %s, want %s", tc.flag, got, tc.executor)
		}
		// The driver stays on ECS, where no image cache applies.
		if got := field(t, app, "spec", "driver", "annotations"); got != "null" {
			t.Errorf("--image-cache=%s: driver annotations %s, want none", tc.flag, got)
		}
	}
	mustPlace(t, ns, "spark-pi", "--preset=ecs-only", "--image-cache=off")
	if got := field(t, getApp(t, ns, "spark-pi").Object, "spec"); got != originalSpec {
		t.Errorf("back on ECS with off:\ngot  %s\nwant %s", got, originalSpec)
	}
}

// ECI's pod options on the real API server: set on the roles that may run
// on ECI (the driver stays on ECS and is warned about), the spot ones on the
// executors, each removed with off; bad values are one line and change
// nothing.
func TestPlaceECIPodOptions(t *testing.T) {
	ns := newNamespace(t)
	original := createSeedApp(t, ns, "spark-pi")
	originalSpec := field(t, original.Object, "spec")
	mustPlace(t, ns, "spark-pi", "--preset=driver-on-ecs")

	_, stderr := mustPlace(t, ns, "spark-pi", "--spot", "--spot-duration=0", "--spot-fallback",
		"--ephemeral-storage=50Gi", "--instance-types=2-4Gi,ecs.c6.xlarge", "--vswitches=vsw-bp1a,vsw-bp1b", "--zone-strategy=VSwitchRandom")
	want := `{"k8s.aliyun.com/eci-extra-ephemeral-storage":"50Gi","k8s.aliyun.com/eci-schedule-strategy":"VSwitchRandom",` +
		`"k8s.aliyun.com/eci-spot-duration":"0","k8s.aliyun.com/eci-spot-fallback":"true","k8s.aliyun.com/eci-spot-strategy":"SpotAsPriceGo",` +
		`"k8s.aliyun.com/eci-use-specs":"2-4Gi,ecs.c6.xlarge","k8s.aliyun.com/eci-vswitch":"vsw-bp1a,vsw-bp1b"}`
	app := getApp(t, ns, "spark-pi").Object
	if got := field(t, app, "spec", "executor", "annotations"); got != want {
		t.Errorf("executor annotations\n got %s\nwant %s", got, want)
	}
	if got := field(t, app, "spec", "driver", "annotations"); got != "null" {
		t.Errorf("driver on ECS: %s", got)
	}
	if !strings.Contains(stderr, "Warning: spark-pi: driver: runs on ECS only, --ephemeral-storage not set for it") {
		t.Errorf("no warning about the ECS driver: %q", stderr)
	}

	before := getApp(t, ns, "spark-pi").GetResourceVersion()
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--ephemeral-storage=100G"}, `invalid --ephemeral-storage "100G": want a whole number of GiB such as 50Gi, or off`},
		{[]string{"--instance-types=c6.xlarge"}, `"c6.xlarge" is neither a vCPU-memory spec (2-4Gi) nor an ECS instance type`},
		{[]string{"--vswitches=subnet-1"}, `"subnet-1" is not a vSwitch id`},
		{[]string{"--zone-strategy=spread"}, "want VSwitchOrdered or VSwitchRandom"},
		{[]string{"--spot-duration=3"}, "ECI protects a spot instance for 1 hour or 0"},
		{[]string{"--spot=off", "--spot-fallback"}, "--spot-fallback qualifies the executors' spot instances: give --spot too"},
		{[]string{"--executors=ecs", "--ephemeral-storage=20Gi"}, "--ephemeral-storage: neither the driver nor the executors can run on virtual nodes"},
	} {
		stdout, stderr, code := runPlugin(t, append([]string{"place", "-n", ns, "spark-pi"}, tc.args...)...)
		if code == 0 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.wantErr) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q, want one line with %q", tc.args, code, stdout, stderr, tc.wantErr)
		}
	}
	if getApp(t, ns, "spark-pi").GetResourceVersion() != before {
		t.Error("bad input changed the application")
	}

	mustPlace(t, ns, "spark-pi", "--preset=ecs-only", "--spot=off", "--ephemeral-storage=off",
		"--instance-types=off", "--vswitches=off", "--zone-strategy=off")
	if got := field(t, getApp(t, ns, "spark-pi").Object, "spec"); got != originalSpec {
		t.Errorf("every option off did not give back the original:\ngot  %s\nwant %s", got, originalSpec)
	}
}
