package imagepull

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
	"github.com/spark-eci/kubectl-spark-eci/pkg/stats"
)

// The type of the report that cache-report -o json|yaml prints.
const (
	ReportAPIVersion = "spark-eci.io/v1alpha1"
	ReportKind       = "CacheReport"
)

// Report is the documented, versioned output of cache-report -o json|yaml
// (doc.go describes the schema).
type Report struct {
	APIVersion string      `json:"apiVersion"`
	Kind       string      `json:"kind"`
	Pods       []PodReport `json:"pods"`
	Summary    Summary     `json:"summary"`
}

// Summary sums up the pods of a report. In JSON the durations are seconds.
type Summary struct {
	Pods    int `json:"pods"`
	ECIPods int `json:"eciPods"`
	// Hits and Misses count the pods with an ECI cache event: a hit, or
	// anything else (CacheOutcome.Missed). AutoCreated counts the misses that
	// made ECI create a cache.
	Hits   int `json:"hits"`
	Misses int `json:"misses"`
	// Undecided counts the pods whose cache result is not known
	// (PodReport.Undecided): a gate on misses fails on them too.
	Undecided   int `json:"undecided"`
	AutoCreated int `json:"autoCreated"`
	// AutoCreatedIDs are the caches ECI began to make after those misses,
	// sorted, each once: what the next runs can hit or pin.
	AutoCreatedIDs []string `json:"autoCreatedIds"`
	// Failed counts the pods with an image that could not be had.
	Failed int `json:"failed"`
	// Pulls counts the images actually pulled whose pull time is known; the
	// percentiles (nearest rank) and the maximum are over their pull times.
	Pulls   int           `json:"pulls"`
	PullP50 time.Duration `json:"pullP50Seconds"`
	PullP95 time.Duration `json:"pullP95Seconds"`
	PullMax time.Duration `json:"pullMaxSeconds"`
	// WarmCacheSavings is the pull time of the pods on ECI that did not hit
	// a cache, summed over pods: the image pulling a warm cache would have
	// spared them (pod time, not wall time: the pods pull side by side).
	WarmCacheSavings time.Duration `json:"warmCacheSavingsSeconds"`
}

// NewReport makes the report of pods, sorted the way Spark users read them:
// the driver, then the executors by name in natural order (exec-2 before
// exec-10), then any other pods.
func NewReport(pods []PodReport) Report {
	// JSON lists stay lists, even when empty.
	sorted := append([]PodReport{}, pods...)
	for i := range sorted {
		if sorted[i].Images == nil {
			sorted[i].Images = []ImagePull{}
		}
	}
	slices.SortStableFunc(sorted, func(a, b PodReport) int {
		return cmp.Or(sparkapp.ComparePods(a.Role, a.Name, b.Role, b.Name), cmp.Compare(a.Namespace, b.Namespace))
	})
	return Report{APIVersion: ReportAPIVersion, Kind: ReportKind, Pods: sorted, Summary: Summarize(sorted)}
}

// WarmCacheSaving is what a warm image cache would have spared the pod:
// its image pulls, as the kubelet timed them, when it ran on ECI and did not
// hit the cache.
func (p PodReport) WarmCacheSaving() time.Duration {
	if p.NodeKind != placement.NodeECI || p.Cache.Outcome == OutcomeHit {
		return 0
	}
	var pulled time.Duration
	for _, img := range p.Images {
		if img.timed() {
			pulled += img.PullTime
		}
	}
	return pulled
}

// timed tells an image whose pull has a time.
func (img ImagePull) timed() bool {
	return img.State == StatePulled && img.PullTimeFrom != ""
}

// CacheWord is the pod's cache result in one word: hit, the outcome of a
// miss (missed, auto-created, ...), or off when its annotations turn ECI's
// matching off; "" on ECS, where there is no image cache, and when nothing
// says (as the table's CACHE column reads it).
func (p PodReport) CacheWord() string {
	c := p.Cache
	switch {
	case c.Outcome == OutcomeHit || c.Missed():
		return string(c.Outcome)
	case p.NodeKind == placement.NodeECS:
		return ""
	case c.Off:
		return "off"
	}
	return ""
}

// Summarize sums up pods.
func Summarize(pods []PodReport) Summary {
	s := Summary{Pods: len(pods)}
	var pulls []time.Duration
	created := map[string]bool{}
	for _, p := range pods {
		if p.NodeKind == placement.NodeECI {
			s.ECIPods++
		}
		switch o := p.Cache.Outcome; {
		case o == OutcomeHit:
			s.Hits++
		case o.Missed():
			s.Misses++
			if p.Cache.AutoCreatedID != "" || o == OutcomeAutoCreated {
				s.AutoCreated++
			}
			if id := p.Cache.AutoCreatedID; id != "" {
				created[id] = true
			}
		}
		if p.Undecided() {
			s.Undecided++
		}
		var failed bool
		for _, img := range p.Images {
			failed = failed || img.State.Failed()
			if img.timed() {
				pulls = append(pulls, img.PullTime)
			}
		}
		if failed {
			s.Failed++
		}
		s.WarmCacheSavings += p.WarmCacheSaving()
	}
	s.AutoCreatedIDs = slices.Sorted(maps.Keys(created))
	if s.AutoCreatedIDs == nil {
		s.AutoCreatedIDs = []string{} // JSON lists stay lists
	}
	slices.Sort(pulls)
	s.Pulls = len(pulls)
	s.PullP50 = stats.Percentile(pulls, 50)
	s.PullP95 = stats.Percentile(pulls, 95)
	if len(pulls) > 0 {
		s.PullMax = pulls[len(pulls)-1]
	}
	return s
}
