package imagepull

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
)

// What a gate on misses makes of each kind of pod: a miss, decided, or
// undecided for one of two reasons.
func TestGateOf(t *testing.T) {
	img := func(state PullState) []ImagePull { return []ImagePull{{Container: executorC, State: state}} }
	eci := func(name string, cache CacheResult, state PullState) PodReport {
		return PodReport{Name: name, Node: eciNode, NodeKind: placement.NodeECI, Cache: cache, Images: img(state)}
	}
	for _, tc := range []struct {
		name string
		pod  PodReport
		want string // missed, pulling, no-event, or "" for decided
	}{
		{"a hit", eci("hit", CacheResult{Outcome: OutcomeHit}, StatePresent), ""},
		{"a hit, still pulling a sidecar", eci("hit", CacheResult{Outcome: OutcomeHit}, StatePulling), ""},
		{"a miss", eci("miss", CacheResult{Outcome: OutcomeMissed}, StatePulled), "missed"},
		{"a miss still pulling", eci("miss", CacheResult{Outcome: OutcomeAutoCreated}, StatePulling), "missed"},
		{"on ECI, pulling, no cache event yet", eci("p", CacheResult{}, StatePulling), "pulling"},
		{"on no node yet", PodReport{Name: "p", Images: img(StateWaiting)}, "pulling"},
		{"on ECI, pulled, no cache event", eci("p", CacheResult{}, StatePulled), "no-event"},
		{"on ECI, started, its events expired", eci("p", CacheResult{ID: "imc-matched"}, StateUnknown), "no-event"},
		{"on ECI, matching off", eci("p", CacheResult{Off: true}, StatePulling), ""},
		{"on ECS, pulling", PodReport{Name: "p", Node: ecsNode, NodeKind: placement.NodeECS, Images: img(StatePulling)}, ""},
		{"gone before it had a node", PodReport{Name: "p", Gone: true}, ""},
		{"failed before it had a node", PodReport{Name: "p", Phase: corev1.PodFailed, Images: img(StateWaiting)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := GateOf(NewReport([]PodReport{tc.pod}))
			var got string
			switch {
			case len(g.Missed) == 1:
				got = "missed"
			case len(g.Pulling) == 1:
				got = "pulling"
			case len(g.NoEvent) == 1:
				got = "no-event"
			}
			if got != tc.want || g.Passed() != (tc.want == "") {
				t.Errorf("gate %+v: got %q, passed %v; want %q", g, got, g.Passed(), tc.want)
			}
			if undecided := tc.want == "pulling" || tc.want == "no-event"; tc.pod.Undecided() != undecided {
				t.Errorf("Undecided() = %v, want %v", tc.pod.Undecided(), undecided)
			}
		})
	}
}

// The gate's words tell misses and undecided pods apart, and its counts
// agree with the summary's, which counts them its own way.
func TestGateMessage(t *testing.T) {
	eci := func(name string, outcome CacheOutcome, state PullState) PodReport {
		return PodReport{Name: name, Node: eciNode, NodeKind: placement.NodeECI, Cache: CacheResult{Outcome: outcome},
			Images: []ImagePull{{Container: executorC, State: state}}}
	}
	for _, tc := range []struct {
		pods []PodReport
		want string
	}{
		{[]PodReport{eci("a", OutcomeMissed, StatePulled), eci("b", OutcomeHit, StatePulled)},
			"1 of 2 pods missed the ECI image cache (a)"},
		{[]PodReport{eci("a", "", StatePulling), eci("b", OutcomeHit, StatePulled)},
			"1 of 2 pods undecided (still pulling: a)"},
		{[]PodReport{eci("a", OutcomeMissed, StatePulled), eci("b", "", StatePulling), eci("c", "", StatePulled), eci("d", "", StatePulling)},
			"1 of 4 pods missed the ECI image cache (a); 3 undecided (still pulling: b, d; no cache event, or it expired: c)"},
		{[]PodReport{eci("a", OutcomeHit, StatePulled)}, ""},
	} {
		r := NewReport(tc.pods)
		g := GateOf(r)
		if got := g.String(); got != tc.want {
			t.Errorf("gate of %d pods: %q, want %q", len(tc.pods), got, tc.want)
		}
		if r.Summary.Misses != len(g.Missed) || r.Summary.Undecided != g.Undecided() {
			t.Errorf("summary %d missed, %d undecided; gate %v, %d undecided", r.Summary.Misses, r.Summary.Undecided, g.Missed, g.Undecided())
		}
		if g.Passed() != (tc.want == "") {
			t.Errorf("%q: passed %v", tc.want, g.Passed())
		}
	}
	if got := GateOf(NewReport([]PodReport{eci("b", "", StatePulling), eci("a", "", StatePulling)})).Pulling; !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("undecided pods %v, want them in the report's order", got)
	}
}
