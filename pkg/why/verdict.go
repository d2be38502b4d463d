package why

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// Application is what the verdict on an application reads: its state, the
// operator's error, and the problems of the pods of each role.
type Application struct {
	// State is the operator's state of it; ErrorMessage its
	// status.applicationState.errorMessage.
	State, ErrorMessage string
	// Driver names the driver's pod, for the fix of a failed application.
	Driver string
	// App and Namespace name it for the fixes.
	App, Namespace string
	Roles          []Role
	// GoneFailedExecutors are the executors the operator marks FAILED
	// (status.executorState) whose pods are gone.
	GoneFailedExecutors []string
	// PinnedCaches say, each in one line with its fix, what is wrong with
	// an image cache the application pins (gone, failed, expiring): its
	// pods miss it from then on.
	PinnedCaches []string
}

// driverNotFound is the operator's errorMessage when the driver pod of an
// application it submitted is gone (v2.4 and later).
const driverNotFound = "driver pod not found"

// Role is one role of an application: the word its users read (driver,
// server, executor), how many pods it asks for and has, and the problems of
// those of its pods that have one.
type Role struct {
	Name string
	// Driver: the role of the driver (a SparkConnect's server).
	Driver         bool
	Expected, Pods int
	Problems       []*Problem
}

// Verdict sums up in one line why an application does not run as it asks,
// "" when nothing says so: the operator's error when it FAILED, else the
// most common problem of the first role that has one (the driver's first:
// without it nothing else starts), with its fix.
func Verdict(a Application) string {
	var parts []string
	failed := a.State == sparkapp.StateFailed || a.State == sparkapp.StateFailing || a.State == sparkapp.StateSubmissionFailed
	s := Subject{App: a.App, Namespace: a.Namespace, Pod: a.Driver}
	switch {
	case failed && strings.TrimSpace(a.ErrorMessage) == driverNotFound:
		r := mustLookup(ReasonSparkDriverNotFound, SourceOperator)
		parts = append(parts, fmt.Sprintf("%s: %s: %s; %s", a.State, r.Name, r.Means, s.fix(r.Fix)))
	case failed && a.ErrorMessage != "":
		parts = append(parts, fmt.Sprintf("%s: %s; %s", a.State, firstLine(a.ErrorMessage), s.fix(mustLookup(ReasonApplicationFailed, SourceOperator).Fix)))
	}
	others := 0
	for _, r := range a.Roles {
		if len(r.Problems) == 0 {
			continue
		}
		if len(parts) > 0 {
			others += len(r.Problems)
			continue
		}
		top, n := mostCommon(r.Problems)
		reason, _ := Lookup(top.Reason, top.Source)
		who := fmt.Sprintf("the %s %s", r.Name, reason.Pod)
		if r.Pods > 1 || r.Expected > 1 {
			who = fmt.Sprintf("%d of %d %ss %s", n, max(r.Pods, r.Expected), r.Name, reason.Pods)
		}
		if a.State == sparkapp.StateSubmitted && r.Driver {
			who = "SUBMITTED, but " + who
		}
		parts = append(parts, fmt.Sprintf("%s: %s: %s; %s", who, top.Reason, top.Message, top.Fix))
		others += len(r.Problems) - n
	}
	if n := len(a.GoneFailedExecutors); n > 0 {
		names := strings.Join(a.GoneFailedExecutors[:min(n, 3)], ", ")
		if n > 3 {
			names += fmt.Sprintf(" and %d more", n-3)
		}
		parts = append(parts, fmt.Sprintf("the operator marks %d executor%s FAILED whose pod%s gone: %s",
			n, plural(n, "", "s"), plural(n, " is", "s are"), names))
	}
	parts = append(parts, a.PinnedCaches...)
	switch {
	case len(parts) == 0:
		return ""
	case others == 1:
		parts = append(parts, "1 more pod has another problem")
	case others > 1:
		parts = append(parts, fmt.Sprintf("%d more pods have other problems", others))
	}
	return strings.Join(parts, "; ")
}

// mostCommon is the problem whose reason most of problems have (the first
// of the table's order on a tie), and how many have it.
func mostCommon(problems []*Problem) (*Problem, int) {
	counts := map[string]int{}
	first := map[string]*Problem{}
	for _, p := range problems {
		counts[p.Reason]++
		if first[p.Reason] == nil {
			first[p.Reason] = p
		}
	}
	names := slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(tableOrder(a), tableOrder(b)))
	})
	return first[names[0]], counts[names[0]]
}

func tableOrder(name string) int {
	return slices.IndexFunc(reasons, func(r Reason) bool { return r.Name == name })
}

func mustLookup(name string, source Source) Reason {
	r, ok := Lookup(name, source)
	if !ok {
		panic("why: no reason " + name + " of " + string(source))
	}
	return r
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// Count is how many pods have one reason.
type Count struct {
	Reason string `json:"reason"`
	Pods   int    `json:"pods"`
}

// Tally counts problems by reason, most first (by name on a tie).
func Tally(problems []*Problem) []Count {
	counts := map[string]int{}
	for _, p := range problems {
		counts[p.Reason]++
	}
	out := make([]Count, 0, len(counts))
	for r, n := range counts {
		out = append(out, Count{Reason: r, Pods: n})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(b.Pods, a.Pods), cmp.Compare(a.Reason, b.Reason)) })
	return out
}
