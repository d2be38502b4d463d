package timeline

import (
	"bufio"
	"fmt"
	"io"
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
	// Saving is what a warm cache would have spared the pods: the
	// timeline's WarmCacheSavingsSeconds, cache-report's figure.
	Saving time.Duration
}

// Cache results the summary tells apart: a hit, and a miss (any of those
// Pod.CacheMissed tells).
const (
	CacheHit    = "hit"
	CacheMissed = "missed"
)

// Summarize sums up the pods of a timeline.
func Summarize(t Timeline) Summary {
	s := Summary{Saving: time.Duration(t.WarmCacheSavingsSeconds * float64(time.Second))}
	for _, kind := range []string{"ECI", "ECS"} {
		if g := group(kind, t.Pods, func(p Pod) bool { return p.NodeKind == kind }); g.Pods > 0 {
			s.ByKind = append(s.ByKind, g)
		}
	}
	hit := group(CacheHit, t.Pods, func(p Pod) bool { return p.Cache == CacheHit })
	missed := group(CacheMissed, t.Pods, func(p Pod) bool { return p.CacheMissed })
	for _, g := range []Group{hit, missed} {
		if g.Pods > 0 {
			s.ByCache = append(s.ByCache, g)
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

// Lines writes the summary in one or two lines: the phases' p50/p95 by
// node kind; then by cache result, with what a warm cache would have saved.
func (s Summary) Lines() []string {
	var lines []string
	if len(s.ByKind) > 0 {
		lines = append(lines, "p50/p95 "+groups(s.ByKind))
	}
	var cache []string
	if len(s.ByCache) > 0 {
		cache = append(cache, "image cache "+groups(s.ByCache))
	}
	if s.Saving > 0 {
		cache = append(cache, fmt.Sprintf("a warm cache would have saved %s of image pulls on ECI", short(s.Saving)))
	}
	if len(cache) > 0 {
		lines = append(lines, strings.Join(cache, "; "))
	}
	return lines
}

const summaryIndent = "        "

// WriteSummary writes the summary's lines, each wrapped to width between
// its parts (a group's head stays with its first phase), its continuation
// indented.
func WriteSummary(w io.Writer, s Summary, width int) error {
	bw := bufio.NewWriter(w)
	for _, line := range s.Lines() {
		var items []string
		groups := strings.Split(line, "; ")
		for g, group := range groups {
			parts := strings.Split(group, ", ")
			for i := range parts {
				switch {
				case i < len(parts)-1:
					parts[i] += ","
				case g < len(groups)-1:
					parts[i] += ";"
				}
			}
			for _, part := range parts {
				if len(summaryIndent)+len(part) > width {
					items = append(items, strings.Fields(part)...) // too long for a line: its words
				} else {
					items = append(items, part)
				}
			}
		}
		writeWrapped(bw, "", items, width, " ", summaryIndent)
	}
	return bw.Flush()
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
