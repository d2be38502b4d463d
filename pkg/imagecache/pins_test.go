package imagecache

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

const (
	imcID       = "k8s.aliyun.com/eci-imc-id"
	snapshotID  = "k8s.aliyun.com/eci-image-snapshot-id"
	autoCache   = "k8s.aliyun.com/eci-image-cache"
	sparkAppHdr = "apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nmetadata: {name: etl, namespace: spark}\n"
)

// pinsText writes pins as role=id@path[annotation], for comparing.
func pinsText(pins []Pin) []string {
	var out []string
	for _, p := range pins {
		out = append(out, string(p.Role)+"="+p.ID+"@"+strings.Join(p.Path, ".")+"["+p.Annotation+"]")
	}
	return out
}

// Each annotation name, in each map that reaches a role's pods, of each kind.
func TestPinningOf(t *testing.T) {
	for _, tc := range []struct {
		name      string
		manifest  string
		key       string
		want      []string
		unwritten []string
	}{
		{name: "driver's annotations, today's name", manifest: sparkAppHdr + `
spec: {driver: {annotations: {` + imcID + `: imc-d}}}`,
			key: "spark/etl", want: []string{"driver=imc-d@spec.driver.annotations[" + imcID + "]"}},
		{name: "executor's annotations, the guide's name", manifest: sparkAppHdr + `
spec: {executor: {annotations: {` + snapshotID + `: imc-e}}}`,
			key: "spark/etl", want: []string{"executor=imc-e@spec.executor.annotations[" + snapshotID + "]"}},
		{name: "driver's pod template", manifest: sparkAppHdr + `
spec: {driver: {template: {metadata: {annotations: {` + snapshotID + `: imc-d}}}}}`,
			key: "spark/etl", want: []string{"driver=imc-d@spec.driver.template.metadata.annotations[" + snapshotID + "]"},
			unwritten: []string{"spec.driver.template.metadata.annotations[" + snapshotID + "]"}},
		{name: "executor's pod template", manifest: sparkAppHdr + `
spec: {executor: {template: {metadata: {annotations: {` + imcID + `: imc-e}}}}}`,
			key: "spark/etl", want: []string{"executor=imc-e@spec.executor.template.metadata.annotations[" + imcID + "]"},
			unwritten: []string{"spec.executor.template.metadata.annotations[" + imcID + "]"}},
		{name: "both roles, one cache", manifest: sparkAppHdr + `
spec: {driver: {annotations: {` + snapshotID + `: imc-1}}, executor: {annotations: {` + snapshotID + `: imc-1}}}`,
			key: "spark/etl", want: []string{"driver=imc-1@spec.driver.annotations[" + snapshotID + "]", "executor=imc-1@spec.executor.annotations[" + snapshotID + "]"}},
		{name: "the role's annotation wins over its template's, key for key", manifest: sparkAppHdr + `
spec:
  executor:
    annotations: {` + snapshotID + `: imc-role}
    template: {metadata: {annotations: {` + snapshotID + `: imc-template}}}`,
			key: "spark/etl", want: []string{"executor=imc-role@spec.executor.annotations[" + snapshotID + "]"},
			unwritten: []string{"spec.executor.template.metadata.annotations[" + snapshotID + "]"}},
		{name: "today's name wins over the guide's, wherever it is", manifest: sparkAppHdr + `
spec:
  executor:
    annotations: {` + snapshotID + `: imc-old}
    template: {metadata: {annotations: {` + imcID + `: imc-new}}}`,
			key: "spark/etl", want: []string{"executor=imc-new@spec.executor.template.metadata.annotations[" + imcID + "]"},
			unwritten: []string{"spec.executor.template.metadata.annotations[" + imcID + "]"}},
		{name: "SparkConnect: its templates", manifest: `
apiVersion: sparkoperator.k8s.io/v1alpha1
kind: SparkConnect
metadata: {name: sc, namespace: spark}
spec:
  server: {template: {metadata: {annotations: {` + imcID + `: imc-s}}}}
  executor: {template: {metadata: {annotations: {` + snapshotID + `: imc-x}}}}`,
			key: "spark/sparkconnect/sc", want: []string{
				"driver=imc-s@spec.server.template.metadata.annotations[" + imcID + "]",
				"executor=imc-x@spec.executor.template.metadata.annotations[" + snapshotID + "]"}},
		{name: "SparkConnect: a role has no annotations of its own", manifest: `
kind: SparkConnect
metadata: {name: sc, namespace: spark}
spec: {server: {annotations: {` + imcID + `: imc-s}}}`,
			key: "spark/sparkconnect/sc"},
		{name: "ScheduledSparkApplication: its template", manifest: `
kind: ScheduledSparkApplication
metadata: {name: nightly, namespace: spark}
spec:
  template:
    driver: {annotations: {` + imcID + `: imc-d}}
    executor: {template: {metadata: {annotations: {` + snapshotID + `: imc-e}}}}`,
			key: "spark/scheduledsparkapplication/nightly", want: []string{
				"driver=imc-d@spec.template.driver.annotations[" + imcID + "]",
				"executor=imc-e@spec.template.executor.template.metadata.annotations[" + snapshotID + "]"},
			unwritten: []string{"spec.template.executor.template.metadata.annotations[" + snapshotID + "]"}},
		{name: "ScheduledSparkApplication: spec.driver is no field of it", manifest: `
kind: ScheduledSparkApplication
metadata: {name: nightly, namespace: spark}
spec: {driver: {annotations: {` + imcID + `: imc-d}}}`,
			key: "spark/scheduledsparkapplication/nightly"},
		{name: "auto-matching pins nothing", manifest: sparkAppHdr + `
spec: {executor: {annotations: {` + autoCache + `: "true", k8s.aliyun.com/eci-auto-imc: "true"}}}`,
			key: "spark/etl"},
		{name: "an empty id pins nothing", manifest: sparkAppHdr + `
spec: {executor: {annotations: {` + imcID + `: ""}}}`,
			key: "spark/etl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := PinningOf(parse(t, tc.manifest))
			if got := pinsText(p.Pins); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("pins %q, want %q", got, tc.want)
			}
			if p.Key() != tc.key {
				t.Errorf("key %q, want %q", p.Key(), tc.key)
			}
			var unwritten []string
			for _, pin := range p.Pins {
				unwritten = append(unwritten, pin.Unwritten...)
			}
			if !reflect.DeepEqual(unwritten, tc.unwritten) {
				t.Errorf("unwritten %q, want %q", unwritten, tc.unwritten)
			}
		})
	}
}

