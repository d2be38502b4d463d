package timeline

import (
	"fmt"
	"strings"
	"time"

	"github.com/spark-eci/kubectl-spark-eci/pkg/stats"
)

// Group is the phases of a group of pods (a node kind, a cache result)
// summed up: the p50 and p95 of each phase over the pods whose phase is
// done (open and unknown ones are left out).
type Group struct {
	Name   string
	Pods   int
	Phases map[Phase]Percentiles
}

// Percentiles of one phase over a group's pods.
type Percentiles struct {
	Pods int
	P50  time.Duration
	P95  time.Duration
}

// Summary sums the pods' phases up by node kind and by image cache result,
// and says what a warm cache would have saved.
type Summary struct {
	ByKind  []Group
	ByCache []Group
	// Missed is how many pods missed the cache and pulled; Saving what a
	// warm cache would have saved them: each one's pull less the median
	// pull of the pods that hit. Zero when no pod hit, or none missed.
	Missed int
	Saving time.Duration
}

// Cache results the summary tells apart: a hit, and a miss (any of those
// Pod.CacheMissed tells).
const (
	CacheHit    = "hit"
	CacheMissed = "missed"
)

// Summarize sums up the pods of a timeline.
func Summarize(pods []Pod) Summary {
	var s Summary
	for _, kind := range []string{"ECI", "ECS"} {
		if g := group(kind, pods, func(p Pod) bool { return p.NodeKind == kind }); g.Pods > 0 {
			s.ByKind = append(s.ByKind, g)
		}
	}
	hit := group(CacheHit, pods, func(p Pod) bool { return p.Cache == CacheHit })
	missed := group(CacheMissed, pods, func(p Pod) bool { return p.CacheMissed })
	for _, g := range []Group{hit, missed} {
		if g.Pods > 0 {
			s.ByCache = append(s.ByCache, g)
		}
	}
	warm := hit.Phases[Pull]
	if warm.Pods == 0 {
		return s
	}
	for _, p := range pods {
		if !p.CacheMissed {
			continue
		}
		if d, ok := doneDuration(p, Pull); ok {
			s.Missed++
			s.Saving += max(d-warm.P50, 0)
		}
	}
	return s
}

func group(name string, pods []Pod, in func(Pod) bool) Group {
	g := Group{Name: name, Phases: map[Phase]Percentiles{}}
	durations := map[Phase][]time.Duration{}
	for _, p := range pods {
		if !in(p) {
			continue
		}
		g.Pods++
		for _, phase := range Phases {
			if d, ok := doneDuration(p, phase); ok {
				durations[phase] = append(durations[phase], d)
			}
		}
	}
	for phase, ds := range durations {
		g.Phases[phase] = Percentiles{Pods: len(ds), P50: stats.Percentile(ds, 50), P95: stats.Percentile(ds, 95)}
	}
	return g
}

func doneDuration(p Pod, phase Phase) (time.Duration, bool) {
	s, ok := p.Span(phase)
	if !ok || s.State != Done {
		return 0, false
	}
	return s.End.Sub(s.Start), true
}

// Lines writes the summary in at most two lines: the phases' p50/p95 by
// node kind; then by cache result, with what a warm cache would have saved.
func (s Summary) Lines() []string {
	var lines []string
	if len(s.ByKind) > 0 {
		lines = append(lines, "p50/p95 "+groups(s.ByKind))
	}
	if len(s.ByCache) > 0 {
		line := "image cache " + groups(s.ByCache)
		if s.Missed > 0 {
			line += fmt.Sprintf("; a warm cache would have saved %s of pulling on %d pod%s that missed", short(s.Saving), s.Missed, plural(s.Missed))
		}
		lines = append(lines, line)
	}
	return lines
}

func groups(gs []Group) string {
	parts := make([]string, 0, len(gs))
	for _, g := range gs {
		var phases []string
		for _, phase := range Phases {
			if p, ok := g.Phases[phase]; ok {
				phases = append(phases, fmt.Sprintf("%s %s/%s", phase, short(p.P50), short(p.P95)))
			}
		}
		parts = append(parts, fmt.Sprintf("%s (%d pod%s): %s", g.Name, g.Pods, plural(g.Pods), strings.Join(phases, ", ")))
	}
	return strings.Join(parts, "; ")
}

// short writes a duration to the second, or under ten seconds to the tenth.
func short(d time.Duration) string {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
