package placement

import (
	"reflect"
	"strings"
	"testing"
)

func TestRequiredAffinityIsANDedIntoEveryTerm(t *testing.T) {
	res := mustApply(t, userApp(t), Request{Driver: ECI})
	terms := listAt(mapAt(res.Object, "spec", "driver", "affinity", "nodeAffinity", keyRequired), keyTerms)
	if len(terms) != 2 {
		t.Fatalf("want the user's 2 terms and no new OR-ed term, got %d: %v", len(terms), terms)
	}
	isOurs := AlibabaCloudECI.isExpression("In")
	for i, term := range terms {
		exprs := listAt(term.(map[string]interface{}), keyExpressions)
		if !containsMatching(exprs, isOurs) {
			t.Errorf("term %d lacks the virtual-kubelet expression: %v", i, term)
		}
	}
	// The zone term keeps its own expression first; the matchFields term keeps its fields.
	zone := terms[0].(map[string]interface{})
	if got := listAt(zone, keyExpressions); len(got) != 2 || got[0].(map[string]interface{})["key"] != "topology.kubernetes.io/zone" {
		t.Errorf("zone term = %v", zone)
	}
	if fields := listAt(terms[1].(map[string]interface{}), "matchFields"); len(fields) != 1 {
		t.Errorf("matchFields term lost its fields: %v", terms[1])
	}
}

// userObjects hold rules of the user's own in every place placement writes
// to: an application's roles, a SparkConnect's pod templates.
var userObjects = []struct {
	name string
	load func(testing.TB) map[string]interface{}
	// kept are maps placement never touches; driverPodSpec is where the
	// driver's (the server's) rules are.
	kept          [][]string
	driverPodSpec []string
}{
	{"SparkApplication", userApp, [][]string{
		{"spec", "driver", "nodeSelector"},
		{"spec", "driver", "annotations"},
		{"spec", "driver", "affinity", "podAntiAffinity"},
		{"metadata"},
	}, []string{"spec", "driver"}},
	{"SparkConnect", sparkConnect, [][]string{
		{"spec", "server", "template", "metadata"},
		{"spec", "executor", "template", "metadata"},
		{"metadata"},
	}, []string{"spec", "server", "template", "spec"}},
}

func TestUserContentSurvivesEveryTarget(t *testing.T) {
	for _, input := range userObjects {
		original := input.load(t)
		for _, target := range Targets {
			t.Run(input.name+"/"+string(target), func(t *testing.T) {
				placed := mustApply(t, original, Request{Driver: target, Executor: target})
				if got := placed.Placement; got.Driver != target || got.Executor != target {
					t.Errorf("detected as %v", got)
				}
				back := mustApply(t, placed.Object, Request{Driver: ECS, Executor: ECS})
				if got, want := canonical(t, back.Object), canonical(t, original); got != want {
					t.Errorf("round trip through %s lost or changed something:\ngot  %s\nwant %s", target, got, want)
				}
				// Untouched parts are identical even while placed.
				for _, path := range input.kept {
					if got, want := canonical(t, mapAt(placed.Object, path...)), canonical(t, mapAt(original, path...)); got != want {
						t.Errorf("%v changed:\ngot  %s\nwant %s", path, got, want)
					}
				}
				tolerations := listAt(mapAt(placed.Object, input.driverPodSpec...), keyTolerations)
				if first := tolerations[0].(map[string]interface{}); first["key"] != "dedicated" {
					t.Errorf("user's toleration moved or lost: %v", tolerations)
				}
			})
		}
	}
}

func TestSwitchingTargetsReplacesOwnedRules(t *testing.T) {
	for _, input := range userObjects {
		obj := input.load(t)
		for _, target := range []Target{ECI, ECSFirst, ECIFirst, ECI} {
			obj = mustApply(t, obj, Request{Executor: target}).Object
		}
		want := mustApply(t, input.load(t), Request{Executor: ECI})
		if got, want := canonical(t, obj), canonical(t, want.Object); got != want {
			t.Errorf("%s: switching left stale rules:\ngot  %s\nwant %s", input.name, got, want)
		}
	}
}