// PinningOf reads a pin where place writes it, and a template's pin that
// place leaves is what wins after place: the fix has to say so.
func TestPinningOfAgreesWithPlace(t *testing.T) {
	for _, manifest := range []string{
		sparkAppHdr + "spec: {driver: {cores: 1}, executor: {instances: 1}}",
		"kind: SparkConnect\nmetadata: {name: sc, namespace: spark}\nspec:\n  server: {template: {spec: {containers: [{name: spark-kubernetes-driver}]}}}\n  executor: {template: {spec: {containers: [{name: spark-kubernetes-executor}]}}}",
		"kind: ScheduledSparkApplication\nmetadata: {name: nightly, namespace: spark}\nspec: {template: {driver: {cores: 1}, executor: {instances: 1}}}",
	} {
		obj := parse(t, manifest)
		cache, err := placement.ParseImageCache("imc-placed")
		if err != nil {
			t.Fatal(err)
		}
		res, err := placement.Apply(obj, placement.Request{Driver: placement.ECI, Executor: placement.ECI, ImageCache: cache, Nodes: placement.AlibabaCloudECI})
		if err != nil {
			t.Fatalf("%s: %v", obj["kind"], err)
		}
		p := PinningOf(res.Object)
		if len(p.Pins) != 2 {
			t.Fatalf("%s: after place --image-cache=imc-placed: %q", obj["kind"], pinsText(p.Pins))
		}
		for _, pin := range p.Pins {
			if pin.ID != "imc-placed" || !reflect.DeepEqual(pin.Path, sparkapp.PodAnnotationsPath(p.Kind, pin.Role)) || len(pin.Unwritten) > 0 {
				t.Errorf("%s: %+v", p.Kind, pin)
			}
		}
	}

	// Today's name in the executors' template outlives place's pin.
	obj := parse(t, sparkAppHdr+"spec: {executor: {instances: 1, template: {metadata: {annotations: {"+imcID+": imc-old}}}}}")
	cache, _ := placement.ParseImageCache("imc-new")
	res, err := placement.Apply(obj, placement.Request{Executor: placement.ECI, ImageCache: cache, Nodes: placement.AlibabaCloudECI})
	if err != nil {
		t.Fatal(err)
	}
	if got := PinningOf(res.Object).IDs(); !reflect.DeepEqual(got, []string{"imc-old"}) {
		t.Errorf("after place over a template pin: %q, want the template's imc-old", got)
	}
}

