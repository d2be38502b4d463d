package imagecache

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// State is where an image cache stands.
type State string

// States of an image cache.
const (
	StateReady      State = "ready"
	StateFailed     State = "failed"
	StateInProgress State = "in-progress"
)

// PhaseReady is the phase ECI gives a cache that pods can use.
const PhaseReady = "Ready"

// Cache is what the image-cache command shows of an ImageCache.
type Cache struct {
	Name string
	// ID is status.imageCacheId: what pods pin (imc-...); "" until ECI
	// has one.
	ID    string
	Phase string
	// Progress is status.progress as ECI writes it ("42%"); Percent is its
	// number, -1 when there is none.
	Progress string
	Percent  int
	Images   []string
	// SizeGiB is spec.imageCacheSize; 0 when ECI's default applies.
	SizeGiB int64
	// RetentionDays is spec.retentionDays; 0: the cache never expires.
	RetentionDays int64
	// Expires is status.expireDateTime, when given.
	Expires time.Time
	// Message is the last thing ECI said about it: the message of its
	// last Warning event, else of its last event.
	Message string
	Created time.Time
}

// CacheOf reads an ImageCache.
func CacheOf(obj *unstructured.Unstructured) Cache {
	c := Cache{Name: obj.GetName(), Created: obj.GetCreationTimestamp().UTC(), Percent: -1}
	c.ID, _, _ = unstructured.NestedString(obj.Object, "status", "imageCacheId")
	c.Phase, _, _ = unstructured.NestedString(obj.Object, "status", "phase")
	c.Progress = stringField(obj.Object, "status", "progress")
	if n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(c.Progress), "%"))); err == nil && n >= 0 && n <= 100 {
		c.Percent = n
	}
	c.Images, _, _ = unstructured.NestedStringSlice(obj.Object, "spec", "images")
	c.SizeGiB = intField(obj.Object, "spec", "imageCacheSize")
	c.RetentionDays = intField(obj.Object, "spec", "retentionDays")
	if s, _, _ := unstructured.NestedString(obj.Object, "status", "expireDateTime"); s != "" {
		c.Expires, _ = time.Parse(time.RFC3339, s)
	}
	c.Message = lastMessage(obj.Object)
	return c
}

// lastMessage is the message of the cache's last Warning event, else of its
// last event.
func lastMessage(obj map[string]interface{}) string {
	events, _, _ := unstructured.NestedSlice(obj, "status", "events")
	var last, lastWarning string
	for _, e := range events {
		fields, _ := e.(map[string]interface{})
		if msg, _ := fields["message"].(string); msg != "" {
			last = msg
			if fields["type"] == "Warning" {
				lastWarning = msg
			}
		}
	}
	return cmp.Or(lastWarning, last)
}

// stringField reads a field that may be written as a string or a number.
func stringField(obj map[string]interface{}, path ...string) string {
	v, _, _ := unstructured.NestedFieldNoCopy(obj, path...)
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10) + "%"
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64) + "%"
	}
	return ""
}

// intField reads an integer field, decoded as an integer (from the API) or
// a float (from YAML or JSON read into plain maps).
func intField(obj map[string]interface{}, path ...string) int64 {
	v, _, _ := unstructured.NestedFieldNoCopy(obj, path...)
	switch v := v.(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

// Pinnable tells whether pods can be pinned to the cache now: it is ready
// and ECI has given it an id.
func (c Cache) Pinnable() bool { return c.State() == StateReady && c.ID != "" }

// Describe says where a cache stands, for messages: its phase and progress,
// or that ECI has not given a ready cache its id yet.
func (c Cache) Describe() string {
	if c.State() == StateReady && c.ID == "" {
		return "ready, but ECI has not given it an id yet"
	}
	if c.Progress == "" {
		return cmp.Or(c.Phase, "no phase yet")
	}
	return cmp.Or(c.Phase, "-") + " " + c.Progress
}

// State tells whether the cache is ready, failed or still being made. ECI
// documents Ready; its API also names Failed and UpdateFailed: any phase
// ending in Failed is a failure, any other is still in progress.
func (c Cache) State() State {
	switch {
	case c.Phase == PhaseReady:
		return StateReady
	case strings.HasSuffix(strings.ToLower(c.Phase), "failed"):
		return StateFailed
	}
	return StateInProgress
}

// Missing lists the images that the cache does not hold, comparing image
// references as the registry does (busybox is docker.io/library/busybox:latest).
func (c Cache) Missing(images []string) []string {
	held := map[string]bool{}
	for _, image := range c.Images {
		held[normalize(image)] = true
	}
	var missing []string
	for _, image := range images {
		if !held[normalize(image)] {
			missing = append(missing, image)
		}
	}
	return missing
}

// Holds tells whether the cache holds every one of images.
func (c Cache) Holds(images []string) bool { return len(c.Missing(images)) == 0 }

// normalize writes an image reference in full, as a registry reads it
// (busybox is index.docker.io/library/busybox:latest), so that two ways of
// writing one image compare equal.
func normalize(image string) string {
	ref, err := name.ParseReference(image)
	if err != nil {
		return image
	}
	return ref.Name()
}

// Reusable picks, among caches, the one an application with images should
// use instead of making another: one that holds them all, has not failed and
// has not expired by now; one that does not expire within ExpiryWarning
// first (PinFindings warns of the others), then a ready one, then the
// newest.
func Reusable(caches []Cache, images []string, now time.Time) (Cache, bool) {
	var candidates []Cache
	for _, c := range caches {
		if c.State() != StateFailed && !c.ExpiresWithin(0, now) && c.Holds(images) {
			candidates = append(candidates, c)
		}
	}
	if len(candidates) == 0 {
		return Cache{}, false
	}
	soon := func(c Cache) int {
		if c.ExpiresWithin(ExpiryWarning, now) {
			return 1
		}
		return 0
	}
	return slices.MinFunc(candidates, func(a, b Cache) int {
		return cmp.Or(
			cmp.Compare(soon(a), soon(b)),
			cmp.Compare(rank(a.State()), rank(b.State())),
			b.Created.Compare(a.Created),
			cmp.Compare(a.Name, b.Name),
		)
	}), true
}

// ExpiresWithin tells whether the cache has expired by now, or will
// within d.
func (c Cache) ExpiresWithin(d time.Duration, now time.Time) bool {
	return !c.Expires.IsZero() && c.Expires.Sub(now) <= d
}

func rank(s State) int {
	if s == StateReady {
		return 0
	}
	return 1
}
