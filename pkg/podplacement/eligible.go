package podplacement

import (
	"errors"
	"fmt"
	"maps"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	schedulingcorev1 "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// Eligibility counts the schedulable nodes a role's pods may be placed on.
type Eligibility struct {
	ECS int `json:"ecs"`
	ECI int `json:"eci"`
}

// Total is the number of nodes of either kind.
func (e Eligibility) Total() int { return e.ECS + e.ECI }

// Nodes is what is known of the cluster's nodes.
type Nodes struct {
	// Items are the nodes; Known is false when they could not be listed.
	Items []corev1.Node
	Known bool
	// Virtual tells ECI virtual nodes from ordinary ones.
	Virtual placement.VirtualNodes
	// Kinds tells where a pod runs, by the rule every command uses.
	Kinds placement.NodeKinds
}

// NewNodes indexes the listed nodes.
func NewNodes(items []corev1.Node, known bool, virtual placement.VirtualNodes) *Nodes {
	return &Nodes{Items: items, Known: known, Virtual: virtual, Kinds: placement.NewNodeKinds(virtual, items)}
}

// unschedulableTaint is the taint a cordoned node stands for: the scheduler
// lets a pod that tolerates it onto a cordoned node.
var unschedulableTaint = corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}

// Eligible counts the nodes the scheduler's filters would let a pod with spec
// onto, leaving resources aside: cordoned nodes (unless tolerated), taints
// with effect NoSchedule or NoExecute that the pod does not tolerate, and the
// node selector and required node affinity.
func (n *Nodes) Eligible(spec *corev1.PodSpec) Eligibility {
	var e Eligibility
	required := nodeaffinity.NewRequiredNodeAffinity(spec.NodeSelector, spec.Affinity)
	for i := range n.Items {
		node := &n.Items[i]
		if node.Spec.Unschedulable && !schedulingcorev1.TolerationsTolerateTaint(logr.Discard(), spec.Tolerations, &unschedulableTaint, false) {
			continue
		}
		if _, untolerated := schedulingcorev1.FindMatchingUntoleratedTaint(logr.Discard(), node.Spec.Taints, spec.Tolerations, blocksScheduling, false); untolerated {
			continue
		}
		// A selector the scheduler cannot parse matches no node there either.
		if ok, err := required.Match(node); err != nil || !ok {
			continue
		}
		if n.Virtual.KindOf(node) == placement.NodeECI {
			e.ECI++
		} else {
			e.ECS++
		}
	}
	return e
}

// blocksScheduling keeps the taints the scheduler's TaintToleration filter
// looks at: PreferNoSchedule only lowers a node's score.
func blocksScheduling(t *corev1.Taint) bool {
	return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
}

// roleFields are the scheduling fields of a role's spec that the operator's
// pod webhook copies onto its pods.
type roleFields struct {
	Tolerations  []corev1.Toleration `json:"tolerations,omitempty"`
	Affinity     *corev1.Affinity    `json:"affinity,omitempty"`
	NodeSelector map[string]string   `json:"nodeSelector,omitempty"`
}

// RolePodSpec returns the scheduling fields the pods of a role get. Spark
// builds each pod from the role's pod template and the application's
// spec.nodeSelector (spark.kubernetes.node.selector.*); the operator's webhook
// then appends the role's tolerations, merges its nodeSelector, and puts its
// affinity in place of the template's. A template or role field that cannot
// be read is left out, and said so in the error; the rest still counts.
func RolePodSpec(app map[string]interface{}, role sparkapp.Role) (corev1.PodSpec, error) {
	kind, _ := app["kind"].(string)
	appSpec := mapAt(app, sparkapp.AppSpecPath(kind)...)
	roleSpec := mapAt(app, sparkapp.RolePath(kind, role)...)

	var spec corev1.PodSpec
	var errs []error
	if tmpl := mapAt(roleSpec, "template"); tmpl != nil {
		var t corev1.PodTemplateSpec
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(tmpl, &t); err != nil {
			errs = append(errs, fmt.Errorf("its pod template: %w", err))
		} else {
			spec.Tolerations = t.Spec.Tolerations
			spec.Affinity = t.Spec.Affinity
			spec.NodeSelector = t.Spec.NodeSelector
		}
	}
	var appFields, fields roleFields
	if err := fromUnstructured(appSpec, &appFields); err != nil {
		errs = append(errs, fmt.Errorf("spec.nodeSelector: %w", err))
	}
	if err := fromUnstructured(roleSpec, &fields); err != nil {
		errs = append(errs, fmt.Errorf("spec.%s: %w", sparkapp.RoleField(kind, role), err))
	}
	spec.NodeSelector = mergeSelectors(spec.NodeSelector, appFields.NodeSelector, fields.NodeSelector)
	spec.Tolerations = append(spec.Tolerations, fields.Tolerations...)
	if fields.Affinity != nil {
		spec.Affinity = fields.Affinity
	}
	if len(errs) > 0 {
		return spec, fmt.Errorf("%s: %w", sparkapp.RoleField(kind, role), errors.Join(errs...))
	}
	return spec, nil
}

// fromUnstructured reads only the scheduling fields of m, so that an odd
// value elsewhere in it does not matter.
func fromUnstructured(m map[string]interface{}, into *roleFields) error {
	if m == nil {
		return nil
	}
	only := map[string]interface{}{}
	for _, key := range []string{"tolerations", "affinity", "nodeSelector"} {
		if v, ok := m[key]; ok {
			only[key] = v
		}
	}
	return runtime.DefaultUnstructuredConverter.FromUnstructured(only, into)
}

// mergeSelectors merges node selectors, later ones winning.
func mergeSelectors(selectors ...map[string]string) map[string]string {
	var out map[string]string
	for _, s := range selectors {
		if len(s) == 0 {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		maps.Copy(out, s)
	}
	return out
}

// mapAt returns the map at path below m, or nil when any step is missing.
func mapAt(m map[string]interface{}, path ...string) map[string]interface{} {
	v, _, _ := unstructured.NestedFieldNoCopy(m, path...)
	out, _ := v.(map[string]interface{})
	return out
}

// NeedsPodWebhook tells whether a role's spec holds scheduling fields of its
// own: only the operator's pod webhook puts those on the pods.
func NeedsPodWebhook(app map[string]interface{}, role sparkapp.Role) bool {
	kind, _ := app["kind"].(string)
	roleSpec := mapAt(app, sparkapp.RolePath(kind, role)...)
	for _, key := range []string{"tolerations", "affinity", "nodeSelector"} {
		if v, ok := roleSpec[key]; ok && v != nil {
			return true
		}
	}
	return false
}
