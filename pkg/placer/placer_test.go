package placer

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

func app(name, state string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]interface{}{
		"apiVersion": "sparkoperator.k8s.io/v1beta2",
		"kind":       "SparkApplication",
		"metadata":   map[string]interface{}{"name": name, "namespace": "default", "resourceVersion": "1"},
		"spec": map[string]interface{}{
			"type": "Scala", "mode": "cluster", "sparkVersion": "3.5.2", "image": "spark:3.5.2",
			"driver":   map[string]interface{}{"cores": int64(1)},
			"executor": map[string]interface{}{"instances": int64(2)},
		},
	}}
	if state != "" {
		_ = unstructured.SetNestedField(u.Object, state, "status", "applicationState", "state")
	}
	return u
}

func executorsOnECI(t *testing.T, op sparkapp.Operator, restart bool) *Placer {
	t.Helper()
	nodes, err := placement.ParseVirtualNodes(placement.DefaultNodeLabel, placement.DefaultTaint)
	if err != nil {
		t.Fatal(err)
	}
	return &Placer{Request: placement.Request{Executor: placement.ECI, Nodes: nodes}, Operator: op, Restart: restart, GatesFlag: "--operator-feature-gates"}
}

func plans(t *testing.T, p *Placer, apps ...*unstructured.Unstructured) []*Plan {
	t.Helper()
	var out []*Plan
	for _, a := range apps {
		plan, err := p.Plan(a)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, plan)
	}
	return out
}

func TestRefusal(t *testing.T) {
	known := sparkapp.Operator{Version: "v2.5.2", From: "deployment x/y"}
	p := executorsOnECI(t, known, false)
	if err := p.Refusal(plans(t, p, app("done", sparkapp.StateCompleted), app("new", ""))...); err != nil {
		t.Errorf("nothing active, refused: %v", err)
	}
	err := p.Refusal(plans(t, p, app("a", sparkapp.StateRunning))...)
	if err == nil || !strings.HasPrefix(err.Error(), "refusing to change an active application without --restart (the Spark operator resubmits an application whose spec changes): a: state RUNNING:") ||
		strings.Contains(err.Error(), "--operator-feature-gates") {
		t.Errorf("one: %v", err)
	}
	err = p.Refusal(plans(t, p, app("a", sparkapp.StateRunning), app("b", sparkapp.StateCompleted), app("c", sparkapp.StateSubmitted))...)
	if err == nil || !strings.HasPrefix(err.Error(), "refusing to change active applications without --restart") ||
		!strings.Contains(err.Error(), "a: state RUNNING") || !strings.Contains(err.Error(), "; c: state SUBMITTED") || strings.Contains(err.Error(), "b:") {
		t.Errorf("many: %v", err)
	}
	// Not knowing the gates, an executor-only change says how to tell them.
	unknown := executorsOnECI(t, sparkapp.Operator{}, false)
	if err := unknown.Refusal(plans(t, unknown, app("a", sparkapp.StateRunning))...); err == nil ||
		!strings.Contains(err.Error(), "say so with --operator-feature-gates=PartialRestart=true") {
		t.Errorf("unknown gates: %v", err)
	}
	gated := executorsOnECI(t, sparkapp.Operator{PartialRestart: true, From: "deployment x/y"}, false)
	if err := gated.Refusal(plans(t, gated, app("a", sparkapp.StateRunning))...); err != nil {
		t.Errorf("PartialRestart exempts an executor-only change: %v", err)
	}
	restart := executorsOnECI(t, known, true)
	if err := restart.Refusal(plans(t, restart, app("a", sparkapp.StateRunning))...); err != nil {
		t.Errorf("--restart: %v", err)
	}
}

// objects is one object in memory that others write too: a patch whose
// resourceVersion is not the object's gets a conflict, as from the API
// server.
type objects struct {
	obj     *unstructured.Unstructured
	version int
	before  func(o *objects) // runs before each patch: another writer
	patches int
}

func (o *objects) Get(_, _ string) (runtime.Object, error) { return o.obj.DeepCopy(), nil }