func TestSecondRunIsUnchanged(t *testing.T) {
	cache, _ := ParseImageCache("auto")
	spot, _ := ParseSpot("executors", "0.25")
	req := Request{Driver: ECSFirst, Executor: ECI, ImageCache: cache, Spot: spot}
	for _, input := range userObjects {
		first := mustApply(t, input.load(t), req)
		if !first.Changed {
			t.Fatalf("%s: first run changed nothing", input.name)
		}
		if second := mustApply(t, first.Object, req); second.Changed {
			t.Errorf("%s: second run changed the object again", input.name)
		}
	}
}

func TestApplyDoesNotModifyItsInput(t *testing.T) {
	for _, input := range userObjects {
		obj := input.load(t)
		before := canonical(t, obj)
		mustApply(t, obj, Request{Driver: ECI, Executor: ECI})
		if canonical(t, obj) != before {
			t.Errorf("%s: Apply modified its input", input.name)
		}
	}
}

func TestViaTemplate(t *testing.T) {
	obj := mustApply(t, userApp(t), Request{Executor: ECI}).Object
	res := mustApply(t, obj, Request{Executor: ECI, Via: ViaTemplate})
	executor := mapAt(res.Object, "spec", "executor")
	if AlibabaCloudECI.holds(executor) != (rules{}) {
		t.Errorf("rules left in the spec after moving to the template: %v", executor)
	}
	if got := AlibabaCloudECI.holds(mapAt(executor, "template", "spec")); got != rulesFor(ECI) {
		t.Errorf("template holds %+v", got)
	}
	if len(listAt(executor, keyTolerations)) != 1 {
		t.Errorf("user's gpu toleration must stay in the spec: %v", executor[keyTolerations])
	}
	if res.Placement.Executor != ECI {
		t.Errorf("Placement = %v", res.Placement)
	}
	back := mustApply(t, res.Object, Request{Executor: ECS})
	if got, want := canonical(t, back.Object), canonical(t, userApp(t)); got != want {
		t.Errorf("ecs did not clear the template:\ngot  %s\nwant %s", got, want)
	}
}

func TestViaTemplateKeepsTheUsersTemplate(t *testing.T) {
	app := userApp(t)
	template := map[string]interface{}{
		"metadata": map[string]interface{}{"labels": map[string]interface{}{"x": "y"}},
		"spec": map[string]interface{}{
			"containers": []interface{}{map[string]interface{}{"name": "sidecar", "image": "busybox"}},
		},
	}
	mapAt(app, "spec", "executor")["template"] = template
	res := mustApply(t, app, Request{Executor: ECIFirst, Via: ViaTemplate})
	back := mustApply(t, res.Object, Request{Executor: ECS})
	if got, want := canonical(t, back.Object), canonical(t, app); got != want {
		t.Errorf("user's template changed:\ngot  %s\nwant %s", got, want)
	}
}

func TestScheduledSparkApplicationPlacesItsTemplate(t *testing.T) {
	obj := parse(t, `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: ScheduledSparkApplication
metadata: {name: nightly}
spec:
  schedule: "@daily"
  template:
    sparkVersion: 3.5.2
    driver: {cores: 1}
    executor: {instances: 2}
`)
	res := mustApply(t, obj, Request{Driver: ECS, Executor: ECI})
	if got := AlibabaCloudECI.holds(mapAt(res.Object, "spec", "template", "executor")); got != rulesFor(ECI) {
		t.Errorf("template executor holds %+v", got)
	}
	if res.Placement != (Placement{ECS, ECI}) {
		t.Errorf("Placement = %v", res.Placement)
	}
	if _, ok := mapAt(res.Object, "spec")["executor"]; ok {
		t.Error("wrote spec.executor on a ScheduledSparkApplication")
	}
}

