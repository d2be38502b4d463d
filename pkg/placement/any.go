package placement

import "github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"

// Any lets a role's pods run on either kind of node: the toleration of the
// virtual-node taint and no node affinity, as the spark-pi of the guide's
// ResourcePolicy example has it. The node is then chosen by the scheduler, or
// by the units of an ACK ResourcePolicy, which can only place pods that
// tolerate the taint. It is not one of place's Targets: resource-policy
// --place asks for it.
const Any Target = "any"

// detectable are the targets Detect can name: a role holding only the
// toleration is on Any, not Custom, whoever put it there.
var detectable = append(Targets[:len(Targets):len(Targets)], Any)

// Tolerates tells whether the pods of role (spec and pod template together)
// tolerate the virtual-node taint, through placement's toleration or one of the
// user's own.
func (v VirtualNodes) Tolerates(obj map[string]interface{}, role sparkapp.Role) bool {
	kind, _ := obj["kind"].(string)
	return v.tolerates(mapAt(obj, sparkapp.RolePath(kind, role)...))
}
