// Package placement rewrites the driver and executor specs of a SparkApplication
// (or the template of a ScheduledSparkApplication) so that their pods land on
// ECS nodes, on ECI virtual nodes, or on either with a preference, and sets the
// ECI image-cache and spot annotations. It knows nothing of clients or flags:
// objects go in as unstructured content and come out the same way.
//
// It owns only what it adds: the toleration of the virtual-node taint and the
// node-affinity expressions on the virtual-node label. Everything else in the
// object is left exactly as it was, so targets can be switched back and forth.
package placement

import (
	"fmt"
	"strings"
)

// Target is where the pods of one role should run.
type Target string

// The targets a role can be placed on.
const (
	// ECS keeps pods off virtual nodes: no toleration of their taint.
	ECS Target = "ecs"
	// ECI pins pods to virtual nodes: toleration plus required node affinity.
	ECI Target = "eci"
	// ECSFirst prefers ordinary nodes and overflows onto virtual nodes.
	ECSFirst Target = "ecs-first"
	// ECIFirst prefers virtual nodes and falls back to ordinary nodes.
	ECIFirst Target = "eci-first"
	// Custom is what Detect reports for a role whose rules match no target.
	Custom Target = "custom"
)

// Targets lists the targets a user can ask for.
var Targets = []Target{ECS, ECI, ECSFirst, ECIFirst}

// ParseTarget reads a target name.
func ParseTarget(s string) (Target, error) {
	for _, t := range Targets {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown target %q: want one of %s", s, joinTargets(Targets))
}

// presets name a placement of both roles.
var presets = map[string]Placement{
	"ecs-only":      {Driver: ECS, Executor: ECS},
	"eci-only":      {Driver: ECI, Executor: ECI},
	"ecs-first":     {Driver: ECSFirst, Executor: ECSFirst},
	"driver-on-ecs": {Driver: ECS, Executor: ECI},
}

// PresetNames lists the presets in the order of the guide's strategies.
func PresetNames() []string {
	return []string{"ecs-only", "eci-only", "ecs-first", "driver-on-ecs"}
}

// ParsePreset reads a preset name.
func ParsePreset(s string) (Placement, error) {
	p, ok := presets[s]
	if !ok {
		return Placement{}, fmt.Errorf("unknown preset %q: want one of %s", s, strings.Join(PresetNames(), ", "))
	}
	return p, nil
}

func joinTargets(ts []Target) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}
