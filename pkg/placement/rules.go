package placement

import (
	corev1 "k8s.io/api/core/v1"
)

// The scheduling rules placement owns, and how each target combines them.
// A pod spec here is any map holding "tolerations" and "affinity": a role of a
// SparkApplication, or the spec of that role's pod template.

const (
	keyTolerations = "tolerations"
	keyAffinity    = "affinity"
	keyRequired    = "requiredDuringSchedulingIgnoredDuringExecution"
	keyPreferred   = "preferredDuringSchedulingIgnoredDuringExecution"
	keyTerms       = "nodeSelectorTerms"
	keyExpressions = "matchExpressions"
)

var nodeAffinityPath = []string{keyAffinity, "nodeAffinity"}

// rules is the set of owned rules a pod spec holds, or should hold.
type rules struct {
	toleration bool // tolerates the virtual-node taint
	requireECI bool // required: label In [value], ANDed into every term
	preferECS  bool // preferred, weight 1: label NotIn [value]
	preferECI  bool // preferred, weight 1: label In [value]
}

func rulesFor(t Target) rules {
	switch t {
	case ECI:
		return rules{toleration: true, requireECI: true}
	case ECSFirst:
		return rules{toleration: true, preferECS: true}
	case ECIFirst:
		return rules{toleration: true, preferECI: true}
	case Any:
		return rules{toleration: true}
	default:
		return rules{}
	}
}

// targetOf names the target whose rules are exactly r, or Custom.
func targetOf(r rules) Target {
	for _, t := range detectable {
		if rulesFor(t) == r {
			return t
		}
	}
	return Custom
}

// reconcile makes podSpec hold exactly the owned rules of want, leaving
// everything else in it as it is. It reports whether it changed anything.
func (v VirtualNodes) reconcile(podSpec map[string]interface{}, want rules) bool {
	changed := v.reconcileToleration(podSpec, want.toleration)
	changed = v.reconcileRequired(podSpec, want.requireECI) || changed
	changed = v.reconcilePreferred(podSpec, corev1.NodeSelectorOpNotIn, want.preferECS) || changed
	changed = v.reconcilePreferred(podSpec, corev1.NodeSelectorOpIn, want.preferECI) || changed
	return changed
}

// holds reads which owned rules podSpec holds.
func (v VirtualNodes) holds(podSpec map[string]interface{}) rules {
	na := mapAt(podSpec, nodeAffinityPath...)
	terms := listAt(mapAt(na, keyRequired), keyTerms)
	requireECI := len(terms) > 0
	for _, term := range terms {
		termMap, _ := term.(map[string]interface{})
		if !containsMatching(listAt(termMap, keyExpressions), v.isExpression(corev1.NodeSelectorOpIn)) {
			requireECI = false
		}
	}
	preferred := listAt(na, keyPreferred)
	return rules{
		toleration: containsMatching(listAt(podSpec, keyTolerations), v.isToleration),
		requireECI: requireECI,
		preferECS:  containsMatching(preferred, v.isPreference(corev1.NodeSelectorOpNotIn)),
		preferECI:  containsMatching(preferred, v.isPreference(corev1.NodeSelectorOpIn)),
	}
}

func (r rules) or(o rules) rules {
	return rules{
		toleration: r.toleration || o.toleration,
		requireECI: r.requireECI || o.requireECI,
		preferECS:  r.preferECS || o.preferECS,
		preferECI:  r.preferECI || o.preferECI,
	}
}

func (v VirtualNodes) reconcileToleration(podSpec map[string]interface{}, want bool) bool {
	tolerations := listAt(podSpec, keyTolerations)
	if want {
		if containsMatching(tolerations, v.isToleration) {
			return false
		}
		podSpec[keyTolerations] = append(tolerations, v.toleration())
		return true
	}
	kept, removed := removeMatching(tolerations, v.isToleration)
	if removed == 0 {
		return false
	}
	setOrDelete(podSpec, keyTolerations, kept)
	return true
}

