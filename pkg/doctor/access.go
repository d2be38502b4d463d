package doctor

import (
	"fmt"
	"strings"

	"github.com/spark-eci/kubectl-spark-eci/pkg/imagecache"
	"github.com/spark-eci/kubectl-spark-eci/pkg/resourcepolicy"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// Need is one thing a command does to the API: a verb on a resource, in the
// namespace unless Cluster. For names the flag that needs it, when only one
// does.
type Need struct {
	Verb, Group, Resource string
	Cluster               bool
	For                   string
}

func (n Need) String() string {
	s := n.Verb + " " + n.Resource
	if n.Group != "" {
		s += "." + n.Group
	}
	var notes []string
	if n.Cluster {
		notes = append(notes, "cluster-wide")
	}
	if n.For != "" {
		notes = append(notes, n.For)
	}
	if len(notes) > 0 {
		s += " (" + strings.Join(notes, ", ") + ")"
	}
	return s
}

// Command is a command of the plugin and what it needs.
type Command struct {
	Name  string
	Needs []Need
}

func needs(verbs []string, group, resource string) []Need {
	out := make([]Need, len(verbs))
	for i, v := range verbs {
		out[i] = Need{Verb: v, Group: group, Resource: resource}
	}
	return out
}

// Commands lists what each command needs, in the current namespace unless a
// need says Cluster. Reads that only make a command more helpful (the webhook
// checks, the node lookups of cache-report and status) are left out: the
// commands work without them. deploy/rbac grants them, and nothing more
// (rbac_test.go). doctor's own entry is what its pinned-caches check reads;
// its other checks read cluster-wide objects (nodes, webhook
// configurations, Deployments) that deploy/rbac/clusterrole.yaml grants, and
// each says when it could not.
var Commands = []Command{
	{Name: "place", Needs: concat(
		needs([]string{"get", "list", "patch"}, sparkapp.GroupVersion.Group, "sparkapplications"),
		needs([]string{"get", "list", "patch"}, sparkapp.GroupVersion.Group, "scheduledsparkapplications"),
		needs([]string{"get", "list", "patch"}, sparkapp.GroupVersion.Group, "sparkconnects"),
	)},
	{Name: "cache-report", Needs: concat(
		needs([]string{"get", "list", "watch"}, "", "pods"),
		needs([]string{"list", "watch"}, "", "events"),
	)},
	{Name: "timeline", Needs: concat(
		needs([]string{"get", "list"}, "", "pods"),
		needs([]string{"list"}, "", "events"),
		needs([]string{"get", "list"}, sparkapp.GroupVersion.Group, "sparkapplications"),
		needs([]string{"get", "list"}, sparkapp.GroupVersion.Group, "sparkconnects"),
	)},
	{Name: "status", Needs: concat(
		needs([]string{"get", "list", "watch"}, sparkapp.GroupVersion.Group, "sparkapplications"),
		needs([]string{"get", "list", "watch"}, sparkapp.GroupVersion.Group, "sparkconnects"),
		needs([]string{"list", "watch"}, "", "pods"),
		needs([]string{"list", "watch"}, "", "events"),
	)},
	{Name: "resource-policy", Needs: concat(
		needs([]string{"get"}, sparkapp.GroupVersion.Group, "sparkapplications"),
		[]Need{{Verb: "patch", Group: sparkapp.GroupVersion.Group, Resource: "sparkapplications", For: "--place"}},
		needs([]string{"get", "create", "patch"}, resourcepolicy.GroupVersion.Group, resourcepolicy.Resource.Resource),
		[]Need{{Verb: "delete", Group: resourcepolicy.GroupVersion.Group, Resource: resourcepolicy.Resource.Resource, For: "--delete"}},
	)},
	{Name: "image-cache", Needs: concat(
		needs([]string{"get"}, sparkapp.GroupVersion.Group, "sparkapplications"),
		needs([]string{"get"}, sparkapp.GroupVersion.Group, "scheduledsparkapplications"),
		needs([]string{"get"}, sparkapp.GroupVersion.Group, "sparkconnects"),
		[]Need{
			{Verb: "patch", Group: sparkapp.GroupVersion.Group, Resource: "sparkapplications", For: "--place"},
			{Verb: "patch", Group: sparkapp.GroupVersion.Group, Resource: "scheduledsparkapplications", For: "--place"},
			{Verb: "patch", Group: sparkapp.GroupVersion.Group, Resource: "sparkconnects", For: "--place"},
		},
		clusterNeeds([]string{"get", "list", "watch", "create"}, imagecache.GroupVersion.Group, imagecache.Resource.Resource),
		[]Need{{Verb: "delete", Group: imagecache.GroupVersion.Group, Resource: imagecache.Resource.Resource, Cluster: true, For: "image-cache delete"}},
		readsPins("image-cache list"),
	)},
	{Name: "doctor", Needs: concat(
		readsPins(PinnedCachesName),
		[]Need{{Verb: "list", Group: imagecache.GroupVersion.Group, Resource: imagecache.Resource.Resource, Cluster: true, For: PinnedCachesName}},
	)},
}

// readsPins are the needs of reading which image caches the applications
// of the namespace pin: a list of each Spark kind.
func readsPins(forWhat string) []Need {
	var out []Need
	for _, resource := range []string{"sparkapplications", "scheduledsparkapplications", "sparkconnects"} {
		out = append(out, Need{Verb: "list", Group: sparkapp.GroupVersion.Group, Resource: resource, For: forWhat})
	}
	return out
}

// clusterNeeds are needs on a cluster-scoped resource.
func clusterNeeds(verbs []string, group, resource string) []Need {
	out := needs(verbs, group, resource)
	for i := range out {
		out[i].Cluster = true
	}
	return out
}

func concat(lists ...[]Need) []Need {
	var out []Need
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Access judges what a SelfSubjectAccessReview said of each need of cmd:
// allowed[i] answers cmd.Needs[i].
func Access(cmd Command, namespace string, allowed []bool) Check {
	c := Check{Name: "access-" + cmd.Name, Title: "Rights for " + cmd.Name}
	var inNamespace, clusterWide []string
	for i, n := range cmd.Needs {
		if i < len(allowed) && allowed[i] {
			continue
		}
		if n.Cluster {
			clusterWide = append(clusterWide, n.String())
		} else {
			inNamespace = append(inNamespace, n.String())
		}
	}
	if len(inNamespace)+len(clusterWide) == 0 {
		c.Status, c.Message = OK, fmt.Sprintf("may do all that %s needs in namespace %s", cmd.Name, namespace)
		return c
	}
	c.Status = Warn
	var said, fixes []string
	if len(inNamespace) > 0 {
		said = append(said, fmt.Sprintf("may not %s in namespace %s", strings.Join(inNamespace, ", "), namespace))
		fixes = append(fixes, fmt.Sprintf("ask for these rights in %s (deploy/rbac/role.yaml; nodes in deploy/rbac/clusterrole.yaml)", namespace))
	}
	if len(clusterWide) > 0 {
		said = append(said, fmt.Sprintf("may not %s", strings.Join(clusterWide, ", ")))
		fixes = append(fixes, "ask for a ClusterRole binding with them (image caches: deploy/rbac/imagecache-clusterrole.yaml)")
	}
	c.Message, c.Fix = strings.Join(said, "; "), strings.Join(fixes, "; ")
	return c
}
