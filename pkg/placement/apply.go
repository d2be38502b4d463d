package placement

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// Result is what Apply made of an object.
type Result struct {
	// Object is the placed object: a copy, the input is not modified.
	Object map[string]interface{}
	// Changed tells whether Object differs from the input.
	Changed bool
	// Kind is the object's kind, which names its roles.
	Kind string
	// Placement is where each role's pods can go now.
	Placement Placement
	// Warnings are things the user should know; the change is made anyway.
	Warnings []string
}

// Apply places the roles of a SparkApplication, ScheduledSparkApplication or
// SparkConnect as req asks. A SparkConnect's roles (its server is the driver)
// have nothing but pod templates, so everything goes there whatever req.Via
// says. It returns an error, and no object, when the request cannot be
// honoured for this object.
func Apply(obj map[string]interface{}, req Request) (*Result, error) {
	kind, _ := obj["kind"].(string)
	if !slices.Contains(placeableKinds, kind) {
		return nil, fmt.Errorf("a %s is not a SparkApplication, ScheduledSparkApplication or SparkConnect", orUnknown(kind))
	}
	switch {
	case sparkapp.PodTemplateOnly(kind):
		req.Via = ViaTemplate
	case req.Via == "":
		req.Via = ViaSpec
	}
	if req.Via == ViaTemplate && (req.Driver != "" || req.Executor != "" || sparkapp.PodTemplateOnly(kind)) {
		if err := requireSparkTemplates(obj, kind); err != nil {
			return nil, err
		}
	}

	out := runtime.DeepCopyJSON(obj)
	res := &Result{Object: out, Kind: kind}
	for _, role := range sparkapp.Roles {
		if target := req.target(string(role)); target != "" {
			req.Nodes.place(out, kind, role, target, req.Via)
		}
	}
	res.Placement = req.Nodes.Detect(out)
	if req.Via == ViaTemplate {
		for _, role := range sparkapp.Roles {
			if req.target(string(role)) != "" && mapAt(out, sparkapp.RolePath(kind, role)...)[keyAffinity] != nil {
				res.Warnings = append(res.Warnings, fmt.Sprintf(
					"%s: its spec has an affinity of its own, which the operator's webhook (when enabled) puts on the pods in place of the template's", sparkapp.RoleField(kind, role)))
			}
		}
	}
	for _, role := range sparkapp.Roles {
		if req.target(string(role)) == ECS && req.Nodes.tolerates(mapAt(out, sparkapp.RolePath(kind, role)...)) {
			res.Warnings = append(res.Warnings, fmt.Sprintf(
				"%s: another toleration still tolerates the taint %s, so its pods may still land on virtual nodes",
				sparkapp.RoleField(kind, role), taintString(req.Nodes)))
		}
	}
	warnings, err := req.annotate(out, kind)
	if err != nil {
		return nil, err
	}
	res.Warnings = append(res.Warnings, warnings...)
	res.Changed = !reflect.DeepEqual(obj, out)
	return res, nil
}

// place rewrites one role's owned rules for target, in the location via names,
// and takes them out of the other location.
func (v VirtualNodes) place(obj map[string]interface{}, kind string, role sparkapp.Role, target Target, via Via) {
	want := rulesFor(target)
	rolePath := sparkapp.RolePath(kind, role)
	roleSpec := mapAt(obj, rolePath...)
	if roleSpec == nil {
		if want == (rules{}) {
			return
		}
		roleSpec = ensureMapAt(obj, rolePath...)
	}
	templateSpec := mapAt(roleSpec, "template", "spec")
	into, other := roleSpec, templateSpec
	if via == ViaTemplate {
		if templateSpec == nil && want != (rules{}) {
			templateSpec = ensureMapAt(roleSpec, "template", "spec")
		}
		into, other = templateSpec, roleSpec
	}
	changed := false
	if other != nil {
		changed = v.reconcile(other, rules{})
	}
	if into != nil {
		changed = v.reconcile(into, want) || changed
	}
	if changed {
		// Drop what the removals emptied: the template, even the role.
		pruneBelow(obj, sparkapp.KeptPath(kind, role), slices.Concat(rolePath, []string{"template", "spec"}))
	}
}

// placeableKinds are the kinds Apply takes.
var placeableKinds = []string{sparkapp.KindSparkApplication, sparkapp.KindScheduledSparkApplication, sparkapp.KindSparkConnect}

// requireSparkTemplates refuses pod templates for Spark before 3.0, which
// ignores them.
func requireSparkTemplates(obj map[string]interface{}, kind string) error {
	version, _ := mapAt(obj, sparkapp.AppSpecPath(kind)...)["sparkVersion"].(string)
	major, _, _ := strings.Cut(version, ".")
	if n, err := strconv.Atoi(major); err == nil && n < 3 {
		if sparkapp.PodTemplateOnly(kind) {
			return fmt.Errorf("a %s is placed through its pod templates, which need Spark 3.0 or later; this one runs Spark %s", kind, version)
		}
		return fmt.Errorf("--via=template needs Spark 3.0 or later, this application runs Spark %s", version)
	}
	return nil
}

func orUnknown(kind string) string {
	if kind == "" {
		return "object without a kind"
	}
	return kind
}

func taintString(v VirtualNodes) string {
	s := v.Taint.Key
	if v.Taint.Value != "" {
		s += "=" + v.Taint.Value
	}
	return s + ":" + string(v.Taint.Effect)
}
