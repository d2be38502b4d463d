package sparkapp

import (
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
)

// Operator is what is known of the cluster's Spark operator: its version and
// whether its controller runs with the PartialRestart feature gate.
type Operator struct {
	// Version is the controller's, such as v2.5.2; "" when not known.
	Version string
	// PartialRestart is the alpha feature gate of v2.5.0 and later: a change
	// of only the executors' placement fields does not restart an
	// application.
	PartialRestart bool
	// Namespaces is the controller's --namespaces, comma-separated as the
	// flag takes it: the namespaces it manages, every one when it is empty
	// or lists "".
	Namespaces string
	// From says where this was learnt: a Deployment, or a flag.
	From string
}

// ControllerSelector selects the operator's controller Deployment as its Helm
// chart labels it.
var ControllerSelector = labels.Set{
	"app.kubernetes.io/name":      "spark-operator",
	"app.kubernetes.io/component": "controller",
}.AsSelector()

// FeatureGatePartialRestart names the gate in --feature-gates.
const FeatureGatePartialRestart = "PartialRestart"

// OperatorOf reads the operator's version and feature gates from its
// controller Deployment: the image tag of the controller container (the
// chart's app.kubernetes.io/version label when the tag says nothing) and its
// --feature-gates argument.
func OperatorOf(d *appsv1.Deployment) Operator {
	op := Operator{From: fmt.Sprintf("deployment %s/%s", d.Namespace, d.Name)}
	for _, c := range d.Spec.Template.Spec.Containers {
		name, _, _ := strings.Cut(lastSegment(c.Image), "@") // a digest says no version
		if _, tag, ok := strings.Cut(name, ":"); ok && op.Version == "" {
			op.Version = normalizeVersion(tag)
		}
		args := append(append([]string{}, c.Command...), c.Args...)
		op.Namespaces = strings.Join(flagValues(args, "--namespaces"), ",")
		for i, arg := range args {
			gates, ok := strings.CutPrefix(arg, "--feature-gates=")
			if !ok && arg == "--feature-gates" && i+1 < len(args) {
				gates, ok = args[i+1], true
			}
			if !ok {
				continue
			}
			// Like the operator's own flag, each occurrence adds to the
			// ones before it.
			if enabled, present, err := gateEnabled(gates, FeatureGatePartialRestart); err == nil && present {
				op.PartialRestart = enabled
			}
		}
	}
	if op.Version == "" {
		op.Version = normalizeVersion(d.Labels["app.kubernetes.io/version"])
	}
	// Only v2.5.0 and later know the gate; a controller of unknown version
	// that is given it runs with it.
	op.PartialRestart = op.PartialRestart && (op.Version == "" || op.AtLeast(2, 5))
	return op
}

// flagValues is every value given to a flag in args, as --name=value or
// --name value.
func flagValues(args []string, name string) []string {
	var values []string
	for i, arg := range args {
		if v, ok := strings.CutPrefix(arg, name+"="); ok {
			values = append(values, v)
		} else if arg == name && i+1 < len(args) {
			values = append(values, args[i+1])
		}
	}
	return values
}

// MissesServerPodDeletion tells whether the operator's SparkConnect
// controller drops the deletion of a server pod in the namespace, so that it
// does not create the pod again until something else makes it reconcile the
// SparkConnect. The controllers of v2.3 and v2.4 filter their events with a
// namespace predicate whose Delete looks the pod's namespace up by name in
// --namespaces, where managing every namespace is written as "": when the
// namespace is not listed by name, every delete event is dropped (v2.5
// matches deletes as it matches the other events).
func (o Operator) MissesServerPodDeletion(namespace string) bool {
	if !o.AtLeast(2, 3) || o.AtLeast(2, 5) {
		return false
	}
	for _, ns := range strings.Split(o.Namespaces, ",") {
		if ns == namespace && ns != "" {
			return false
		}
	}
	return true
}

// OperatorOfAll reads the operator from every controller Deployment found:
// the first one's version; the gate only when every one has it, since any of
// them may be the leader that acts on a change.
func OperatorOfAll(deployments []appsv1.Deployment) Operator {
	if len(deployments) == 0 {
		return Operator{}
	}
	op := OperatorOf(&deployments[0])
	for i := range deployments[1:] {
		op.PartialRestart = op.PartialRestart && OperatorOf(&deployments[i+1]).PartialRestart
	}
	return op
}

// ParseFeatureGates reads --operator-feature-gates, in the form the
// controller's --feature-gates takes: Name=true,Other=false.
func ParseFeatureGates(s string) (Operator, error) {
	enabled, _, err := gateEnabled(s, FeatureGatePartialRestart)
	if err != nil {
		return Operator{}, fmt.Errorf("invalid --operator-feature-gates %q: %w", s, err)
	}
	return Operator{PartialRestart: enabled, From: "--operator-feature-gates"}, nil
}

