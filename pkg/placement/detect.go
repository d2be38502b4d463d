package placement

import (
	"fmt"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	schedulingcorev1 "k8s.io/component-helpers/scheduling/corev1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// Placement is the target each role of an application is placed on.
type Placement struct {
	Driver, Executor Target
}

func (p Placement) String() string {
	return p.Describe(sparkapp.KindSparkApplication)
}

// Describe says the placement with the roles named as in an object of kind:
// a SparkConnect's driver is its server.
func (p Placement) Describe(kind string) string {
	return fmt.Sprintf("%s: %s, executors: %s", sparkapp.RoleField(kind, sparkapp.Driver), p.Driver, p.Executor)
}

// Of returns the target of role.
func (p Placement) Of(role sparkapp.Role) Target {
	if role == sparkapp.Driver {
		return p.Driver
	}
	return p.Executor
}

// Detect reads where the roles of a SparkApplication, ScheduledSparkApplication
// or SparkConnect are placed: the target whose rules a role holds (in its spec or its pod
// template), or Custom when they match none.
func (v VirtualNodes) Detect(obj map[string]interface{}) Placement {
	kind, _ := obj["kind"].(string)
	return Placement{
		Driver:   v.detectRole(mapAt(obj, sparkapp.RolePath(kind, sparkapp.Driver)...)),
		Executor: v.detectRole(mapAt(obj, sparkapp.RolePath(kind, sparkapp.Executor)...)),
	}
}

func (v VirtualNodes) detectRole(roleSpec map[string]interface{}) Target {
	held := v.holds(roleSpec).or(v.holds(mapAt(roleSpec, "template", "spec")))
	// Any toleration of the taint counts, the user's own too: it is what
	// decides whether the pods may land on a virtual node at all.
	held.toleration = v.tolerates(roleSpec)
	return targetOf(held)
}

// tolerates tells whether the tolerations of a role (spec and pod template
// together, as the pods get both) tolerate the virtual-node taint.
func (v VirtualNodes) tolerates(roleSpec map[string]interface{}) bool {
	var tolerations []corev1.Toleration
	for _, podSpec := range []map[string]interface{}{roleSpec, mapAt(roleSpec, "template", "spec")} {
		for _, item := range listAt(podSpec, keyTolerations) {
			m, ok := item.(map[string]interface{})
			if !ok {
				continue
			}
			var t corev1.Toleration
			if runtime.DefaultUnstructuredConverter.FromUnstructured(m, &t) == nil {
				tolerations = append(tolerations, t)
			}
		}
	}
	return schedulingcorev1.TolerationsTolerateTaint(logr.Discard(), tolerations, &v.Taint, false)
}