func TestPinnedBy(t *testing.T) {
	app := func(kind, ns, name string, ids ...string) Pinning {
		p := Pinning{Kind: kind, Namespace: ns, Name: name}
		for i, id := range ids {
			p.Pins = append(p.Pins, Pin{Role: sparkapp.Roles[i], ID: id})
		}
		return p
	}
	got := PinnedBy([]Pinning{
		app(sparkapp.KindSparkApplication, "spark", "etl", "imc-1", "imc-1"),
		app(sparkapp.KindSparkConnect, "spark", "sc", "imc-2", "imc-1"),
		app(sparkapp.KindScheduledSparkApplication, "ml", "nightly", "imc-2"),
		app(sparkapp.KindSparkApplication, "spark", "nothing"),
		app(sparkapp.KindSparkApplication, "ml", "etl", "imc-1"),
	})
	want := map[string][]string{
		"imc-1": {"ml/etl", "spark/etl", "spark/sparkconnect/sc"},
		"imc-2": {"ml/scheduledsparkapplication/nightly", "spark/sparkconnect/sc"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PinnedBy = %v, want %v", got, want)
	}
	if got := PinnedBy(nil); got == nil || len(got) != 0 {
		t.Errorf("PinnedBy(nil) = %#v", got)
	}
}

func TestPinFindings(t *testing.T) {
	day := 24 * time.Hour
	caches := []Cache{
		{Name: "ready", ID: "imc-ready", Phase: "Ready", Expires: now.Add(30 * day)},
		{Name: "forever", ID: "imc-forever", Phase: "Ready"},
		{Name: "broken", ID: "imc-broken", Phase: "UpdateFailed", Message: "Failed to pull image \"x:1\""},
		{Name: "in-6-days", ID: "imc-6", Phase: "Ready", Expires: now.Add(6 * day)},
		{Name: "in-8-days", ID: "imc-8", Phase: "Ready", Expires: now.Add(8 * day)},
		{Name: "in-7-days", ID: "imc-7", Phase: "Ready", Expires: now.Add(7 * day)},
		{Name: "in-5-hours", ID: "imc-5h", Phase: "Ready", Expires: now.Add(5 * time.Hour)},
		{Name: "past", ID: "imc-past", Phase: "Ready", Expires: now.Add(-time.Hour)},
		{Name: "making", ID: "imc-making", Phase: "Creating", Progress: "42%"},
	}
	pinning := func(ids ...string) Pinning {
		p := Pinning{Kind: sparkapp.KindSparkApplication, Namespace: "spark", Name: "etl"}
		for i, id := range ids {
			role := sparkapp.Roles[i]
			p.Pins = append(p.Pins, Pin{Role: role, ID: id, Annotation: snapshotID, Path: sparkapp.PodAnnotationsPath(p.Kind, role)})
		}
		return p
	}
	for _, tc := range []struct {
		name  string
		app   Pinning
		want  []Reason
		cache string
		msg   string
	}{
		{"ready", pinning("imc-ready"), nil, "", ""},
		{"never expires", pinning("imc-forever"), nil, "", ""},
		{"expires in 8 days", pinning("imc-8"), nil, "", ""},
		{"still being made", pinning("imc-making"), nil, "", ""},
		{"gone", pinning("imc-gone"), []Reason{ReasonGone}, "", "driver pins image cache imc-gone, which no ImageCache has: its pods miss it (ImageCacheNotFound)"},
		{"failed", pinning("imc-broken"), []Reason{ReasonFailed}, "broken", `driver pins image cache imc-broken (broken), which failed (UpdateFailed: Failed to pull image "x:1")`},
		{"expires in 6 days", pinning("imc-6"), []Reason{ReasonExpiring}, "in-6-days", "which expires at 2026-12-07T10:00:00Z, in 6 days: from then on its pods miss it"},
		{"expires in 7 days, to the second", pinning("imc-7"), []Reason{ReasonExpiring}, "in-7-days", "in 7 days"},
		{"expires in 5 hours", pinning("imc-5h"), []Reason{ReasonExpiring}, "in-5-hours", "in 5h"},
		{"expired", pinning("imc-past"), []Reason{ReasonExpired}, "past", "which expired at 2026-12-01T09:00:00Z"},
		{"both roles, one bad cache: one finding", pinning("imc-gone", "imc-gone"), []Reason{ReasonGone}, "", "driver and executor pin image cache imc-gone,"},
		{"each role its own", pinning("imc-ready", "imc-broken"), []Reason{ReasonFailed}, "broken", "executor pins image cache imc-broken"},
		{"nothing pinned", pinning(), nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			findings := PinFindings(tc.app, caches, now)
			var reasons []Reason
			for _, f := range findings {
				reasons = append(reasons, f.Reason)
			}
			if !reflect.DeepEqual(reasons, tc.want) {
				t.Fatalf("reasons %q, want %q: %+v", reasons, tc.want, findings)
			}
			if len(findings) == 0 {
				return
			}
			f := findings[0]
			if f.Cache != tc.cache || !strings.Contains(f.Message, tc.msg) || strings.Contains(f.Message, "\n") || strings.Contains(f.Fix, "\n") {
				t.Errorf("finding %+v, want cache %q and a message with %q", f, tc.cache, tc.msg)
			}
			if (f.Reason == ReasonExpiring || f.Reason == ReasonExpired) != !f.Expires.IsZero() {
				t.Errorf("expiry %v for %s", f.Expires, f.Reason)
			}
			if !strings.Contains(f.Fix, "kubectl spark-eci place -n spark sparkapplication/etl --image-cache=auto") {
				t.Errorf("fix %q lacks place --image-cache=auto", f.Fix)
			}
		})
	}

	// The fixes, whole: each in commands that do it.
	for _, tc := range []struct {
		id, fix string
	}{
		{"imc-gone", "make a cache and pin it: kubectl spark-eci image-cache create -n spark sparkapplication/etl --place " +
			"(or let ECI match one: kubectl spark-eci place -n spark sparkapplication/etl --image-cache=auto)"},
		{"imc-broken", "delete it and make another: kubectl spark-eci image-cache delete broken, then kubectl spark-eci image-cache create -n spark sparkapplication/etl --place " +
			"(or let ECI match one: kubectl spark-eci place -n spark sparkapplication/etl --image-cache=auto)"},
		{"imc-6", "make another before then: kubectl spark-eci image-cache create -n spark sparkapplication/etl --name=NEW-NAME --place " +
			"(or let ECI match one: kubectl spark-eci place -n spark sparkapplication/etl --image-cache=auto)"},
	} {
		if f := PinFindings(pinning(tc.id), caches, now); len(f) != 1 || f[0].Fix != tc.fix {
			t.Errorf("%s: fix\n%+v\nwant %q", tc.id, f, tc.fix)
		}
	}
}

