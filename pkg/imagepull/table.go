package imagepull

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/table"
)

var tableHeaders = []string{"POD", "ROLE", "NODE", "KIND", "CACHE", "IMAGE PULL", "WITH WAITING", "SIZE"}

// WriteTable writes the human table: one row per pod, plus, when there is
// more than one pod, a summary block. noHeaders drops the header row, and the
// summary with it so that every line left is a pod.
func WriteTable(w io.Writer, r Report, noHeaders bool) error {
	bw := bufio.NewWriter(w)
	t := table.New()
	if !noHeaders {
		t.Headers = tableHeaders
	}
	for _, p := range r.Pods {
		t.Append(row(p)...)
	}
	if err := t.Write(bw); err != nil {
		return err
	}
	if len(r.Pods) > 1 && !noHeaders {
		WriteSummary(bw, r.Summary)
	}
	return bw.Flush()
}

func row(p PodReport) []string {
	r := []string{p.Name, dash(p.Role), dash(p.Node), dash(string(p.NodeKind)), cacheCell(p), "-", "-", "-"}
	if len(p.Images) == 0 {
		return r
	}
	img := p.Images[mainImage(p.Images)]
	r[5] = pullCell(img)
	if n := len(p.Images) - 1; n > 0 {
		r[5] += fmt.Sprintf(" +%d", n)
	}
	if img.State == StatePulled && img.WithWaiting > 0 {
		r[6] = formatDuration(img.WithWaiting)
	}
	if img.SizeBytes > 0 {
		r[7] = formatSize(img.SizeBytes)
	}
	return r
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// cacheCell is the outcome with the cache it names; "-" on ECS, where there
// is no image cache, and "?" when nothing is known yet. A miss always reads
// as one, followed by why (a pinned cache not there or not ready) and what
// ECI did about it.
func cacheCell(p PodReport) string {
	c := p.Cache
	switch {
	case c.Outcome == OutcomeHit:
		return strings.TrimSpace("hit " + c.ID)
	case c.Missed():
		return missCell(c)
	case p.NodeKind == placement.NodeECS:
		return "-"
	case c.Off:
		return "off"
	case c.ID != "":
		return "? " + c.ID // matched by annotation; the events are gone
	}
	return "?"
}

func missCell(c CacheResult) string {
	cell := "missed"
	pinned := cmp.Or(c.ID, c.PinnedID, "pinned cache")
	switch c.Outcome {
	case OutcomeNotFound:
		cell += ", " + pinned + " not found"
	case OutcomeNotComplete:
		cell += ", " + pinned + " not ready"
	case OutcomeAutoCreateFailed:
		cell += ", auto-create failed"
	}
	if c.AutoCreatedID != "" || c.Outcome == OutcomeAutoCreated {
		cell = strings.TrimSpace(cell + ", auto-created " + c.AutoCreatedID)
	}
	return cell
}

// Spark's names for the container that runs the driver or an executor.
var sparkContainers = []string{"spark-kubernetes-driver", "spark-kubernetes-executor"}

// mainImage is the image the table shows: Spark's container, else the first
// that is not an init container.
func mainImage(imgs []ImagePull) int {
	for i, img := range imgs {
		for _, name := range sparkContainers {
			if img.Container == name {
				return i
			}
		}
	}
	for i, img := range imgs {
		if !img.Init {
			return i
		}
	}
	return 0
}

func pullCell(img ImagePull) string {
	switch {
	case img.State != StatePulled:
		if img.State == StateUnknown {
			return "?"
		}
		return string(img.State)
	case img.PullTimeFrom == PullTimeFromMessage:
		return formatDuration(img.PullTime)
	case img.PullTimeFrom == PullTimeFromTimestamps:
		return "~" + formatDuration(img.PullTime) // one-second timestamps
	}
	return string(StatePulled)
}

// formatDuration writes a duration to the millisecond, as kubelets 1.28 and
// later do.
func formatDuration(d time.Duration) string {
	return d.Round(time.Millisecond).String()
}

// formatSize writes bytes in binary units with one decimal: 320.5MiB.
func formatSize(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%dB", n)
	}
	v := float64(n)
	unit := -1
	// 1023.96KiB would print as 1024.0KiB: go on to the next unit then.
	for v >= 1023.95 && unit < 4 {
		v /= 1024
		unit++
	}
	return fmt.Sprintf("%.1f%ciB", v, "KMGTP"[unit])
}

// WriteSummary writes the summary block of the table, after an empty line.
func WriteSummary(w io.Writer, s Summary) {
	fmt.Fprintf(w, "\nPods:          %d, %d on ECI\n", s.Pods, s.ECIPods)
	cache := fmt.Sprintf("%d hit, %d missed", s.Hits, s.Misses)
	if s.AutoCreated > 0 {
		cache += fmt.Sprintf(" (%d auto-created)", s.AutoCreated)
	}
	if s.Undecided > 0 {
		cache += fmt.Sprintf(", %d undecided", s.Undecided)
	}
	fmt.Fprintf(w, "Image cache:   %s\n", cache)
	if ids := s.AutoCreatedIDs; len(ids) > 0 {
		fmt.Fprintf(w, "Auto-created:  %s, for the pods that come next\n", listSome(ids, 3))
	}
	if s.Pulls == 0 {
		fmt.Fprintf(w, "Image pulls:   none\n")
	} else {
		fmt.Fprintf(w, "Image pulls:   %d, p50 %s, p95 %s, max %s\n", s.Pulls,
			formatDuration(s.PullP50), formatDuration(s.PullP95), formatDuration(s.PullMax))
	}
	if s.Failed > 0 {
		fmt.Fprintf(w, "Failed:        %d %s\n", s.Failed, plural(s.Failed, "pod", "pods"))
	}
	if s.WarmCacheSavings > 0 {
		fmt.Fprintf(w, "Warm cache:    would have saved %s of image pulls on ECI\n", formatDuration(s.WarmCacheSavings))
	}
}

// listSome lists the first n items and counts the rest.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
