package placement

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
)

// Request says what to do to one object. Zero fields leave things as they are.
type Request struct {
	// Driver and Executor are the roles' targets; "" leaves a role's placement alone.
	Driver, Executor Target
	// Via is where tolerations and affinity are written.
	Via Via
	// ImageCache sets or removes the ECI image-cache annotations.
	ImageCache ImageCache
	// Spot sets or removes the ECI spot annotations of the executors.
	Spot Spot
	// Options set or remove ECI's other pod options.
	Options []PodOption
	// Nodes is how the cluster marks its virtual nodes.
	Nodes VirtualNodes
}

// AsksNothing tells whether the request would change nothing at all.
func (r Request) AsksNothing() bool {
	return r.Driver == "" && r.Executor == "" && !r.ImageCache.IsSet() && !r.Spot.IsSet() &&
		!slices.ContainsFunc(r.Options, PodOption.IsSet)
}

func (r Request) target(role string) Target {
	if role == "driver" {
		return r.Driver
	}
	return r.Executor
}

// Via is where a role's tolerations and affinity go.
type Via string

const (
	// ViaSpec writes them into the role's spec; the operator's mutating pod
	// webhook copies them onto the pods.
	ViaSpec Via = "spec"
	// ViaTemplate writes them into the role's pod template (Spark 3.0 and
	// later), which works without the webhook.
	ViaTemplate Via = "template"
)

// ParseVia reads "spec" or "template".
func ParseVia(s string) (Via, error) {
	switch Via(s) {
	case ViaSpec, ViaTemplate:
		return Via(s), nil
	}
	return "", fmt.Errorf("unknown --via %q: want spec or template", s)
}

type imageCacheMode int

const (
	imageCacheUnset imageCacheMode = iota
	imageCacheAuto
	imageCacheOff
	imageCacheID
)

// ImageCache is an --image-cache setting: auto, off, or a cache id.
type ImageCache struct {
	mode imageCacheMode
	id   string
}

var imageCacheIDPattern = lazyRegexp(`^imc-[0-9a-zA-Z]+$`)

// ParseImageCache reads "auto", "off" or an image cache id "imc-...".
func ParseImageCache(s string) (ImageCache, error) {
	switch {
	case s == "":
		return ImageCache{}, nil
	case s == "auto":
		return ImageCache{mode: imageCacheAuto}, nil
	case s == "off":
		return ImageCache{mode: imageCacheOff}, nil
	case imageCacheIDPattern().MatchString(s):
		return ImageCache{mode: imageCacheID, id: s}, nil
	}
	return ImageCache{}, fmt.Errorf("invalid --image-cache %q: want auto, off or an image cache id (imc-...)", s)
}

// IsSet tells whether the setting changes anything.
func (c ImageCache) IsSet() bool { return c.mode != imageCacheUnset }

// adds tells whether the setting asks for a cache (rather than for none).
func (c ImageCache) adds() bool { return c.mode == imageCacheAuto || c.mode == imageCacheID }

// annotations are the image-cache annotations of a role: the seed's for auto
// and an id; for off, today's switch of the matching ECI does by default. A
// role that cannot run on ECI needs none.
func (c ImageCache) annotations(onECI bool) map[string]string {
	switch {
	case !onECI:
		return nil
	case c.mode == imageCacheAuto:
		return map[string]string{eci.AnnotationImageCache: "true"}
	case c.mode == imageCacheID:
		return map[string]string{eci.AnnotationImageSnapshotID: c.id}
	case c.mode == imageCacheOff:
		return map[string]string{eci.AnnotationAutoImageCache: "false"}
	}
	return nil
}

type spotMode int

const (
	spotUnset spotMode = iota
	spotOn
	spotOff
)

// Spot is a --spot setting for the executors.
type Spot struct {
	mode       spotMode
	priceLimit string
}

// ParseSpot reads --spot ("executors", "off", or "" for unset) and
// --spot-price-limit (an hourly price; implies --spot). The driver is refused:
// if a spot instance under it is reclaimed, the whole job fails.
func ParseSpot(roles, priceLimit string) (Spot, error) {
	var s Spot
	switch strings.ToLower(roles) {
	case "":
		if priceLimit != "" {
			s.mode = spotOn
		}
	case "executors", "executor":
		s.mode = spotOn
	case "off", "none":
		if priceLimit != "" {
			return s, fmt.Errorf("--spot-price-limit cannot be combined with --spot=off")
		}
		s.mode = spotOff
	case "driver", "all", "both":
		return s, fmt.Errorf("--spot=%s: refused for the driver: if its spot instance is reclaimed the whole job fails; spot applies to executors only (--spot)", roles)
	default:
		return s, fmt.Errorf("invalid --spot %q: want executors or off", roles)
	}
	if priceLimit != "" {
		price, err := strconv.ParseFloat(priceLimit, 64)
		if err != nil || price <= 0 {
			return s, fmt.Errorf("invalid --spot-price-limit %q: want a positive hourly price such as 0.5", priceLimit)
		}
		s.priceLimit = priceLimit
	}
	return s, nil
}

// IsSet tells whether the setting changes anything.
func (s Spot) IsSet() bool { return s.mode != spotUnset }
