package placement

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// parse decodes a YAML manifest the way the API server's JSON decoder does
// (integers as int64), so tests see the same content the plugin sees.
func parse(t testing.TB, manifest string) map[string]interface{} {
	t.Helper()
	data, err := yaml.YAMLToJSON([]byte(manifest))
	if err != nil {
		t.Fatalf("parse manifest: %v", err)
	}
	var obj map[string]interface{}
	if err := utiljson.Unmarshal(data, &obj); err != nil {
		t.Fatalf("decode manifest: %v", err)
	}
	return obj
}

func testdata(t testing.TB, path ...string) map[string]interface{} {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, path...)...))
	if err != nil {
		t.Fatal(err)
	}
	return parse(t, string(data))
}

// seed is one of the guide's manifests.
func seed(t testing.TB, name string) map[string]interface{} {
	t.Helper()
	return testdata(t, "seed", name+".yaml")
}

// userApp is testdata/user-app.yaml: the user's own rules everywhere.
func userApp(t testing.TB) map[string]interface{} {
	t.Helper()
	return testdata(t, "user-app.yaml")
}

// canonical renders content as sorted JSON, so content that differs only in
// map order or in the Go type of a number compares equal.
func canonical(t testing.TB, v interface{}) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustApply(t testing.TB, obj map[string]interface{}, req Request) *Result {
	t.Helper()
	if req.Nodes == (VirtualNodes{}) {
		req.Nodes = AlibabaCloudECI
	}
	res, err := Apply(obj, req)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return res
}

func rolesOf(t testing.TB, kind string, obj map[string]interface{}, role string) map[string]interface{} {
	t.Helper()
	return mapAt(obj, sparkapp.RolePath(kind, sparkapp.Role(role))...)
}
