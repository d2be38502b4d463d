package placement

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// VirtualNodes describes how the cluster marks its virtual (ECI) nodes.
type VirtualNodes struct {
	// LabelKey and LabelValue select the virtual nodes.
	LabelKey, LabelValue string
	// Taint keeps pods without a matching toleration off them.
	Taint corev1.Taint
}

// NodeKind is the kind of node a pod runs on.
type NodeKind string

// Node kinds; "" when the pod is not scheduled.
const (
	NodeECI NodeKind = "ECI" // an ECI virtual node: ECI's image cache applies
	NodeECS NodeKind = "ECS" // an ordinary node
)

// VirtualNodeNamePrefix starts the names ACK gives its virtual nodes:
// virtual-kubelet-<zone>.
const VirtualNodeNamePrefix = "virtual-kubelet"

// KindOf tells an ECI virtual node by its label.
func (v VirtualNodes) KindOf(node *corev1.Node) NodeKind {
	if node.Labels[v.LabelKey] == v.LabelValue {
		return NodeECI
	}
	return NodeECS
}

// KindByName tells the kind of a node that cannot be read (not listed, no
// right to, or gone) by ACK's naming of virtual nodes; "" for no node.
func KindByName(name string) NodeKind {
	switch {
	case name == "":
		return ""
	case strings.HasPrefix(name, VirtualNodeNamePrefix):
		return NodeECI
	}
	return NodeECS
}

// Defaults for Alibaba Cloud's ack-virtual-node.
const (
	DefaultNodeLabel = "type=virtual-kubelet"
	DefaultTaint     = "virtual-kubelet.io/provider=alibabacloud:NoSchedule"
)

// AlibabaCloudECI is how ack-virtual-node marks ECI virtual nodes.
var AlibabaCloudECI = VirtualNodes{
	LabelKey:   "type",
	LabelValue: "virtual-kubelet",
	Taint: corev1.Taint{
		Key:    "virtual-kubelet.io/provider",
		Value:  "alibabacloud",
		Effect: corev1.TaintEffectNoSchedule,
	},
}

// ParseVirtualNodes reads the node label ("key=value") and taint
// ("key[=value]:Effect") that mark virtual nodes.
func ParseVirtualNodes(label, taint string) (VirtualNodes, error) {
	var v VirtualNodes
	var err error
	if v.LabelKey, v.LabelValue, err = parseNodeLabel(label); err != nil {
		return v, err
	}
	if v.Taint, err = parseTaint(taint); err != nil {
		return v, err
	}
	return v, nil
}

func parseNodeLabel(s string) (string, string, error) {
	key, value, ok := strings.Cut(s, "=")
	if !ok {
		return "", "", fmt.Errorf("invalid node label %q: want key=value", s)
	}
	if errs := validation.IsQualifiedName(key); len(errs) > 0 {
		return "", "", fmt.Errorf("invalid node label %q: key: %s", s, errs[0])
	}
	if value == "" {
		return "", "", fmt.Errorf("invalid node label %q: value is empty", s)
	}
	if errs := validation.IsValidLabelValue(value); len(errs) > 0 {
		return "", "", fmt.Errorf("invalid node label %q: value: %s", s, errs[0])
	}
	return key, value, nil
}

// parseTaint reads a taint the way kubectl taint writes it: key[=value]:Effect.
func parseTaint(s string) (corev1.Taint, error) {
	var t corev1.Taint
	keyValue, effect, ok := strings.Cut(s, ":")
	if !ok {
		return t, fmt.Errorf("invalid taint %q: want key[=value]:Effect", s)
	}
	t.Key, t.Value, _ = strings.Cut(keyValue, "=")
	t.Effect = corev1.TaintEffect(effect)
	if errs := validation.IsQualifiedName(t.Key); len(errs) > 0 {
		return t, fmt.Errorf("invalid taint %q: key: %s", s, errs[0])
	}
	if errs := validation.IsValidLabelValue(t.Value); len(errs) > 0 {
		return t, fmt.Errorf("invalid taint %q: value: %s", s, errs[0])
	}
	switch t.Effect {
	case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
	default:
		return t, fmt.Errorf("invalid taint %q: effect %q is not NoSchedule, PreferNoSchedule or NoExecute", s, effect)
	}
	return t, nil
}

// toleration is the one toleration placement adds: it matches exactly the
// virtual-node taint, written as the Alibaba Cloud documentation writes it.
func (v VirtualNodes) toleration() map[string]interface{} {
	t := map[string]interface{}{"key": v.Taint.Key, "effect": string(v.Taint.Effect)}
	if v.Taint.Value == "" {
		t["operator"] = string(corev1.TolerationOpExists)
	} else {
		t["operator"] = string(corev1.TolerationOpEqual)
		t["value"] = v.Taint.Value
	}
	return t
}

// expression is the node selector requirement on the virtual-node label.
func (v VirtualNodes) expression(op corev1.NodeSelectorOperator) map[string]interface{} {
	return map[string]interface{}{
		"key":      v.LabelKey,
		"operator": string(op),
		"values":   []interface{}{v.LabelValue},
	}
}

// preference is a weight-1 preferred scheduling term holding one expression
// on the virtual-node label.
func (v VirtualNodes) preference(op corev1.NodeSelectorOperator) map[string]interface{} {
	return map[string]interface{}{
		"weight": int64(1),
		"preference": map[string]interface{}{
			"matchExpressions": []interface{}{v.expression(op)},
		},
	}
}
