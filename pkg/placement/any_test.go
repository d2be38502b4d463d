package placement

import (
	"testing"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// The guide's ResourcePolicy example runs a spark-pi whose roles tolerate the
// taint and have no affinity: Any gives exactly those tolerations, from every
// preset, and Detect names it.
func TestAnyGivesTheResourcePolicySeedTolerations(t *testing.T) {
	for _, from := range []string{"ecs-only", "eci-only", "ecs-first", "driver-on-ecs"} {
		t.Run(from, func(t *testing.T) {
			res := mustApply(t, seed(t, from), Request{Driver: Any, Executor: Any})
			for _, role := range []string{"driver", "executor"} {
				spec := mapAt(res.Object, "spec", role)
				if got := canonical(t, spec[keyTolerations]); got != canonical(t, []interface{}{AlibabaCloudECI.toleration()}) {
					t.Errorf("%s tolerations = %s", role, got)
				}
				if spec[keyAffinity] != nil {
					t.Errorf("%s keeps an affinity: %s", role, canonical(t, spec[keyAffinity]))
				}
			}
			if want := (Placement{Driver: Any, Executor: Any}); res.Placement != want {
				t.Errorf("Placement = %v, want %v", res.Placement, want)
			}
			if again := mustApply(t, res.Object, Request{Driver: Any, Executor: Any}); again.Changed {
				t.Error("second run changed the object")
			}
		})
	}
}

func TestAnyKeepsTheUsersRulesAndGoesBack(t *testing.T) {
	original := userApp(t)
	placed := mustApply(t, original, Request{Driver: Any, Executor: Any})
	for _, role := range sparkapp.Roles {
		if !AlibabaCloudECI.Tolerates(placed.Object, role) {
			t.Errorf("%s does not tolerate the taint", role)
		}
		if AlibabaCloudECI.Tolerates(original, role) {
			t.Errorf("%s of the original already tolerates the taint", role)
		}
	}
	if got := canonical(t, mapAt(placed.Object, "spec", "driver", keyAffinity)); got != canonical(t, mapAt(original, "spec", "driver", keyAffinity)) {
		t.Errorf("the user's affinity changed: %s", got)
	}
	back := mustApply(t, placed.Object, Request{Driver: ECS, Executor: ECS})
	if got, want := canonical(t, back.Object), canonical(t, original); got != want {
		t.Errorf("round trip through any changed something:\ngot  %s\nwant %s", got, want)
	}
}

func TestAnyIsNotAPlaceTarget(t *testing.T) {
	if _, err := ParseTarget(string(Any)); err == nil {
		t.Error("ParseTarget accepts any")
	}
}
