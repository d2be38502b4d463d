package imagecache

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// ExpiryWarning is how long before a pinned cache expires that its
// application is warned: time to make another and pin it before the pods
// miss. ExpiryWarningDays is the same in days, as messages say it.
const (
	ExpiryWarningDays = 7
	ExpiryWarning     = ExpiryWarningDays * 24 * time.Hour
)

// Pin is the image cache one role of an application pins, and where.
type Pin struct {
	Role sparkapp.Role
	// ID is the cache's id (imc-...).
	ID string
	// Annotation is the annotation that pins it, by today's name
	// (eci.AnnotationImageCacheID) or the older one
	// (eci.AnnotationImageSnapshotID); Path is the map that holds it
	// (spec.executor.annotations, spec.executor.template.metadata.annotations, ...).
	Annotation string
	Path       []string
	// Unwritten lists the annotations that pin a cache where place does not
	// write (a SparkApplication's pod template), each as
	// path[annotation]: place's --image-cache leaves them, and they may win
	// over what it writes (today's name over the older one; any pin over
	// auto), so a fix removes them first.
	Unwritten []string
}

// Pinning is an application and the caches its roles pin.
type Pinning struct {
	Kind, Namespace, Name string
	// Pins holds one pin per role that pins a cache, in sparkapp.Roles order;
	// none when the application pins no cache.
	Pins []Pin
}

// PinningOf reads which image cache each role of an application pins: a
// SparkApplication, a ScheduledSparkApplication (its template: the runs to
// come) or a SparkConnect, as unstructured content. A role's pods get the
// annotations of its pod template, overlaid (but a SparkConnect's, which
// has its template only) by the role's own, as spark-submit does; of those,
// eci.RequestedImageCache tells the cache pinned.
func PinningOf(obj map[string]interface{}) Pinning {
	kind, _ := obj["kind"].(string)
	meta, _ := obj["metadata"].(map[string]interface{})
	p := Pinning{Kind: kind}
	p.Namespace, _ = meta["namespace"].(string)
	p.Name, _ = meta["name"].(string)
	for _, role := range sparkapp.Roles {
		merged := map[string]string{}
		from := map[string][]string{}
		var unwritten []string
		written := sparkapp.PodAnnotationsPath(kind, role)
		for _, path := range sparkapp.PodAnnotationsPaths(kind, role) {
			for key, value := range stringsAt(obj, path) {
				merged[key], from[key] = value, path
				if (key == eci.AnnotationImageCacheID || key == eci.AnnotationImageSnapshotID) && value != "" && !slices.Equal(path, written) {
					unwritten = append(unwritten, strings.Join(path, ".")+"["+key+"]")
				}
			}
		}
		id, _ := eci.RequestedImageCache(merged)
		if id == "" {
			continue
		}
		annotation := eci.AnnotationImageCacheID
		if merged[annotation] != id {
			annotation = eci.AnnotationImageSnapshotID
		}
		slices.Sort(unwritten)
		p.Pins = append(p.Pins, Pin{Role: role, ID: id, Annotation: annotation, Path: from[annotation], Unwritten: unwritten})
	}
	return p
}

// stringsAt reads the map of strings at path; values of other types are
// left out.
func stringsAt(obj map[string]interface{}, path []string) map[string]string {
	m := obj
	for _, key := range path {
		m, _ = m[key].(map[string]interface{})
	}
	out := map[string]string{}
	for key, value := range m {
		if s, ok := value.(string); ok {
			out[key] = s
		}
	}
	return out
}

// Key names the application as sparkapp.Key does: namespace/name,
// namespace/sparkconnect/name, namespace/scheduledsparkapplication/name.
func (p Pinning) Key() string { return sparkapp.Key(p.Kind, p.Namespace, p.Name) }