// Two applications pin one cache: each is told, with its own fix; the
// SparkConnect by its server, the ScheduledSparkApplication by its
// template's pin, which place leaves.
func TestPinFindingsOfTwoApplications(t *testing.T) {
	caches := []Cache{{Name: "broken", ID: "imc-broken", Phase: "Failed"}}
	connect := PinningOf(parse(t, `
kind: SparkConnect
metadata: {name: sc, namespace: spark}
spec: {server: {template: {metadata: {annotations: {`+imcID+`: imc-broken}}}}}`))
	scheduled := PinningOf(parse(t, `
kind: ScheduledSparkApplication
metadata: {name: nightly, namespace: ml}
spec: {template: {executor: {template: {metadata: {annotations: {`+imcID+`: imc-broken}}}}}}`))
	for _, tc := range []struct {
		app       Pinning
		msg, fix  string
		fixSuffix string
	}{
		{connect, "server pins image cache imc-broken (broken), which failed (Failed)", "kubectl spark-eci image-cache create -n spark sparkconnect/sc --place", ""},
		{scheduled, "executor pins image cache imc-broken (broken), which failed (Failed)", "kubectl spark-eci place -n ml scheduledsparkapplication/nightly --image-cache=auto",
			"; first remove spec.template.executor.template.metadata.annotations[" + imcID + "], which place does not write"},
	} {
		f := PinFindings(tc.app, caches, now)
		if len(f) != 1 || !strings.HasPrefix(f[0].Message, tc.msg) || !strings.Contains(f[0].Fix, tc.fix) || !strings.HasSuffix(f[0].Fix, tc.fixSuffix) {
			t.Errorf("%s: %+v", tc.app.Key(), f)
		}
		if tc.fixSuffix == "" && strings.Contains(f[0].Fix, "first remove") {
			t.Errorf("%s: a pin where place writes needs no removal: %s", tc.app.Key(), f[0].Fix)
		}
	}
	if got := PinnedBy([]Pinning{connect, scheduled})["imc-broken"]; !reflect.DeepEqual(got, []string{"ml/scheduledsparkapplication/nightly", "spark/sparkconnect/sc"}) {
		t.Errorf("PinnedBy = %q", got)
	}
}
