package placement

import (
	"testing"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// The fuzz targets build an application from pools of user content (none of it
// owned by placement) and run a sequence of placements read from the input.
// Each step must be idempotent, must place each role it names where asked, and
// must keep every required term count; placing both roles back on ECS with no
// cache, no spot and every pod option off must give back the original exactly. With no -fuzz flag
// they run on the seed corpus below, as ordinary tests.

var userTolerations = []interface{}{
	map[string]interface{}{"key": "dedicated", "operator": "Equal", "value": "spark", "effect": "NoSchedule"},
	map[string]interface{}{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"},
	// Same key as the ECI taint, other value: it does not tolerate it.
	map[string]interface{}{"key": "virtual-kubelet.io/provider", "operator": "Equal", "value": "other", "effect": "NoSchedule"},
	map[string]interface{}{"key": "virtual-kubelet.io/provider", "operator": "Equal", "value": "alibabacloud", "effect": "NoExecute", "tolerationSeconds": int64(30)},
}

var userTerms = []interface{}{
	map[string]interface{}{keyExpressions: []interface{}{
		map[string]interface{}{"key": "topology.kubernetes.io/zone", "operator": "In", "values": []interface{}{"cn-hangzhou-h"}},
	}},
	map[string]interface{}{"matchFields": []interface{}{
		map[string]interface{}{"key": "metadata.name", "operator": "NotIn", "values": []interface{}{"bad-node"}},
	}},
	map[string]interface{}{keyExpressions: []interface{}{
		map[string]interface{}{"key": "type", "operator": "In", "values": []interface{}{"virtual-kubelet", "other"}},
	}},
}

var userPreferences = []interface{}{
	// Same expression as ecs-first, other weight: the user's, not ours.
	map[string]interface{}{"weight": int64(5), "preference": map[string]interface{}{keyExpressions: []interface{}{
		map[string]interface{}{"key": "type", "operator": "NotIn", "values": []interface{}{"virtual-kubelet"}},
	}}},
	map[string]interface{}{"weight": int64(1), "preference": map[string]interface{}{keyExpressions: []interface{}{
		map[string]interface{}{"key": "type", "operator": "In", "values": []interface{}{"virtual-kubelet"}},
		map[string]interface{}{"key": "disk", "operator": "In", "values": []interface{}{"ssd"}},
	}}},
}

// bytesReader hands out the fuzz input a choice at a time, then zeros.
type bytesReader struct{ data []byte }

func (r *bytesReader) next(n int) int {
	if len(r.data) == 0 {
		return 0
	}
	b := r.data[0]
	r.data = r.data[1:]
	return int(b) % n
}

func (r *bytesReader) subset(pool []interface{}) []interface{} {
	var out []interface{}
	mask := r.next(1 << len(pool))
	for i, item := range pool {
		if mask&(1<<i) != 0 {
			out = append(out, item)
		}
	}
	return out
}

func (r *bytesReader) app(t testing.TB) map[string]interface{} {
	kind := []string{sparkapp.KindScheduledSparkApplication, sparkapp.KindSparkConnect}[r.next(2)]
	if r.next(2) == 0 {
		kind = sparkapp.KindSparkApplication
	}
	apiVersion := sparkapp.GroupVersion.String()
	if kind == sparkapp.KindSparkConnect {
		apiVersion = sparkapp.ConnectGroupVersion.String()
	}
	app := parse(t, "apiVersion: "+apiVersion+"\nkind: "+kind+"\nmetadata: {name: fuzz}\nspec: {}\n")
	appSpec := ensureMapAt(app, sparkapp.AppSpecPath(kind)...)
	appSpec["sparkVersion"] = "3.5.2"
	for _, role := range sparkapp.Roles {
		templateOnly := sparkapp.PodTemplateOnly(kind)
		if r.next(8) == 7 && !templateOnly {
			continue // a role the user left out: placement may create it
		}
		spec := map[string]interface{}{"cores": int64(1)}
		// Where the user's rules are: the role's spec, or (a SparkConnect's
		// only place) its pod template.
		podSpec, annotated := spec, spec
		if templateOnly {
			podSpec, annotated = map[string]interface{}{}, map[string]interface{}{}
		}
		if l := r.subset(userTolerations); l != nil {
			podSpec[keyTolerations] = l
		}
		nodeAffinity := map[string]interface{}{}
		if terms := r.subset(userTerms); terms != nil {
			nodeAffinity[keyRequired] = map[string]interface{}{keyTerms: terms}
		}
		if prefs := r.subset(userPreferences); prefs != nil {
			nodeAffinity[keyPreferred] = prefs
		}
		affinity := map[string]interface{}{}
		if len(nodeAffinity) > 0 {
			affinity["nodeAffinity"] = nodeAffinity
		}
		if r.next(2) == 1 {
			affinity["podAntiAffinity"] = map[string]interface{}{"requiredDuringSchedulingIgnoredDuringExecution": []interface{}{
				map[string]interface{}{"topologyKey": "kubernetes.io/hostname"},
			}}
		}
		if len(affinity) > 0 {
			podSpec[keyAffinity] = affinity
		}
		if r.next(2) == 1 {
			annotated["annotations"] = map[string]interface{}{"team": "ml"}
		}
		switch {
		case templateOnly:
			template := map[string]interface{}{}
			if len(podSpec) > 0 {
				template["spec"] = podSpec
			}
			if len(annotated) > 0 {
				template["metadata"] = annotated
			}
			// The executors of a SparkConnect need a template (the
			// operator v2.3 and v2.4 dereference it), which placement
			// keeps, if empty; the server may have none. (An empty
			// template elsewhere, the same as none to the operator, is
			// not kept once placement emptied it again.)
			if len(template) > 0 || role == sparkapp.Executor {
				spec["template"] = template
			}
		case r.next(2) == 1:
			spec["template"] = map[string]interface{}{"spec": map[string]interface{}{
				keyTolerations: []interface{}{userTolerations[0]},
			}}
		}
		appSpec[sparkapp.RoleField(kind, role)] = spec
	}
	// The decoder's view of it: plain JSON types, independent copies.
	return parse(t, canonical(t, app))
}

func (r *bytesReader) request() Request {
	targets := append([]Target{""}, Targets...)
	req := Request{
		Driver:   targets[r.next(len(targets))],
		Executor: targets[r.next(len(targets))],
		Via:      []Via{ViaSpec, ViaTemplate}[r.next(2)],
		Nodes:    AlibabaCloudECI,
	}
	req.ImageCache, _ = ParseImageCache([]string{"", "auto", "off", "imc-fuzz1"}[r.next(4)])
	req.Spot, _ = ParseSpot([]string{"", "executors", "off"}[r.next(3)], "")
	for _, o := range []struct {
		parse  func(string) (PodOption, error)
		values []string
	}{
		{ParseEphemeralStorage, []string{"", "50Gi", "off"}},
		{ParseInstanceTypes, []string{"", "2-4Gi,ecs.c6.xlarge", "off"}},
		{ParseVSwitches, []string{"", "vsw-a,vsw-b", "off"}},
		{ParseZoneStrategy, []string{"", "VSwitchRandom", "off"}},
		{ParseSpotDuration, []string{"", "0", "off"}},
		{ParseSpotFallback, []string{"", "true", "false"}},
	} {
		option, _ := o.parse(o.values[r.next(len(o.values))])
		req.Options = append(req.Options, option)
	}
	return req
}

// everythingOff removes every annotation place may have written.
func everythingOff() []PodOption {
	var out []PodOption
	for _, parse := range []func(string) (PodOption, error){
		ParseEphemeralStorage, ParseInstanceTypes, ParseVSwitches, ParseZoneStrategy, ParseSpotDuration, ParseSpotFallback,
	} {
		o, _ := parse(Off)
		out = append(out, o)
	}
	return out
}

// requiredTermCount counts the required node-affinity terms where via writes
// (a SparkConnect's: its template).
func requiredTermCount(kind string, role map[string]interface{}, via Via) int {
	podSpec := role
	if via == ViaTemplate || sparkapp.PodTemplateOnly(kind) {
		podSpec = mapAt(role, "template", "spec")
	}
	return len(listAt(mapAt(podSpec, append(nodeAffinityPath, keyRequired)...), keyTerms))
}

// fuzzSeeds are the inputs FuzzPlacement runs as a test.
var fuzzSeeds = [][]byte{
	{},
	{0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 2, 2, 0, 1, 1},
	{1, 15, 7, 3, 1, 1, 1, 15, 7, 3, 1, 1, 4, 2, 1, 1, 0, 3, 3, 0, 2, 2},
	{2, 5, 5, 2, 0, 0, 1, 6, 1, 1, 1, 0, 1, 4, 1, 3, 1, 2, 4, 4, 1, 0, 0},
	{3, 0, 2, 0, 1, 1, 0, 2, 3, 0, 0, 1, 2, 3, 0, 1, 2, 1, 3, 2, 1, 2, 1, 0, 4, 3, 1, 1, 1},
	{0, 3, 2, 1, 0, 1, 1, 3, 1, 1, 1, 1, 2, 0, 1, 2, 1, 3, 4, 1, 0, 1, 1, 3, 2, 0, 1, 0},
	// SparkConnects.
	{1, 1, 15, 7, 3, 1, 1, 1, 15, 7, 3, 0, 1, 2, 2, 1, 2, 1, 3, 1, 1, 1, 2, 2, 1},
	{1, 1, 2, 1, 0, 0, 0, 1, 0, 1, 1, 1, 3, 1, 0, 3, 2, 1, 2, 2, 2, 2, 1, 0, 4, 4, 0, 2, 1, 1},
}

func TestFuzzSeedsCoverEveryKind(t *testing.T) {
	kinds := map[string]bool{}
	for _, s := range fuzzSeeds {
		kinds[(&bytesReader{data: s}).app(t)["kind"].(string)] = true
	}
	for _, kind := range placeableKinds {
		if !kinds[kind] {
			t.Errorf("no seed makes a %s", kind)
		}
	}
}

func FuzzPlacement(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &bytesReader{data: data}
		original := r.app(t)
		kind := original["kind"].(string)
		want := canonical(t, original)
		obj := original
		for step := 0; step < 4; step++ {
			req := r.request()
			res, err := Apply(obj, req)
			if err != nil {
				continue // a refused request changes nothing
			}
			again, err := Apply(res.Object, req)
			if err != nil || again.Changed {
				t.Fatalf("step %d: second run changed the object again (err %v)", step, err)
			}
			for _, role := range []string{"driver", "executor"} {
				target := req.target(role)
				if target == "" {
					continue
				}
				if got := res.Placement.Of(sparkapp.Role(role)); got != target {
					t.Fatalf("step %d: %s placed on %s, want %s", step, role, got, target)
				}
				before, after := rolesOf(t, kind, original, role), rolesOf(t, kind, res.Object, role)
				userTerms := requiredTermCount(kind, before, req.Via)
				if target == ECI && userTerms == 0 {
					userTerms = 1
				}
				if got := requiredTermCount(kind, after, req.Via); got != userTerms {
					t.Fatalf("step %d: %s has %d required terms, want %d (terms are ANDed, never added)", step, role, got, userTerms)
				}
			}
			obj = res.Object
		}
		off, _ := ParseImageCache("off")
		spotOff, _ := ParseSpot("off", "")
		back, err := Apply(obj, Request{Driver: ECS, Executor: ECS, ImageCache: off, Spot: spotOff, Options: everythingOff(), Nodes: AlibabaCloudECI})
		if err != nil {
			t.Fatal(err)
		}
		if got := canonical(t, back.Object); got != want {
			t.Fatalf("placing back on ECS did not restore the original:\ngot  %s\nwant %s", got, want)
		}
	})
}
