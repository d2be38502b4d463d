package placement

import (
	"fmt"
	"slices"

	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// annotate sets or removes the ECI image-cache annotations (on each role whose
// pods may run on ECI; a role on ECS only keeps none), the spot annotations
// (on the executors) and the other pod options. Annotations
// reach the pods through spark-submit, webhook or not, so they always go into
// the role's spec (a SparkConnect's: its pod template).
func (r Request) annotate(obj map[string]interface{}, kind string) ([]string, error) {
	var warnings []string
	onECI := map[sparkapp.Role]bool{}
	for _, role := range sparkapp.Roles {
		onECI[role] = r.Nodes.tolerates(mapAt(obj, sparkapp.RolePath(kind, role)...))
	}

	if r.ImageCache.IsSet() {
		if r.ImageCache.adds() && !onECI[sparkapp.Driver] && !onECI[sparkapp.Executor] {
			return nil, &NotOnECIError{Option: "--image-cache"}
		}
		for _, role := range sparkapp.Roles {
			if !onECI[role] && r.ImageCache.adds() {
				warnings = append(warnings, fmt.Sprintf("%s: runs on ECS only, image cache not set for it", sparkapp.RoleField(kind, role)))
			}
			setAnnotations(obj, kind, role, r.ImageCache.annotations(onECI[role]), eci.ImageCacheAnnotations...)
		}
	}

	switch r.Spot.mode {
	case spotOn:
		if !onECI[sparkapp.Executor] {
			return nil, &NotOnECIError{Option: "--spot", ExecutorsOnly: true}
		}
		set := map[string]string{eci.AnnotationSpotStrategy: eci.SpotAsPriceGo}
		if r.Spot.priceLimit != "" {
			set[eci.AnnotationSpotStrategy] = eci.SpotWithPriceLimit
			set[eci.AnnotationSpotPriceLimit] = r.Spot.priceLimit
		}
		setAnnotations(obj, kind, sparkapp.Executor, set, eci.AnnotationSpotStrategy, eci.AnnotationSpotPriceLimit)
	case spotOff:
		// The spot options go with the strategy they qualify.
		setAnnotations(obj, kind, sparkapp.Executor, nil, eci.AnnotationSpotStrategy, eci.AnnotationSpotPriceLimit,
			eci.AnnotationSpotDuration, eci.AnnotationSpotFallback)
	}

	for _, o := range r.Options {
		w, err := o.annotate(obj, kind, onECI)
		if err != nil {
			return nil, err
		}
		warnings = append(warnings, w...)
	}
	return warnings, nil
}

// annotate sets the option on the roles it applies to that may run on ECI,
// and takes it off the others; "off" takes it off every role.
func (o PodOption) annotate(obj map[string]interface{}, kind string, onECI map[sparkapp.Role]bool) ([]string, error) {
	if !o.set {
		return nil, nil
	}
	roles := sparkapp.Roles
	if o.executorsOnly {
		roles = []sparkapp.Role{sparkapp.Executor}
	}
	if o.adds() {
		if !slices.ContainsFunc(roles, func(r sparkapp.Role) bool { return onECI[r] }) {
			return nil, &NotOnECIError{Option: "--" + o.Flag, ExecutorsOnly: o.executorsOnly}
		}
		if o.needsSpot && mapAt(obj, sparkapp.PodAnnotationsPath(kind, sparkapp.Executor)...)[eci.AnnotationSpotStrategy] == nil {
			return nil, fmt.Errorf("--%s qualifies the executors' spot instances: give --spot too", o.Flag)
		}
	}
	var warnings []string
	for _, role := range roles {
		var set map[string]string
		switch {
		case o.adds() && onECI[role]:
			set = map[string]string{o.annotation: o.value}
		case o.adds():
			warnings = append(warnings, fmt.Sprintf("%s: runs on ECS only, --%s not set for it", sparkapp.RoleField(kind, role), o.Flag))
		}
		setAnnotations(obj, kind, role, set, o.annotation)
	}
	return warnings, nil
}

// setAnnotations makes the annotations named in owned hold exactly set, on
// the pods of a role; other annotations are left alone.
func setAnnotations(obj map[string]interface{}, kind string, role sparkapp.Role, set map[string]string, owned ...string) {
	path := sparkapp.PodAnnotationsPath(kind, role)
	annotations := mapAt(obj, path...)
	removed := false
	for _, key := range owned {
		if _, ok := set[key]; !ok && annotations != nil {
			if _, had := annotations[key]; had {
				delete(annotations, key)
				removed = true
			}
		}
	}
	if removed {
		// Drop what the removal emptied: the annotations, even the role.
		pruneBelow(obj, sparkapp.KeptPath(kind, role), path)
	}
	for key, value := range set {
		if annotations == nil || annotations[key] != value {
			annotations = ensureMapAt(obj, path...)
			annotations[key] = value
		}
	}
}

// NotOnECIError is an ECI option asked of an application whose roles it
// applies to cannot run on virtual nodes. Option names it as place's flag
// does; a command that sets it another way says so its own way.
type NotOnECIError struct {
	Option string
	// ExecutorsOnly: the option applies to the executors alone (spot).
	ExecutorsOnly bool
}

func (e *NotOnECIError) Error() string {
	if e.ExecutorsOnly {
		return e.Option + ": the executors cannot run on virtual nodes, where it applies; place them first (--executors=eci or ecs-first)"
	}
	return e.Option + ": neither the driver nor the executors can run on virtual nodes, where it applies; place them there first (--executors=eci, --preset=...)"
}
