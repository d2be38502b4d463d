package imagecache

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spark-eci/kubectl-spark-eci/pkg/table"
)

// Coverage says how far a cache covers an application's images; nil when no
// application was asked about.
type Coverage struct {
	// App is the application's name, in Namespace; Ref names it as place
	// takes it (sparkapplication/NAME).
	App, Namespace, Ref string
	Images              []string
}

// Pinners is what the PINNED BY column of image-cache list shows: the
// applications that pin each cache, by its id (PinnedBy), or that they could
// not be read.
type Pinners struct {
	ByID map[string][]string
	// Unknown: the applications could not be read; every cell is "?".
	Unknown bool
}

// Cells of the PINNED BY column but the applications' names.
const (
	// PinnedByNone is the cell of a cache no application pins.
	PinnedByNone = "none"
	// PinnedByUnknown is the cell of every cache when the applications
	// could not be read.
	PinnedByUnknown = "?"
	// maxPinners is how many applications a cell names before it counts
	// the others (+N).
	maxPinners = 3
)

// WriteTable writes the caches as image-cache list shows them, with a
// PINNED BY column naming the applications that pin each cache. With an
// application, a COVERS column says how many of its images each cache holds,
// and a last line which ready cache, if any, holds them all.
func WriteTable(w io.Writer, caches []Cache, pinners Pinners, coverage *Coverage, noHeaders bool, now time.Time) error {
	t := table.New()
	if !noHeaders {
		t.Headers = []string{"NAME", "ID", "PHASE", "PROGRESS", "SIZE", "IMAGES", "EXPIRES", "PINNED BY"}
		if coverage != nil {
			t.Headers = append(t.Headers, "COVERS "+coverage.App)
		}
	}
	for _, c := range caches {
		row := []string{c.Name, dash(c.ID), dash(c.Phase), dash(c.Progress), size(c.SizeGiB), images(c.Images), expires(c, now), pinnedBy(c, pinners)}
		if coverage != nil {
			row = append(row, covers(c, coverage.Images, now))
		}
		t.Append(row...)
	}
	if err := t.Write(w); err != nil {
		return err
	}
	if coverage != nil && !noHeaders {
		_, err := fmt.Fprintln(w, "\n"+Verdict(caches, *coverage, now))
		return err
	}
	return nil
}

// Verdict says whether a ready cache holds every image of the application,
// and what to do next.
func Verdict(caches []Cache, coverage Coverage, now time.Time) string {
	its := "its image"
	if n := len(coverage.Images); n != 1 {
		its = fmt.Sprintf("its %d images", n)
	}
	best, ok := Reusable(caches, coverage.Images, now)
	switch {
	case ok && best.Pinnable() && best.ExpiresWithin(ExpiryWarning, now):
		// The only ones that hold them expire soon: one that lasts needs a
		// name of its own, or create reuses this one.
		return fmt.Sprintf("%s: ready cache %s (%s) holds %s, and expires at %s, within %d days; pin it: kubectl spark-eci place -n %s %s --image-cache=%s, "+
			"or make one that lasts: kubectl spark-eci image-cache create -n %s %s --name=NEW-NAME --place",
			coverage.App, best.Name, best.ID, its, stamp(best.Expires), ExpiryWarningDays, coverage.Namespace, coverage.Ref, best.ID, coverage.Namespace, coverage.Ref)
	case ok && best.Pinnable():
		return fmt.Sprintf("%s: ready cache %s (%s) holds %s; pin it: kubectl spark-eci place -n %s %s --image-cache=%s",
			coverage.App, best.Name, best.ID, its, coverage.Namespace, coverage.Ref, best.ID)
	case ok:
		return fmt.Sprintf("%s: cache %s holds %s, and is not ready to pin (%s)", coverage.App, best.Name, its, best.Describe())
	}
	return fmt.Sprintf("%s: no cache holds %s; make one: kubectl spark-eci image-cache create -n %s %s --place",
		coverage.App, its, coverage.Namespace, coverage.Ref)
}

// pinnedBy names the applications that pin the cache: at most maxPinners,
// then how many more; "-" for a cache with no id yet, which nothing can pin.
func pinnedBy(c Cache, pinners Pinners) string {
	apps := pinners.ByID[c.ID]
	switch {
	case c.ID == "":
		return "-"
	case pinners.Unknown:
		return PinnedByUnknown
	case len(apps) == 0:
		return PinnedByNone
	case len(apps) > maxPinners:
		return fmt.Sprintf("%s +%d", strings.Join(apps[:maxPinners], ","), len(apps)-maxPinners)
	}
	return strings.Join(apps, ",")
}

func covers(c Cache, images []string, now time.Time) string {
	held := len(images) - len(c.Missing(images))
	switch {
	case held == len(images) && c.ExpiresWithin(ExpiryWarning, now) && !c.ExpiresWithin(0, now):
		return "all, expires soon"
	case held == len(images) && c.Pinnable():
		return "all"
	case held == len(images):
		return "all, not ready"
	}
	return fmt.Sprintf("%d of %d", held, len(images))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func size(gib int64) string {
	if gib == 0 {
		return fmt.Sprintf("%dGi", MinSizeGiB) // ECI's default
	}
	return fmt.Sprintf("%dGi", gib)
}

// images shows the first image, and how many more.
func images(list []string) string {
	switch len(list) {
	case 0:
		return "-"
	case 1:
		return list[0]
	}
	return fmt.Sprintf("%s +%d", list[0], len(list)-1)
}

// expires is when the cache expires; ECI sets the date once it knows it.
func expires(c Cache, now time.Time) string {
	switch {
	case c.Expires.IsZero() && c.RetentionDays == 0:
		return "never"
	case c.Expires.IsZero():
		return fmt.Sprintf("%dd after ready", c.RetentionDays)
	case !c.Expires.After(now):
		return "expired"
	}
	return c.Expires.UTC().Format(time.RFC3339)
}

// ProgressBar draws a cache's progress for a terminal: [=====>    ] 42%.
func ProgressBar(c Cache, width int) string {
	if c.Percent < 0 {
		return fmt.Sprintf("%s %s", c.Name, dash(c.Phase))
	}
	filled := c.Percent * width / 100
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	return fmt.Sprintf("%s [%s] %3d%% %s", c.Name, bar, c.Percent, c.Phase)
}
