package resourcepolicy

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/internal/golden"
)

func ptr(n int64) *int64 { return &n }

// seedSpec is what "resource-policy spark-pi --unit ecs:2:kubernetes.io/arch=amd64
// --unit eci:3" asks for, with every other flag at its default.
func seedSpec(t *testing.T, name string) Spec {
	t.Helper()
	var units []Unit
	for _, s := range []string{"ecs:2:kubernetes.io/arch=amd64", "eci:3"} {
		u, err := ParseUnit(s)
		if err != nil {
			t.Fatal(err)
		}
		units = append(units, u)
	}
	return Spec{
		Name: name, Namespace: "default",
		Selector:             AppSelector("spark-pi"),
		Units:                units,
		PreemptPolicy:        DefaultPreemptPolicy,
		IgnorePreviousPod:    DefaultIgnorePreviousPod,
		IgnoreTerminatingPod: DefaultIgnoreTerminatingPod,
	}
}

func canonical(t *testing.T, v interface{}) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// With the guide's values the object is the guide's, but for the selector,
// which picks the pods of one application instead of every Spark pod.
func TestSeedValuesGiveTheSeedYAML(t *testing.T) {
	data, err := os.ReadFile("testdata/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]interface{}
	if err := yaml.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	got, err := Build(seedSpec(t, "sparkapplication-resource-policy"))
	if err != nil {
		t.Fatal(err)
	}
	gotSel := got.Object["spec"].(map[string]interface{})["selector"]
	if s := canonical(t, gotSel); s != canonical(t, map[string]string{"sparkoperator.k8s.io/app-name": "spark-pi"}) {
		t.Errorf("selector = %s", s)
	}
	for _, obj := range []map[string]interface{}{got.Object, want} {
		delete(obj["spec"].(map[string]interface{}), "selector")
	}
	if g, w := canonical(t, got.Object), canonical(t, want); g != w {
		t.Errorf("differs from the seed:\ngot  %s\nwant %s", g, w)
	}
}

// What -o yaml prints for the seed's values.
func TestBuildGolden(t *testing.T) {
	s := seedSpec(t, "spark-pi")
	s.TryNext = &TryNext{Policy: "TimeoutOrExceedMax", Timeout: time.Minute}
	obj, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := yaml.Marshal(obj.Object)
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "spark-pi.yaml", string(b))
}

func TestParseUnit(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "ecs:2:kubernetes.io/arch=amd64", want: "ecs:2:kubernetes.io/arch=amd64"},
		{in: "eci:3", want: "eci:3"},
		{in: "eci", want: "eci"},
		{in: "eci:0", want: "eci:0"},
		{in: "ecs::pool=a,zone=h", want: "ecs::pool=a,zone=h"},
		{in: "elastic:10", want: "elastic:10"},
		{in: "acs:1", want: "acs:1"},
		{in: "gpu:2", err: `unknown resource kind "gpu": want one of ecs, eci, elastic, acs`},
		{in: "ECS:2", err: `unknown resource kind "ECS"`},
		{in: "", err: `unknown resource kind ""`},
		{in: "ecs:-1", err: "max -1 is negative: want 0 or more pods"},
		{in: "ecs:two", err: `max "two" is not a whole number`},
		{in: "ecs:9999999999", err: "is not a whole number"},
		{in: "ecs:2:arch", err: `node selector "arch": want KEY=VALUE`},
		{in: "ecs:2:a=b,a=c", err: `key "a" given twice`},
		{in: "ecs:2:a b=c", err: `node selector "a b=c": key`},
		{in: "ecs:2:a=b c", err: `node selector "a=b c": value`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			u, err := ParseUnit(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.String() != tc.want {
				t.Errorf("got %s, want %s", u, tc.want)
			}
		})
	}
}

func TestParseTryNext(t *testing.T) {
	for _, tc := range []struct {
		policy, timeout string
		want            *TryNext
		err             string
	}{
		{"", "", nil, ""},
		{"timeoutorexceedmax", "1m", &TryNext{Policy: "TimeoutOrExceedMax", Timeout: time.Minute}, ""},
		{"ExceedMax", "", &TryNext{Policy: "ExceedMax"}, ""},
		{"LackResourceAndNoTerminating", "", &TryNext{Policy: "LackResourceAndNoterminating"}, ""},
		{"Soon", "", nil, `unknown policy "Soon"`},
		{"ExceedMax", "1m", nil, "a timeout applies to TimeoutOrExceedMax and Timeout only"},
		{"Timeout", "-1m", nil, `invalid timeout "-1m"`},
		{"", "1m", nil, "a timeout needs a policy"},
	} {
		t.Run(tc.policy+"/"+tc.timeout, func(t *testing.T) {
			got, err := ParseTryNext(tc.policy, tc.timeout)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if canonical(t, got) != canonical(t, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Spec)
		err    string
	}{
		{"no units", func(s *Spec) { s.Units = nil }, "no units: a ResourcePolicy needs at least one"},
		{"negative max", func(s *Spec) { s.Units[1].Max = ptr(-1) }, "unit 2 (eci): max -1 is negative"},
		{"unknown kind", func(s *Spec) { s.Units[0].Resource = "vm" }, `unit 1: unknown resource kind "vm"`},
		{"no selector", func(s *Spec) { s.Selector = nil }, "needs a selector"},
		{"preempt policy", func(s *Spec) { s.PreemptPolicy = "Never" }, `unknown preempt policy "Never"`},
		{"no name", func(s *Spec) { s.Name = "" }, "needs a name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := seedSpec(t, "spark-pi")
			tc.change(&s)
			if _, err := Build(s); err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("err = %v, want %q", err, tc.err)
			}
		})
	}
}

func TestHolds(t *testing.T) {
	desired, err := Build(seedSpec(t, "spark-pi"))
	if err != nil {
		t.Fatal(err)
	}
	// As the API server returns it: numbers decoded as int64 or float64,
	// fields of others beside ours.
	var stored map[string]interface{}
	b, _ := json.Marshal(desired.Object)
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	stored["spec"].(map[string]interface{})["whenTryNextUnits"] = map[string]interface{}{"policy": "ExceedMax"}
	if !Holds(stored, desired.Object) {
		t.Error("stored object with extra fields does not hold the desired ones")
	}
	stored["spec"].(map[string]interface{})["ignorePreviousPod"] = false
	if Holds(stored, desired.Object) {
		t.Error("a changed field goes unnoticed")
	}
	if Holds(map[string]interface{}{}, desired.Object) {
		t.Error("an empty object holds the desired fields")
	}
}
