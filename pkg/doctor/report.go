// Package doctor judges whether a cluster is ready for kubectl spark-eci: each
// check turns what was read from the cluster into OK, WARN or FAIL with the fix
// in one line. It reads nothing itself: the command fetches, this package
// decides and prints.
package doctor

import (
	"fmt"
	"io"
	"strings"

	"github.com/spark-eci/kubectl-spark-eci/pkg/table"
)

// Status is the outcome of a check.
type Status string

// The outcomes, from best to worst. Only FAIL makes doctor exit non-zero:
// WARN means something works less well, or could not be checked. INFO is
// not an outcome: a fact measured for the user, which no check judges, and
// which the summary does not count.
const (
	OK   Status = "OK"
	Warn Status = "WARN"
	Fail Status = "FAIL"
	Info Status = "INFO"
)

// Check is one line of the report.
type Check struct {
	// Name identifies the check for scripts; it does not change.
	Name string `json:"name"`
	// Title is what the table shows.
	Title   string `json:"title"`
	Status  Status `json:"status"`
	Message string `json:"message"`
	// Fix says what to do, when Status is not OK.
	//
	// Message and Fix are one line each, but for a check that lists what
	// it found (pinned-caches): a line each, after the message's first.
	Fix string `json:"fix,omitempty"`
}

// Report is what doctor prints, and with -o json its stable schema.
type Report struct {
	APIVersion string  `json:"apiVersion"`
	Kind       string  `json:"kind"`
	Namespace  string  `json:"namespace"`
	Checks     []Check `json:"checks"`
	Summary    Summary `json:"summary"`
}

// Summary counts the checks by status.
type Summary struct {
	OK   int `json:"ok"`
	Warn int `json:"warn"`
	Fail int `json:"fail"`
}

// NewReport gathers checks, in the order they were made.
func NewReport(namespace string, checks []Check) Report {
	r := Report{APIVersion: "spark-eci.io/v1alpha1", Kind: "DoctorReport", Namespace: namespace, Checks: checks}
	for _, c := range checks {
		switch c.Status {
		case OK:
			r.Summary.OK++
		case Warn:
			r.Summary.Warn++
		case Fail:
			r.Summary.Fail++
		}
	}
	if r.Checks == nil {
		r.Checks = []Check{}
	}
	return r
}

// Failed tells whether any check failed.
func (r Report) Failed() bool { return r.Summary.Fail > 0 }

// WriteTable prints one row per check, its fix on the line below, and a
// summary line. A message or fix of several lines takes a row per line.
func (r Report) WriteTable(w io.Writer) error {
	t := table.New("STATUS", "CHECK", "RESULT")
	t.Gap = 2
	for _, c := range r.Checks {
		for i, line := range strings.Split(c.Message, "\n") {
			if i == 0 {
				t.Append(string(c.Status), c.Title, oneLine(line))
			} else {
				t.Append("", "", oneLine(line))
			}
		}
		if c.Fix != "" && c.Status != OK && c.Status != Info {
			for _, line := range strings.Split(c.Fix, "\n") {
				t.Append("", "", "fix: "+oneLine(line))
			}
		}
	}
	if err := t.Write(w); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s, %s, %s\n", plural(r.Summary.OK, "check", "checks")+" OK",
		plural(r.Summary.Warn, "warning", "warnings"), plural(r.Summary.Fail, "failure", "failures"))
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
