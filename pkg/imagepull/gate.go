package imagepull

import (
	"fmt"
	"strings"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
)

// Undecided tells a pod whose ECI image cache result is not known: it is on
// ECI, or on no node yet, its matching is not off, and no ECI cache event
// names it. While it pulls (or waits for a node) the result may yet come;
// once its pulls are done, the events that would tell are gone (they expire)
// or never came. A pod on ECS cannot miss, and neither can one that ended
// before it had a node.
func (p PodReport) Undecided() bool {
	switch {
	case p.Cache.Outcome != "", p.Cache.Off, p.NodeKind == placement.NodeECS:
		return false
	case p.Node == "" && p.Done(): // gone or ended without a node
		return false
	}
	return true
}

// Gate is what a gate on cache misses (cache-report --fail-on-miss) makes of
// a report: it passes only when every pod is known not to have missed.
type Gate struct {
	Pods int
	// Missed are the pods that missed the cache.
	Missed []string
	// Pulling are the undecided pods still pulling (or waiting for a node):
	// their result may yet come.
	Pulling []string
	// NoEvent are the undecided pods done pulling that no cache event names.
	NoEvent []string
}

// GateOf judges the pods of a report.
func GateOf(r Report) Gate {
	g := Gate{Pods: len(r.Pods)}
	for _, p := range r.Pods {
		switch {
		case p.Cache.Missed():
			g.Missed = append(g.Missed, p.Name)
		case !p.Undecided():
		case p.Done():
			g.NoEvent = append(g.NoEvent, p.Name)
		default:
			g.Pulling = append(g.Pulling, p.Name)
		}
	}
	return g
}

// Passed tells whether every pod is known not to have missed.
func (g Gate) Passed() bool {
	return len(g.Missed) == 0 && g.Undecided() == 0
}

// Undecided counts the pods the gate cannot decide.
func (g Gate) Undecided() int { return len(g.Pulling) + len(g.NoEvent) }

// String says why the gate failed, misses apart from undecided pods: "2 of 5
// pods missed the ECI image cache (a, b); 1 undecided (still pulling: c)".
func (g Gate) String() string {
	var parts []string
	if len(g.Missed) > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d %s missed the ECI image cache (%s)",
			len(g.Missed), g.Pods, plural(g.Pods, "pod", "pods"), listSome(g.Missed, 3)))
	}
	if n := g.Undecided(); n > 0 {
		var why []string
		if len(g.Pulling) > 0 {
			why = append(why, "still pulling: "+listSome(g.Pulling, 3))
		}
		if len(g.NoEvent) > 0 {
			why = append(why, "no cache event, or it expired: "+listSome(g.NoEvent, 3))
		}
		undecided := fmt.Sprintf("%d undecided (%s)", n, strings.Join(why, "; "))
		if len(g.Missed) == 0 {
			undecided = fmt.Sprintf("%d of %d %s undecided (%s)", n, g.Pods, plural(g.Pods, "pod", "pods"), strings.Join(why, "; "))
		}
		parts = append(parts, undecided)
	}
	return strings.Join(parts, "; ")
}
