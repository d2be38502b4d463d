package placement

import (
	"testing"
)

// The expected output of each preset is the guide's own YAML for the strategy.
func TestPresetsGiveTheSeedYAML(t *testing.T) {
	seeds := []struct{ preset, file string }{
		{"ecs-only", "ecs-only"},
		{"eci-only", "eci-only"},
		{"ecs-first", "ecs-first"},
		{"driver-on-ecs", "driver-on-ecs"},
	}
	for _, from := range seeds {
		for _, to := range seeds {
			t.Run(from.file+"→"+to.preset, func(t *testing.T) {
				preset, err := ParsePreset(to.preset)
				if err != nil {
					t.Fatal(err)
				}
				res := mustApply(t, seed(t, from.file), Request{Driver: preset.Driver, Executor: preset.Executor})
				want := seed(t, to.file)
				if got, want := canonical(t, res.Object["spec"]), canonical(t, want["spec"]); got != want {
					t.Errorf("spec differs from the seed's %s:\ngot  %s\nwant %s", to.file, got, want)
				}
				if res.Changed != (from.file != to.file) {
					t.Errorf("Changed = %v", res.Changed)
				}
				if res.Placement != preset {
					t.Errorf("Placement = %v, want %v", res.Placement, preset)
				}
			})
		}
	}
}

func TestImageCacheGivesTheSeedYAML(t *testing.T) {
	for _, tc := range []struct{ flag, file string }{
		{"imc-2zeXXXXXXXXXXXXXXXXX", "eci-only-image-cache-id"},
		{"auto", "eci-only-image-cache-auto"},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			cache, err := ParseImageCache(tc.flag)
			if err != nil {
				t.Fatal(err)
			}
			res := mustApply(t, seed(t, "ecs-only"), Request{Driver: ECI, Executor: ECI, ImageCache: cache})
			if got, want := canonical(t, res.Object["spec"]), canonical(t, seed(t, tc.file)["spec"]); got != want {
				t.Errorf("spec differs from the seed:\ngot  %s\nwant %s", got, want)
			}
			off, _ := ParseImageCache("off")
			back := mustApply(t, res.Object, Request{Driver: ECS, Executor: ECS, ImageCache: off})
			if got, want := canonical(t, back.Object["spec"]), canonical(t, seed(t, "ecs-only")["spec"]); got != want {
				t.Errorf("placing back on ECS without cache did not give the original:\ngot  %s\nwant %s", got, want)
			}
		})
	}
}

func TestDetectReadsTheSeeds(t *testing.T) {
	for file, want := range map[string]Placement{
		"ecs-only":                {ECS, ECS},
		"eci-only":                {ECI, ECI},
		"ecs-first":               {ECSFirst, ECSFirst},
		"driver-on-ecs":           {ECS, ECI},
		"eci-only-image-cache-id": {ECI, ECI},
	} {
		if got := AlibabaCloudECI.Detect(seed(t, file)); got != want {
			t.Errorf("%s: Detect = %v, want %v", file, got, want)
		}
	}
}
