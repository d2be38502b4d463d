package podplacement

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/spark-eci/kubectl-spark-eci/pkg/imagecache"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
	"github.com/spark-eci/kubectl-spark-eci/pkg/why"
)

// Admission is what is known of how the cluster admits Spark pods: the
// operator's pod webhook, and the labels of the namespaces it is asked
// about (a namespace not there is known by its name label alone, which
// the API server gives every namespace).
type Admission struct {
	Webhook    why.Webhook
	Namespaces map[string]labels.Set
}

// Caches are the cluster's ECI image caches, as far as they are known, and
// the time their expiry is judged at.
type Caches struct {
	Known bool
	Items []imagecache.Cache
	Now   time.Time
}

// pinnedCaches says what is wrong with the image caches an application
// pins, each in one line with its fix (imagecache.PinFindings); nothing
// when the caches are not known.
func (c Caches) pinnedCaches(app map[string]interface{}) []string {
	if !c.Known {
		return nil
	}
	var lines []string
	for _, f := range imagecache.PinFindings(imagecache.PinningOf(app), c.Items, c.Now) {
		lines = append(lines, f.Message+"; "+f.Fix)
	}
	return lines
}

// namespaceLabels are the labels of a namespace, as far as they are known.
func (ad Admission) namespaceLabels(ns string) labels.Set {
	if l, ok := ad.Namespaces[ns]; ok {
		return l
	}
	return labels.Set{"kubernetes.io/metadata.name": ns}
}

// askedOf reads what each role of an application asks of its pods'
// placement: the scheduling fields its pods get (RolePodSpec), the ECI
// annotations of the role and of its pod template, the role's target, and
// when the spec last changed. A role that asks nothing is left out.
func askedOf(app map[string]interface{}, targets Placement) map[sparkapp.Role]*why.Asked {
	kind, _ := app["kind"].(string)
	since := specChangedAt(app)
	asked := map[sparkapp.Role]*why.Asked{}
	for _, role := range sparkapp.Roles {
		spec, _ := RolePodSpec(app, role) // what cannot be read is not asked
		a := &why.Asked{
			Placed:    why.Placed{Tolerations: spec.Tolerations, NodeSelector: spec.NodeSelector, Affinity: spec.Affinity},
			ByWebhook: NeedsPodWebhook(app, role),
			Target:    targets.Driver,
			Since:     since,
		}
		if role == sparkapp.Executor {
			a.Target = targets.Executor
		}
		paths := [][]string{sparkapp.PodAnnotationsPath(kind, role)}
		if !sparkapp.PodTemplateOnly(kind) {
			paths = append(paths, slices.Concat(sparkapp.RolePath(kind, role), []string{"template", "metadata", "annotations"}))
		}
		for _, path := range paths {
			for k, v := range mapAt(app, path...) {
				if s, ok := v.(string); ok && strings.HasPrefix(k, "k8s.aliyun.com/") {
					if a.Annotations == nil {
						a.Annotations = map[string]string{}
					}
					a.Annotations[k] = s
				}
			}
		}
		if len(a.Tolerations) > 0 || len(a.NodeSelector) > 0 || a.Affinity != nil || len(a.Annotations) > 0 ||
			a.Target == placement.ECS || a.Target == placement.ECI {
			asked[role] = a
		}
	}
	return asked
}

// specChangedAt is when an application's spec was last written, by its
// managed fields: the latest write of a manager that owns a field of spec
// (the status subresource aside). Zero when they do not say.
func specChangedAt(app map[string]interface{}) time.Time {
	var obj unstructured.Unstructured
	obj.SetUnstructuredContent(app)
	var latest time.Time
	for _, m := range obj.GetManagedFields() {
		if m.Subresource != "" || m.Time == nil || m.FieldsV1 == nil {
			continue
		}
		var fields map[string]interface{}
		if json.Unmarshal(m.FieldsV1.Raw, &fields) != nil || fields["f:spec"] == nil {
			continue
		}
		if m.Time.After(latest) {
			latest = m.Time.Time
		}
	}
	return latest
}

// placedKey writes a pod's placement as one string: pods placed alike
// share one why.Placed (placedOf).
func placedKey(p why.Placed) string {
	var b strings.Builder
	for _, t := range p.Tolerations {
		b.WriteString(t.Key + "\x01" + string(t.Operator) + "\x01" + t.Value + "\x01" + string(t.Effect) + "\x02")
	}
	b.WriteByte(0)
	for _, k := range slices.Sorted(maps.Keys(p.NodeSelector)) {
		b.WriteString(k + "\x01" + p.NodeSelector[k] + "\x02")
	}
	b.WriteByte(0)
	if p.Affinity != nil {
		raw, _ := json.Marshal(p.Affinity)
		b.Write(raw)
	}
	b.WriteByte(0)
	for _, k := range slices.Sorted(maps.Keys(p.Annotations)) {
		b.WriteString(k + "\x01" + p.Annotations[k] + "\x02")
	}
	return b.String()
}

// placements holds one why.Placed for all the pods placed alike.
var placements sync.Map // placedKey -> *why.Placed

// placedOf is where a pod is told to run, one copy for all the pods told
// alike.
func placedOf(pod *corev1.Pod) *why.Placed {
	p := why.PlacedOf(pod)
	key := placedKey(p)
	if v, ok := placements.Load(key); ok {
		return v.(*why.Placed)
	}
	v, _ := placements.LoadOrStore(key, &p)
	return v.(*why.Placed)
}