func TestCustomLabelAndTaint(t *testing.T) {
	nodes, err := ParseVirtualNodes("node.kubernetes.io/virtual=true", "virtual-node.example.com/dedicated:NoExecute")
	if err != nil {
		t.Fatal(err)
	}
	res := mustApply(t, seed(t, "ecs-only"), Request{Executor: ECI, Nodes: nodes})
	executor := mapAt(res.Object, "spec", "executor")
	want := parse(t, `
tolerations:
- {key: virtual-node.example.com/dedicated, operator: Exists, effect: NoExecute}
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: node.kubernetes.io/virtual, operator: In, values: ["true"]}
`)
	for _, key := range []string{keyTolerations, keyAffinity} {
		if got, want := canonical(t, executor[key]), canonical(t, want[key]); got != want {
			t.Errorf("%s:\ngot  %s\nwant %s", key, got, want)
		}
	}
	if got := nodes.Detect(res.Object); got.Executor != ECI {
		t.Errorf("Detect = %v", got)
	}
}

func TestWarningsAndRefusals(t *testing.T) {
	auto, _ := ParseImageCache("auto")
	off, _ := ParseImageCache("off")
	spot, _ := ParseSpot("executors", "")
	spotOff, _ := ParseSpot("off", "")
	tests := []struct {
		name    string
		app     string
		req     Request
		wantErr string
		warning string
	}{
		{name: "image cache with both roles on ECS", app: "ecs-only", req: Request{ImageCache: auto},
			wantErr: "neither the driver nor the executors can run on virtual nodes"},
		{name: "image cache skips an ECS driver", app: "ecs-only", req: Request{Driver: ECS, Executor: ECI, ImageCache: auto},
			warning: "driver: runs on ECS only"},
		{name: "spot on ECS executors", app: "ecs-only", req: Request{Spot: spot},
			wantErr: "--spot: the executors cannot run on virtual nodes"},
		{name: "spot on executors placed to ECS now", app: "eci-only", req: Request{Executor: ECS, Spot: spot},
			wantErr: "--spot: the executors cannot run on virtual nodes"},
		{name: "removals are always allowed", app: "ecs-only", req: Request{ImageCache: off, Spot: spotOff}},
		{name: "pod templates need Spark 3", app: "spark2", req: Request{Executor: ECI, Via: ViaTemplate},
			wantErr: "--via=template needs Spark 3.0 or later"},
		{name: "not a Spark kind", app: "pod", req: Request{Executor: ECI},
			wantErr: "a Pod is not a SparkApplication"},
		{name: "template under a spec affinity", app: "user", req: Request{Driver: ECI, Via: ViaTemplate},
			warning: "driver: its spec has an affinity of its own"},
		{name: "ecs while another toleration tolerates the taint", app: "tolerate-all", req: Request{Executor: ECS},
			warning: "executor: another toleration still tolerates the taint virtual-kubelet.io/provider=alibabacloud:NoSchedule"},
	}
	apps := map[string]func(t *testing.T) map[string]interface{}{
		"ecs-only": func(t *testing.T) map[string]interface{} { return seed(t, "ecs-only") },
		"user":     func(t *testing.T) map[string]interface{} { return userApp(t) },
		"eci-only": func(t *testing.T) map[string]interface{} { return seed(t, "eci-only") },
		"spark2": func(t *testing.T) map[string]interface{} {
			app := seed(t, "ecs-only")
			mapAt(app, "spec")["sparkVersion"] = "2.4.8"
			return app
		},
		"pod": func(t *testing.T) map[string]interface{} {
			return parse(t, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
		},
		"tolerate-all": func(t *testing.T) map[string]interface{} {
			app := seed(t, "eci-only")
			executor := mapAt(app, "spec", "executor")
			executor[keyTolerations] = append(listAt(executor, keyTolerations), map[string]interface{}{"operator": "Exists"})
			return app
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Nodes = AlibabaCloudECI
			res, err := Apply(apps[tc.app](t), tc.req)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			joined := strings.Join(res.Warnings, "\n")
			if tc.warning == "" && joined != "" || !strings.Contains(joined, tc.warning) {
				t.Errorf("warnings = %q, want %q", joined, tc.warning)
			}
		})
	}
}

