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