func (o *objects) Patch(_, name string, _ types.PatchType, data []byte, _ *metav1.PatchOptions) (runtime.Object, error) {
	o.patches++
	if o.before != nil {
		o.before(o)
	}
	var patch struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(data, &patch); err != nil {
		return nil, err
	}
	if patch.Metadata.ResourceVersion != o.obj.GetResourceVersion() {
		return nil, apierrors.NewConflict(schema.GroupResource{Resource: "sparkapplications"}, name, nil)
	}
	current, _ := json.Marshal(o.obj.Object)
	merged, err := jsonpatch.MergePatch(current, data)
	if err != nil {
		return nil, err
	}
	next := &unstructured.Unstructured{}
	if err := json.Unmarshal(merged, &next.Object); err != nil {
		return nil, err
	}
	o.bump(next)
	return o.obj.DeepCopy(), nil
}

func (o *objects) bump(next *unstructured.Unstructured) {
	o.version++
	next.SetResourceVersion(strconv.Itoa(1 + o.version))
	o.obj = next
}

// Another writer's change between the read and the write survives: the
// placer reads again, plans again, and writes its change alone.
func TestWriteAfterAConflict(t *testing.T) {
	p := executorsOnECI(t, sparkapp.Operator{From: "deployment x/y"}, false)
	read := app("spark-pi", sparkapp.StateCompleted)
	objs := &objects{obj: read.DeepCopy()}
	objs.before = func(o *objects) {
		if o.patches == 1 { // someone labels it first
			next := o.obj.DeepCopy()
			next.SetLabels(map[string]string{"team": "ml"})
			o.bump(next)
		}
	}
	plan := plans(t, p, read)[0]
	w, err := p.Write(context.Background(), objs, plan)
	if err != nil {
		t.Fatal(err)
	}
	if objs.patches != 2 || w.Object.GetLabels()["team"] != "ml" || w.Before.GetLabels()["team"] != "ml" {
		t.Errorf("after %d patches: labels %v, written from %v", objs.patches, w.Object.GetLabels(), w.Before.GetLabels())
	}
	if tolerations, _, _ := unstructured.NestedSlice(w.Object.Object, "spec", "executor", "tolerations"); len(tolerations) != 1 {
		t.Errorf("the placement was not written: %v", w.Object.Object["spec"])
	}
	if w.Change.Disruptive || !strings.Contains(w.Change.Effect, "COMPLETED") {
		t.Errorf("change %+v", w.Change)
	}
}

// The other writer started the application: the placer refuses again, as
// it would have at first, and writes nothing.
func TestWriteRefusesWhatBecameActive(t *testing.T) {
	p := executorsOnECI(t, sparkapp.Operator{From: "deployment x/y"}, false)
	read := app("spark-pi", sparkapp.StateCompleted)
	objs := &objects{obj: read.DeepCopy()}
	objs.before = func(o *objects) {
		if o.patches == 1 {
			next := app("spark-pi", sparkapp.StateRunning)
			o.bump(next)
		}
	}
	_, err := p.Write(context.Background(), objs, plans(t, p, read)[0])
	if err == nil || !strings.HasPrefix(err.Error(), "refusing to change an active application without --restart") {
		t.Fatalf("err = %v", err)
	}
	if objs.patches != 1 {
		t.Errorf("%d patches, want the first alone", objs.patches)
	}
	if tolerations, _, _ := unstructured.NestedSlice(objs.obj.Object, "spec", "executor", "tolerations"); len(tolerations) != 0 {
		t.Errorf("written despite the refusal: %v", objs.obj.Object["spec"])
	}
}

// Others always in first: the placer gives up with the conflict.
func TestWriteGivesUp(t *testing.T) {
	saved := ConflictBackoff
	t.Cleanup(func() { ConflictBackoff = saved })
	ConflictBackoff = wait.Backoff{Steps: 3, Duration: 1}
	p := executorsOnECI(t, sparkapp.Operator{From: "deployment x/y"}, false)
	read := app("spark-pi", sparkapp.StateCompleted)
	objs := &objects{obj: read.DeepCopy()}
	objs.before = func(o *objects) { o.bump(o.obj.DeepCopy()) }
	_, err := p.Write(context.Background(), objs, plans(t, p, read)[0])
	if !apierrors.IsConflict(err) || !strings.HasPrefix(err.Error(), "gave up after 3 writes by others got in first") || objs.patches != 3 {
		t.Errorf("err = %v after %d patches", err, objs.patches)
	}
}
