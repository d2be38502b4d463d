package placement

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
)

// Off is the value that removes a pod option.
const Off = "off"

// PodOption is one of ECI's pod options: an annotation place owns, set to a
// checked value on the roles that may run on ECI, or removed with "off".
// The zero PodOption leaves things as they are.
type PodOption struct {
	// Flag names the option in messages.
	Flag       string
	annotation string
	value      string // "" removes
	set        bool
	// executorsOnly options are refused for the driver, which must be stable.
	executorsOnly bool
	// needsSpot options mean something only beside a spot strategy.
	needsSpot bool
}

// IsSet tells whether the option changes anything.
func (o PodOption) IsSet() bool { return o.set }

// adds tells whether the option sets its annotation (rather than removing it).
func (o PodOption) adds() bool { return o.set && o.value != "" }

// parseOption reads "", "off", or a value that check accepts and may rewrite.
func parseOption(flag, annotation, s string, check func(string) (string, error)) (PodOption, error) {
	o := PodOption{Flag: flag, annotation: annotation}
	switch {
	case s == "":
		return o, nil
	case strings.EqualFold(s, Off):
		o.set = true
		return o, nil
	}
	value, err := check(s)
	if err != nil {
		return o, fmt.Errorf("invalid --%s %q: %w", flag, s, err)
	}
	o.value, o.set = value, true
	return o, nil
}

// ParseEphemeralStorage reads --ephemeral-storage: the temporary storage
// ECI adds to a pod's free 30 GiB, in whole GiB as ECI documents it (50Gi);
// Spark spills shuffle data there.
func ParseEphemeralStorage(s string) (PodOption, error) {
	return parseOption("ephemeral-storage", eci.AnnotationExtraEphemeralStorage, s, func(s string) (string, error) {
		const gib = 1 << 30
		q, err := resource.ParseQuantity(s)
		if err != nil || q.Sign() <= 0 || q.Value()%gib != 0 {
			return "", fmt.Errorf("want a whole number of GiB such as 50Gi, or off")
		}
		return fmt.Sprintf("%dGi", q.Value()/gib), nil
	})
}

// The patterns are compiled when first used, not by every command as it
// starts.
var (
	vcpuMemorySpec = lazyRegexp(`^[0-9]+(\.[0-9]+)?-[0-9]+(\.[0-9]+)?Gi$`)
	ecsType        = lazyRegexp(`^ecs\.[a-z0-9][a-z0-9-]*\.[a-z0-9]+$`)
	vSwitchID      = lazyRegexp(`^vsw-[0-9a-z]+$`)
)

func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

// maxSpecs is how many instance specs ECI takes in eci-use-specs.
const maxSpecs = 5

// ParseInstanceTypes reads --instance-types: up to five specs in order of
// preference, each vCPU-memory (2-4Gi) or an ECS instance type
// (ecs.c6.xlarge).
func ParseInstanceTypes(s string) (PodOption, error) {
	return parseOption("instance-types", eci.AnnotationUseSpecs, s, func(s string) (string, error) {
		specs, bad := list(s, func(spec string) bool { return vcpuMemorySpec().MatchString(spec) || ecsType().MatchString(spec) })
		switch {
		case bad != "":
			return "", fmt.Errorf("%q is neither a vCPU-memory spec (2-4Gi) nor an ECS instance type (ecs.c6.xlarge)", bad)
		case len(specs) > maxSpecs:
			return "", fmt.Errorf("ECI takes at most %d specs, not %d", maxSpecs, len(specs))
		}
		return strings.Join(specs, ","), nil
	})
}

// ParseVSwitches reads --vswitches: the vSwitch ids (vsw-...) of the zones
// the pods may be created in.
func ParseVSwitches(s string) (PodOption, error) {
	return parseOption("vswitches", eci.AnnotationVSwitch, s, func(s string) (string, error) {
		ids, bad := list(s, vSwitchID().MatchString)
		if bad != "" {
			return "", fmt.Errorf("%q is not a vSwitch id (vsw-...)", bad)
		}
		return strings.Join(ids, ","), nil
	})
}

// ParseZoneStrategy reads --zone-strategy: VSwitchOrdered tries the
// vSwitches in the order given, VSwitchRandom spreads the pods over them.
func ParseZoneStrategy(s string) (PodOption, error) {
	return parseOption("zone-strategy", eci.AnnotationScheduleStrategy, s, func(s string) (string, error) {
		for _, strategy := range []string{eci.VSwitchOrdered, eci.VSwitchRandom} {
			if strings.EqualFold(s, strategy) {
				return strategy, nil
			}
		}
		return "", fmt.Errorf("want %s or %s", eci.VSwitchOrdered, eci.VSwitchRandom)
	})
}

// ParseSpotDuration reads --spot-duration: the hours a spot executor is
// protected from being reclaimed, 1 (ECI's default) or 0.
func ParseSpotDuration(s string) (PodOption, error) {
	o, err := parseOption("spot-duration", eci.AnnotationSpotDuration, s, func(s string) (string, error) {
		if s != "0" && s != "1" {
			return "", fmt.Errorf("ECI protects a spot instance for 1 hour or 0")
		}
		return s, nil
	})
	o.executorsOnly, o.needsSpot = true, true
	return o, err
}

// ParseSpotFallback reads --spot-fallback: true lets ECI create a
// pay-as-you-go executor when no spot instance is to be had; false (or off)
// removes it.
func ParseSpotFallback(s string) (PodOption, error) {
	if strings.EqualFold(s, "false") {
		s = Off
	}
	o, err := parseOption("spot-fallback", eci.AnnotationSpotFallback, s, func(s string) (string, error) {
		if !strings.EqualFold(s, "true") {
			return "", fmt.Errorf("want true or false")
		}
		return "true", nil
	})
	o.executorsOnly, o.needsSpot = true, true
	return o, err
}

// list splits a comma-separated list, each item once; bad is the first item
// ok refuses.
func list(s string, ok func(string) bool) (items []string, bad string) {
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if !ok(item) {
			return nil, cmp.Or(item, `""`)
		}
		if !slices.Contains(items, item) {
			items = append(items, item)
		}
	}
	return items, ""
}
