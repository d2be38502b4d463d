package why

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
)

// Placed is where a pod is told to run: its scheduling fields and the ECI
// annotations it carries (those of placement.ECIAnnotationPrefix).
type Placed struct {
	Tolerations  []corev1.Toleration `json:"tolerations,omitempty"`
	NodeSelector map[string]string   `json:"nodeSelector,omitempty"`
	Affinity     *corev1.Affinity    `json:"affinity,omitempty"`
	Annotations  map[string]string   `json:"annotations,omitempty"`
}

// PlacedOf reads where a pod is told to run.
func PlacedOf(pod *corev1.Pod) Placed {
	p := Placed{Tolerations: pod.Spec.Tolerations, NodeSelector: pod.Spec.NodeSelector, Affinity: pod.Spec.Affinity}
	for k, v := range pod.Annotations {
		if strings.HasPrefix(k, eciAnnotationPrefix) {
			if p.Annotations == nil {
				p.Annotations = map[string]string{}
			}
			p.Annotations[k] = v
		}
	}
	return p
}

// eciAnnotationPrefix starts the annotations ECI reads (and writes).
const eciAnnotationPrefix = "k8s.aliyun.com/"

// Asked is what a role's spec asks of where its pods run: the scheduling
// fields its pods get and the ECI annotations it gives them.
type Asked struct {
	Placed
	// ByWebhook: some of the fields come from the role's spec, which only
	// the operator's pod webhook puts on the pods (the rest come from the
	// pod template and spec.nodeSelector, which Spark applies itself).
	ByWebhook bool
	// Target is where the role's pods run: a pod on ECS when it asks for
	// ECI only did not get its placement.
	Target placement.Target
	// Since is when the application's spec last changed; zero when not
	// known.
	Since time.Time
}

// Missing names what a pod lacks of what its role asks, and where it runs
// against the role's target; empty when it has it all.
func (a Asked) Missing(p Placed, kind placement.NodeKind) []string {
	var missing []string
	for _, t := range a.Tolerations {
		if !slices.ContainsFunc(p.Tolerations, func(have corev1.Toleration) bool { return equality.Semantic.DeepEqual(have, t) }) {
			missing = append(missing, "the toleration "+tolerationString(t))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(a.NodeSelector)) {
		if p.NodeSelector[k] != a.NodeSelector[k] {
			missing = append(missing, fmt.Sprintf("the node selector %s=%s", k, a.NodeSelector[k]))
		}
	}
	if a.Affinity != nil && a.Affinity.NodeAffinity != nil &&
		(p.Affinity == nil || !equality.Semantic.DeepEqual(p.Affinity.NodeAffinity, a.Affinity.NodeAffinity)) {
		missing = append(missing, "the node affinity")
	}
	for _, k := range slices.Sorted(maps.Keys(a.Annotations)) {
		if strings.HasPrefix(k, eciAnnotationPrefix) && p.Annotations[k] != a.Annotations[k] {
			missing = append(missing, "the annotation "+k)
		}
	}
	// Only a role that asks for ECI alone is told by where its pods run:
	// one that asks nothing of ECI may still reach it by the cluster's own
	// means (ACK's ECI profile, a ResourcePolicy).
	if a.Target == placement.ECI && kind == placement.NodeECS {
		missing = append(missing, runsOnECS)
	}
	return missing
}

// runsOnECS is what Missing says of a pod on ECS whose role asks for ECI
// only.
const runsOnECS = "runs on ECS, though its role asks for ECI only"

// describe says what a pod lacks: "it lacks A, B and runs on ECS, ...".
func describe(missing []string) string {
	var lacks []string
	wrongKind := false
	for _, m := range missing {
		if m == runsOnECS {
			wrongKind = true
		} else {
			lacks = append(lacks, m)
		}
	}
	switch {
	case len(lacks) == 0:
		return "it " + runsOnECS
	case wrongKind:
		return "it lacks " + strings.Join(lacks, ", ") + " and " + runsOnECS
	}
	return "it lacks " + strings.Join(lacks, ", ")
}

func tolerationString(t corev1.Toleration) string {
	s := t.Key
	if t.Operator == corev1.TolerationOpExists {
		s += " (exists)"
	} else if t.Value != "" {
		s += "=" + t.Value
	}
	if t.Effect != "" {
		s += ":" + string(t.Effect)
	}
	return s
}

// Webhook is what is known of the operator's mutating pod webhook, the one
// that puts a role's tolerations, node selector and affinity on its pods.
type Webhook struct {
	// Known: the webhook configurations could be read.
	Known bool
	// Name names it (configuration/webhook); "" when none is the
	// operator's.
	Name string
	// Namespaces selects the namespaces whose pods it changes (its
	// namespaceSelector; everything when nil).
	Namespaces labels.Selector
	// IgnoresFailures: its failurePolicy is Ignore, so a pod created while
	// it cannot be reached is created unchanged.
	IgnoresFailures bool
}

// NotPlaced is the problem of a pod that lacks what its role asks, with the
// cause when it can be told, and its fix. created is when the pod was
// created; namespace the labels of its namespace.
func NotPlaced(s Subject, a Asked, missing []string, created time.Time, wh Webhook, namespace labels.Set) *Problem {
	p := s.problem(ReasonPlacementNotApplied, SourcePlacement, "", time.Time{})
	what := describe(missing)
	switch {
	case !a.Since.IsZero() && created.Before(a.Since):
		p.Message = fmt.Sprintf("%s: it was created before the application's spec last changed (%s)", what, a.Since.UTC().Format(time.RFC3339))
		p.Fix = s.fix("the placement applies to pods created from now on; to resubmit the application with it: kubectl spark-eci place APP --restart")
	case !a.ByWebhook || !wh.Known:
		p.Message = what
	case wh.Name == "":
		p.Message = fmt.Sprintf("%s: no mutating webhook of the Spark operator selects its pods, and only that webhook puts a role's tolerations, node selector and affinity on them", what)
		p.Fix = s.fix("enable the operator's webhook (Helm value webhook.enable=true), or put the placement in the pod templates: kubectl spark-eci place APP --via=template")
	case wh.LeavesOut(namespace):
		p.Message = what + ": " + wh.LeftOut(namespace)
		p.Fix = s.fix(leftOutFix)
	case wh.IgnoresFailures:
		p.Message = fmt.Sprintf("%s: the operator's webhook %s lets pods through unchanged when it cannot be reached (failurePolicy Ignore)", what, wh.Name)
		p.Fix = s.fix("check that the operator's webhook runs, or put the placement in the pod templates: kubectl spark-eci place APP --via=template")
	default:
		p.Message = what
	}
	return p
}

// labelNamespaceName is the label the API server gives every namespace: its name.
const labelNamespaceName = "kubernetes.io/metadata.name"