func TestSpotAnnotations(t *testing.T) {
	eci := seed(t, "eci-only")
	limit, _ := ParseSpot("", "0.5")
	res := mustApply(t, eci, Request{Spot: limit})
	annotations := mapAt(res.Object, "spec", "executor", "annotations")
	if annotations["k8s.aliyun.com/eci-spot-strategy"] != "SpotWithPriceLimit" || annotations["k8s.aliyun.com/eci-spot-price-limit"] != "0.5" {
		t.Errorf("executor annotations = %v", annotations)
	}
	if mapAt(res.Object, "spec", "driver", "annotations") != nil {
		t.Error("spot must never be set on the driver")
	}
	asPriceGo, _ := ParseSpot("executors", "")
	res = mustApply(t, res.Object, Request{Spot: asPriceGo})
	annotations = mapAt(res.Object, "spec", "executor", "annotations")
	if annotations["k8s.aliyun.com/eci-spot-strategy"] != "SpotAsPriceGo" || annotations["k8s.aliyun.com/eci-spot-price-limit"] != nil {
		t.Errorf("switching to SpotAsPriceGo left %v", annotations)
	}
	off, _ := ParseSpot("off", "")
	res = mustApply(t, res.Object, Request{Spot: off})
	if got, want := canonical(t, res.Object), canonical(t, eci); got != want {
		t.Errorf("--spot=off did not restore the application:\ngot  %s\nwant %s", got, want)
	}
}

// TestImageCacheForms walks every switch between the --image-cache forms: each
// role that may run on ECI ends up with exactly the annotations of the last
// form, whatever came before, and the user's own annotations stay.
func TestImageCacheForms(t *testing.T) {
	forms := map[string]map[string]interface{}{
		"auto":       {"k8s.aliyun.com/eci-image-cache": "true"},
		"imc-abc123": {"k8s.aliyun.com/eci-image-snapshot-id": "imc-abc123"},
		"imc-def456": {"k8s.aliyun.com/eci-image-snapshot-id": "imc-def456"},
		"off":        {"k8s.aliyun.com/eci-auto-imc": "false"},
	}
	start := seed(t, "driver-on-ecs")
	// The user's own annotation, and a cache pinned by today's name by hand:
	// place owns every image-cache annotation, so the pin goes.
	mapAt(start, "spec", "executor")["annotations"] = map[string]interface{}{
		"team": "ml", "k8s.aliyun.com/eci-imc-id": "imc-byhand1",
	}
	for first := range forms {
		for second := range forms {
			obj := start
			for _, form := range []string{first, second} {
				cache, err := ParseImageCache(form)
				if err != nil {
					t.Fatal(err)
				}
				obj = mustApply(t, obj, Request{ImageCache: cache}).Object
			}
			want := map[string]interface{}{"team": "ml"}
			for k, v := range forms[second] {
				want[k] = v
			}
			if got := mapAt(obj, "spec", "executor", "annotations"); !reflect.DeepEqual(got, want) {
				t.Errorf("%s then %s: executor annotations %v, want %v", first, second, got, want)
			}
			// The driver runs on ECS only: it gets none, off included.
			if got := mapAt(obj, "spec", "driver", "annotations"); got != nil {
				t.Errorf("%s then %s: driver on ECS has annotations %v", first, second, got)
			}
		}
	}
}

func TestImageCacheOffTurnsMatchingOff(t *testing.T) {
	off, _ := ParseImageCache("off")
	res := mustApply(t, seed(t, "eci-only-image-cache-auto"), Request{ImageCache: off})
	for _, role := range []string{"driver", "executor"} {
		want := map[string]interface{}{"k8s.aliyun.com/eci-auto-imc": "false"}
		if got := mapAt(res.Object, "spec", role, "annotations"); !reflect.DeepEqual(got, want) {
			t.Errorf("%s annotations %v, want %v", role, got, want)
		}
	}
	if !res.Changed {
		t.Error("off on an auto application: not changed")
	}
	// Placed on ECS, off leaves no trace: the original comes back.
	back := mustApply(t, res.Object, Request{Driver: ECS, Executor: ECS, ImageCache: off})
	if got, want := canonical(t, back.Object["spec"]), canonical(t, seed(t, "ecs-only")["spec"]); got != want {
		t.Errorf("back on ECS with off:\ngot  %s\nwant %s", got, want)
	}
}