// IDs lists the caches the application pins, sorted, each once.
func (p Pinning) IDs() []string {
	var ids []string
	for _, pin := range p.Pins {
		ids = append(ids, pin.ID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// PinnedBy maps the id of each cache some of apps pin to the applications
// that pin it (their Key), sorted.
func PinnedBy(apps []Pinning) map[string][]string {
	out := map[string][]string{}
	for _, app := range apps {
		for _, id := range app.IDs() {
			out[id] = append(out[id], app.Key())
		}
	}
	for id := range out {
		slices.Sort(out[id])
		out[id] = slices.Compact(out[id])
	}
	return out
}

// Reason is what is wrong with a cache an application pins.
type Reason string

// The reasons a pinned cache makes pods miss.
const (
	// ReasonGone: no ImageCache has the id.
	ReasonGone Reason = "gone"
	// ReasonFailed: the cache's phase is a failure (State is StateFailed).
	ReasonFailed Reason = "failed"
	// ReasonExpired: its status.expireDateTime is past.
	ReasonExpired Reason = "expired"
	// ReasonExpiring: it expires within ExpiryWarning.
	ReasonExpiring Reason = "expiring"
)

// Finding is a cache an application pins whose pods miss it, with
// ImageCacheNotFound, now or once it expires.
type Finding struct {
	// ID is the cache pinned; Roles the roles that pin it, as the
	// application's kind names them (driver, executor; a SparkConnect's
	// server).
	ID    string
	Roles []string
	// Cache is the ImageCache's name; "" when it is gone.
	Cache  string
	Reason Reason
	// Expires is when the cache expires (expired, expiring).
	Expires time.Time
	// Message says what is wrong in one line, without the application's
	// name: "executor pins image cache imc-..., which no ImageCache has: ...".
	Message string
	// Fix says what to do, in the plugin's commands, in one line.
	Fix string
}

// PinFindings judges the caches an application pins against the caches
// there are, at now: a finding for each id that no cache has, whose cache
// failed, expired, or expires within ExpiryWarning; none when every cache it
// pins is fine (or it pins none). A cache still being made is no finding:
// pods miss it only until it is ready (ImageCacheNotComplete). Findings come
// in the order of the roles that pin them.
func PinFindings(app Pinning, caches []Cache, now time.Time) []Finding {
	var findings []Finding
	for _, id := range pinOrder(app) {
		f := Finding{ID: id}
		var pins []Pin
		for _, pin := range app.Pins {
			if pin.ID == id {
				pins = append(pins, pin)
				f.Roles = append(f.Roles, sparkapp.RoleField(app.Kind, pin.Role))
			}
		}
		i := slices.IndexFunc(caches, func(c Cache) bool { return c.ID == id })
		var c Cache
		if i >= 0 {
			c = caches[i]
			f.Cache = c.Name
		}
		switch {
		case i < 0:
			f.Reason = ReasonGone
		case c.State() == StateFailed:
			f.Reason = ReasonFailed
		case c.ExpiresWithin(0, now):
			f.Reason, f.Expires = ReasonExpired, c.Expires
		case c.ExpiresWithin(ExpiryWarning, now):
			f.Reason, f.Expires = ReasonExpiring, c.Expires
		default:
			continue
		}
		f.Message = pinMessage(f, c, now)
		f.Fix = pinFix(app, f, pins)
		findings = append(findings, f)
	}
	return findings
}

// pinOrder lists the ids an application pins, each once, in the order of
// the roles that pin them.
func pinOrder(app Pinning) []string {
	var ids []string
	for _, pin := range app.Pins {
		if !slices.Contains(ids, pin.ID) {
			ids = append(ids, pin.ID)
		}
	}
	return ids
}

func pinMessage(f Finding, c Cache, now time.Time) string {
	pin := strings.Join(f.Roles, " and ") + " pin"
	if len(f.Roles) == 1 {
		pin += "s"
	}
	pin += " image cache " + f.ID
	if f.Cache != "" {
		pin += " (" + f.Cache + ")"
	}
	const miss = "pods miss it (" + eci.ReasonImageCacheNotFound + ") and pull their images"
	switch f.Reason {
	case ReasonGone:
		return fmt.Sprintf("%s, which no ImageCache has: its %s", pin, miss)
	case ReasonFailed:
		why := c.Phase
		if c.Message != "" {
			why += ": " + c.Message
		}
		return fmt.Sprintf("%s, which failed (%s): its %s", pin, why, miss)
	case ReasonExpired:
		return fmt.Sprintf("%s, which expired at %s: its %s", pin, stamp(f.Expires), miss)
	}
	return fmt.Sprintf("%s, which expires at %s, in %s: from then on its %s", pin, stamp(f.Expires), roughly(f.Expires.Sub(now)), miss)
}

// pinFix says how to pin the application to a cache that works: make one
// (or reuse one that holds its images) and pin it, or let ECI match one.
func pinFix(app Pinning, f Finding, pins []Pin) string {
	ref := sparkapp.TypeName(app.Kind, app.Name)
	create := fmt.Sprintf("kubectl spark-eci image-cache create -n %s %s --place", app.Namespace, ref)
	var fix string
	switch f.Reason {
	case ReasonFailed:
		// create takes the name of the failed cache again when it is its
		// default: out of the way first.
		fix = fmt.Sprintf("delete it and make another: kubectl spark-eci image-cache delete %s, then %s", f.Cache, create)
	case ReasonExpiring:
		// create reuses a cache that holds the images, this one too, but for
		// the one --name names.
		fix = "make another before then: " + strings.Replace(create, " --place", " --name=NEW-NAME --place", 1)
	default:
		fix = "make a cache and pin it: " + create
	}
	fix += fmt.Sprintf(" (or let ECI match one: kubectl spark-eci place -n %s %s --image-cache=auto)", app.Namespace, ref)
	var unwritten []string
	for _, pin := range pins {
		unwritten = append(unwritten, pin.Unwritten...)
	}
	if len(unwritten) > 0 {
		fix += "; first remove " + strings.Join(unwritten, ", ") + ", which place does not write"
	}
	return fix
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// roughly is a duration to the nearest day, or under two days to the hour,
// or under an hour to the minute: 6 days, 30h, 45m.
func roughly(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int((d+12*time.Hour)/(24*time.Hour)))
	case d >= time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dm", max(1, int(d/time.Minute)))
}