// gateEnabled reads one alpha gate out of a --feature-gates value: its own
// setting, else AllAlpha's; present tells whether either is there.
func gateEnabled(gates, name string) (enabled, present bool, err error) {
	var named, allAlpha *bool
	for _, pair := range strings.Split(gates, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if !ok || err != nil {
			return false, false, fmt.Errorf("%q: want Name=true|false", pair)
		}
		switch strings.TrimSpace(k) {
		case name:
			named = &b
		case "AllAlpha":
			allAlpha = &b
		}
	}
	switch {
	case named != nil:
		return *named, true, nil
	case allAlpha != nil:
		return *allAlpha, true, nil
	}
	return false, false, nil
}

// AtLeast tells whether the version is major.minor or later; false when it
// is not known.
func (o Operator) AtLeast(major, minor int) bool {
	parts := strings.SplitN(strings.TrimPrefix(o.Version, "v"), ".", 3)
	if len(parts) < 2 {
		return false
	}
	maj, err1 := strconv.Atoi(parts[0])
	min, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return maj > major || maj == major && min >= minor
}

func lastSegment(image string) string {
	if i := strings.LastIndex(image, "/"); i >= 0 {
		return image[i+1:]
	}
	return image
}

func normalizeVersion(v string) string {
	if v == "" || v == "latest" {
		return ""
	}
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	return v
}

// executorWebhookFields are the executor fields the PartialRestart gate lets
// change without a restart: the operator's webhook puts them on each new
// executor pod.
var executorWebhookFields = []string{"priorityClassName", "nodeSelector", "tolerations", "affinity", "schedulerName"}

// WebhookFieldsOnlyChange tells whether a SparkApplication's spec changed
// from before to after in the executors' webhook fields and nowhere else
// (spec.suspend and spec.timeToLiveSeconds aside), as the operator's event
// filter decides it (internal/controller/sparkapplication/event_filter.go).
func WebhookFieldsOnlyChange(before, after map[string]interface{}) bool {
	b, a := specOf(before), specOf(after)
	changed := false
	for _, f := range executorWebhookFields {
		if !equality.Semantic.DeepEqual(mapAt(b, "executor")[f], mapAt(a, "executor")[f]) {
			changed = true
		}
	}
	if !changed {
		return false
	}
	for _, spec := range []map[string]interface{}{b, a} {
		for _, f := range executorWebhookFields {
			delete(mapAt(spec, "executor"), f)
		}
		// The operator compares typed specs: an executor with nothing left
		// is the same as none.
		if e, ok := spec["executor"].(map[string]interface{}); ok && len(e) == 0 {
			delete(spec, "executor")
		}
		delete(spec, "suspend")
		delete(spec, "timeToLiveSeconds")
	}
	return equality.Semantic.DeepEqual(b, a)
}

// OnChange is OnSpecChange for one change of an object from before to after,
// knowing the operator: with its PartialRestart gate, a change of only the
// executors' webhook fields restarts nothing, whatever the state.
func (o Operator) OnChange(kind, state string, before, after map[string]interface{}) SpecChange {
	if kind == KindSparkConnect {
		meta := mapAt(after, "metadata")
		name, _ := meta["name"].(string)
		namespace, _ := meta["namespace"].(string)
		return onConnectChange(state, name, namespace, o)
	}
	if kind != KindSparkApplication || !o.PartialRestart || !WebhookFieldsOnlyChange(before, after) {
		return OnSpecChange(kind, state)
	}
	switch state {
	case StateNew, StateSuspended:
		return OnSpecChange(kind, state)
	case StateCompleted, StateFailed, StateSubmissionFailed:
		return SpecChange{Effect: fmt.Sprintf(
			"state %s: under the operator's PartialRestart gate this change does not run it again; the application's next submission uses this placement", state)}
	case StateSubmitted, StateRunning, StateUnknown:
		return SpecChange{Effect: fmt.Sprintf(
			"state %s: under the operator's PartialRestart gate it goes on running: running executors keep their nodes, and executors created from now on (dynamic allocation, replacements) get this placement",
			state)}
	}
	return SpecChange{Effect: fmt.Sprintf(
		"state %s: under the operator's PartialRestart gate this change restarts nothing; pods created from now on get this placement", state)}
}

// specOf is a deep copy of an object's spec, never nil.
func specOf(obj map[string]interface{}) map[string]interface{} {
	spec, _ := obj["spec"].(map[string]interface{})
	if spec == nil {
		return map[string]interface{}{}
	}
	return runtime.DeepCopyJSON(spec)
}

func mapAt(m map[string]interface{}, key string) map[string]interface{} {
	out, _ := m[key].(map[string]interface{})
	return out
}
