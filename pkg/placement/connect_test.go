package placement

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/internal/golden"
)

func sparkConnect(t testing.TB) map[string]interface{} {
	t.Helper()
	return testdata(t, "spark-connect.yaml")
}

// A SparkConnect has pod templates only: the server (its driver) and the
// executors are placed there, ECI annotations go into the templates'
// metadata, and the user's own rules and annotations stay.
func TestSparkConnectPlacesItsTemplates(t *testing.T) {
	cache, _ := ParseImageCache("auto")
	spot, _ := ParseSpot("executors", "")
	res := mustApply(t, sparkConnect(t), Request{Driver: ECI, Executor: ECSFirst, ImageCache: cache, Spot: spot})
	out, err := yaml.Marshal(res.Object)
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "spark-connect-placed.yaml", string(out))

	if want := (Placement{Driver: ECI, Executor: ECSFirst}); res.Placement != want {
		t.Errorf("Placement = %v, want %v", res.Placement, want)
	}
	if got := res.Placement.Describe(res.Kind); got != "server: eci, executors: ecs-first" {
		t.Errorf("Describe = %q", got)
	}
	for _, role := range []string{"server", "executor"} {
		spec := mapAt(res.Object, "spec", role)
		for _, key := range []string{keyTolerations, keyAffinity, "annotations"} {
			if spec[key] != nil {
				t.Errorf("spec.%s.%s written: a SparkConnect's role has no such field", role, key)
			}
		}
	}
	// The user's two terms each got the expression: ANDed, not a third term.
	terms := listAt(mapAt(res.Object, "spec", "server", "template", "spec", keyAffinity, "nodeAffinity", keyRequired), keyTerms)
	if len(terms) != 2 {
		t.Errorf("server has %d required terms, want the user's 2", len(terms))
	}
	if again := mustApply(t, res.Object, Request{Driver: ECI, Executor: ECSFirst, ImageCache: cache, Spot: spot}); again.Changed {
		t.Error("placing again changed the object")
	}
	off, _ := ParseImageCache("off")
	spotOff, _ := ParseSpot("off", "")
	back := mustApply(t, res.Object, Request{Driver: ECS, Executor: ECS, ImageCache: off, Spot: spotOff})
	if got, want := canonical(t, back.Object), canonical(t, sparkConnect(t)); got != want {
		t.Errorf("placing back on ECS did not give the original:\ngot  %s\nwant %s", got, want)
	}
}

// --via says where an application's rules go; a SparkConnect has only one place.
func TestSparkConnectIgnoresVia(t *testing.T) {
	viaSpec := mustApply(t, sparkConnect(t), Request{Executor: ECI, Via: ViaSpec})
	viaTemplate := mustApply(t, sparkConnect(t), Request{Executor: ECI, Via: ViaTemplate})
	if got, want := canonical(t, viaSpec.Object), canonical(t, viaTemplate.Object); got != want {
		t.Errorf("--via=spec placed a SparkConnect elsewhere than --via=template:\n%s\n%s", got, want)
	}
	if mapAt(viaSpec.Object, "spec", "executor", "template", "spec")[keyTolerations] == nil {
		t.Error("the executors' template got no toleration")
	}
}

// The server, with no template, gets one and loses it again; the executors'
// template, which the operator v2.3 and v2.4 dereference, stays, if empty.
func TestSparkConnectWithoutTemplates(t *testing.T) {
	bare := parse(t, `apiVersion: sparkoperator.k8s.io/v1alpha1
kind: SparkConnect
metadata: {name: bare}
spec:
  sparkVersion: 4.0.4
  image: spark:4.0.4
  server: {cores: 1}
  executor:
    instances: 1
    template: {}
`)
	cache, _ := ParseImageCache("imc-abc")
	placed := mustApply(t, bare, Request{Driver: ECI, Executor: ECI, ImageCache: cache})
	for _, role := range []string{"server", "executor"} {
		if mapAt(placed.Object, "spec", role, "template", "metadata", "annotations")["k8s.aliyun.com/eci-image-snapshot-id"] != "imc-abc" {
			t.Errorf("%s: no image cache annotation in its template", role)
		}
	}
	off, _ := ParseImageCache("off")
	back := mustApply(t, placed.Object, Request{Driver: ECS, Executor: ECS, ImageCache: off})
	if got, want := canonical(t, back.Object), canonical(t, bare); got != want {
		t.Errorf("placing back did not give the original:\ngot  %s\nwant %s", got, want)
	}

	// An executor with no template at all (v2.5 runs it) ends with an empty one.
	delete(mapAt(bare, "spec", "executor"), "template")
	placed = mustApply(t, bare, Request{Executor: ECI})
	back = mustApply(t, placed.Object, Request{Executor: ECS})
	if tmpl, ok := mapAt(back.Object, "spec", "executor")["template"].(map[string]interface{}); !ok || len(tmpl) != 0 {
		t.Errorf("executor template = %v, want {} kept", mapAt(back.Object, "spec", "executor")["template"])
	}
	if mapAt(back.Object, "spec", "server") == nil {
		t.Error("spec.server removed: the CRD requires it")
	}
}

func TestSparkConnectMessagesNameTheServer(t *testing.T) {
	cache, _ := ParseImageCache("auto")
	res := mustApply(t, sparkConnect(t), Request{Driver: ECS, Executor: ECI, ImageCache: cache})
	if want := []string{"server: runs on ECS only, image cache not set for it"}; strings.Join(res.Warnings, "\n") != want[0] {
		t.Errorf("warnings = %q, want %q", res.Warnings, want)
	}

	tolerant := sparkConnect(t)
	serverSpec := mapAt(tolerant, "spec", "server", "template", "spec")
	serverSpec[keyTolerations] = append(listAt(serverSpec, keyTolerations), map[string]interface{}{"operator": "Exists"})
	res = mustApply(t, tolerant, Request{Driver: ECS})
	if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], "server: another toleration still tolerates the taint") {
		t.Errorf("warnings = %q, want the server's toleration named", res.Warnings)
	}

	old := parse(t, "apiVersion: sparkoperator.k8s.io/v1alpha1\nkind: SparkConnect\nmetadata: {name: old}\nspec: {sparkVersion: 2.4.8, server: {}, executor: {template: {}}}\n")
	if _, err := Apply(old, Request{Executor: ECI, Nodes: AlibabaCloudECI}); err == nil || !strings.Contains(err.Error(), "need Spark 3.0 or later") {
		t.Errorf("Spark 2 SparkConnect: err = %v", err)
	}
}