// reconcileRequired ANDs the In expression into every required term (Kubernetes
// ORs the terms, so a new term would not pin anything), or takes it out again.
func (v VirtualNodes) reconcileRequired(podSpec map[string]interface{}, want bool) bool {
	isOurs := v.isExpression(corev1.NodeSelectorOpIn)
	required := mapAt(podSpec, append(nodeAffinityPath, keyRequired)...)
	terms := listAt(required, keyTerms)
	if want {
		if len(terms) == 0 {
			required = ensureMapAt(podSpec, append(nodeAffinityPath, keyRequired)...)
			required[keyTerms] = []interface{}{
				map[string]interface{}{keyExpressions: []interface{}{v.expression(corev1.NodeSelectorOpIn)}},
			}
			return true
		}
		changed := false
		for _, term := range terms {
			termMap, ok := term.(map[string]interface{})
			if !ok {
				continue
			}
			expressions := listAt(termMap, keyExpressions)
			if !containsMatching(expressions, isOurs) {
				termMap[keyExpressions] = append(expressions, v.expression(corev1.NodeSelectorOpIn))
				changed = true
			}
		}
		return changed
	}

	changed := false
	kept := make([]interface{}, 0, len(terms))
	for _, term := range terms {
		termMap, ok := term.(map[string]interface{})
		if !ok {
			kept = append(kept, term)
			continue
		}
		expressions, removed := removeMatching(listAt(termMap, keyExpressions), isOurs)
		if removed > 0 {
			changed = true
			setOrDelete(termMap, keyExpressions, expressions)
			if len(termMap) == 0 {
				continue // the term held nothing but ours
			}
		}
		kept = append(kept, term)
	}
	if !changed {
		return false
	}
	setOrDelete(required, keyTerms, kept)
	pruneEmpty(podSpec, append(nodeAffinityPath, keyRequired)...)
	return true
}

func (v VirtualNodes) reconcilePreferred(podSpec map[string]interface{}, op corev1.NodeSelectorOperator, want bool) bool {
	isOurs := v.isPreference(op)
	nodeAffinity := mapAt(podSpec, nodeAffinityPath...)
	preferred := listAt(nodeAffinity, keyPreferred)
	if want {
		if containsMatching(preferred, isOurs) {
			return false
		}
		nodeAffinity = ensureMapAt(podSpec, nodeAffinityPath...)
		nodeAffinity[keyPreferred] = append(preferred, v.preference(op))
		return true
	}
	kept, removed := removeMatching(preferred, isOurs)
	if removed == 0 {
		return false
	}
	setOrDelete(nodeAffinity, keyPreferred, kept)
	pruneEmpty(podSpec, nodeAffinityPath...)
	return true
}

// isToleration matches the toleration placement adds. An empty operator means
// Equal, as in the API.
func (v VirtualNodes) isToleration(item interface{}) bool {
	m, ok := item.(map[string]interface{})
	if !ok || m["tolerationSeconds"] != nil || len(m) > 4 {
		return false
	}
	op, _ := m["operator"].(string)
	value, _ := m["value"].(string)
	if op == "" {
		op = string(corev1.TolerationOpEqual)
	}
	want := v.toleration()
	return m["key"] == want["key"] && m["effect"] == want["effect"] &&
		op == want["operator"] && value == stringOr(want["value"])
}

// isExpression matches the node selector requirement "label op [value]".
func (v VirtualNodes) isExpression(op corev1.NodeSelectorOperator) func(interface{}) bool {
	return func(item interface{}) bool {
		m, ok := item.(map[string]interface{})
		if !ok || len(m) != 3 || m["key"] != v.LabelKey || m["operator"] != string(op) {
			return false
		}
		values, _ := m["values"].([]interface{})
		return len(values) == 1 && values[0] == v.LabelValue
	}
}

// isPreference matches a weight-1 preferred term holding only "label op [value]".
func (v VirtualNodes) isPreference(op corev1.NodeSelectorOperator) func(interface{}) bool {
	isExpr := v.isExpression(op)
	return func(item interface{}) bool {
		m, ok := item.(map[string]interface{})
		if !ok || len(m) != 2 {
			return false
		}
		if w, ok := asInt64(m["weight"]); !ok || w != 1 {
			return false
		}
		pref, _ := m["preference"].(map[string]interface{})
		expressions := listAt(pref, keyExpressions)
		return len(pref) == 1 && len(expressions) == 1 && isExpr(expressions[0])
	}
}

func stringOr(v interface{}) string {
	s, _ := v.(string)
	return s
}
