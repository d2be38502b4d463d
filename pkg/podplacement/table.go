package podplacement

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
	"github.com/spark-eci/kubectl-spark-eci/pkg/table"
	"github.com/spark-eci/kubectl-spark-eci/pkg/why"
)

// TableOptions say how the table is written.
type TableOptions struct {
	// Wide adds the pods' readiness, restarts, IP and nominated node, and the
	// roles block for every application.
	Wide bool
	// Now is the time ages are counted to.
	Now time.Time
}

// WriteTable writes, for each application, a header line (namespace, state,
// placement), a row per pod, and, when a role has no pods yet (or Wide), a
// block with the nodes each role's pods could be placed on. Applications are
// separated by an empty line.
func WriteTable(w io.Writer, s Status, opts TableOptions) error {
	bw := bufio.NewWriter(w)
	for i, a := range s.Applications {
		if i > 0 {
			bw.WriteByte('\n')
		}
		fmt.Fprintln(bw, HeaderLine(a))
		bw.WriteByte('\n')
		if len(a.Pods) == 0 {
			fmt.Fprintln(bw, "No pods.")
		} else if err := writePods(bw, a.Pods, opts, true); err != nil {
			return err
		}
		if opts.Wide || missingRole(a) {
			bw.WriteByte('\n')
			if err := writeRoles(bw, a.Kind, a.Roles); err != nil {
				return err
			}
		}
	}
	if len(s.Applications) > 1 && len(s.Problems) > 0 {
		fmt.Fprintf(bw, "\nPROBLEMS %s\n", ProblemsLine(s.Problems))
	}
	return bw.Flush()
}

// ProblemsLine counts the pods of each reason: "3 NoStock, 1 OOMKilled".
func ProblemsLine(counts []why.Count) string {
	parts := make([]string, len(counts))
	for i, c := range counts {
		parts[i] = fmt.Sprintf("%d %s", c.Pods, c.Reason)
	}
	return strings.Join(parts, ", ")
}

// WriteRows writes the rows of pods alone, for --watch to print a pod again
// as it changes.
func WriteRows(w io.Writer, pods []Pod, opts TableOptions) error {
	return writePods(w, pods, opts, false)
}

// HeaderLine names an application (or SparkConnect), its state and the
// placement of its roles, and, on a line of its own, its verdict when it
// has one.
func HeaderLine(a Application) string {
	if a.Verdict != "" {
		return headerLine(a) + "\nWHY " + a.Verdict
	}
	return headerLine(a)
}

func headerLine(a Application) string {
	state := a.State
	if state == "" {
		state = "NEW"
	}
	object := "APPLICATION"
	if a.Kind == sparkapp.KindSparkConnect {
		object = "SPARKCONNECT"
	}
	return fmt.Sprintf("%s %s   NAMESPACE %s   STATE %s   %s %s   EXECUTORS %s",
		object, a.Name, a.Namespace, state, strings.ToUpper(sparkapp.RoleField(a.Kind, sparkapp.Driver)), a.Placement.Driver, a.Placement.Executor)
}

func missingRole(a Application) bool {
	for _, r := range a.Roles {
		if r.Pods == 0 {
			return true
		}
	}
	return false
}

func writePods(w io.Writer, pods []Pod, opts TableOptions, header bool) error {
	headers := []string{"POD", "ROLE", "PHASE", "NODE", "KIND", "AGE"}
	if opts.Wide {
		headers = append(headers, "READY", "RESTARTS", "IP", "NOMINATED NODE", "ECI SPEC", "SPOT")
	}
	headers = append(headers, "REASON", "MESSAGE")
	if opts.Wide {
		headers = append(headers, "FIX")
	}
	rows := make([][]string, len(pods))
	for i, p := range pods {
		rows[i] = podRow(p, opts)
	}
	return render(w, headers, rows, header)
}

func podRow(p Pod, opts TableOptions) []string {
	phase := string(p.Phase)
	if p.Terminating {
		phase = "Terminating" // as kubectl get pods says
	}
	r := []string{p.Name, dash(p.Role), phase, dash(p.Node), dash(string(p.NodeKind)), age(p.CreatedAt, opts.Now)}
	if opts.Wide {
		r = append(r, p.Ready, strconv.Itoa(int(p.Restarts)), dash(p.IP), dash(p.NominatedNode))
		r = append(r, eciColumns(p)...)
	}
	reason, message, fix := "-", "-", "-"
	switch {
	case p.Problem != nil:
		reason, message, fix = p.Problem.Reason, p.Problem.Message, dash(p.Problem.Fix)
	case p.Scheduler != nil && p.Scheduler.Message != "":
		// A pod of a completed application: nothing is asked of it.
		message = p.Scheduler.Message
	}
	r = append(r, reason, message)
	if opts.Wide {
		r = append(r, fix)
	}
	return r
}

// eciColumns are the instance ECI made for a pod on ECI ("?" until ECI says)
// and whether it asked for spot; "-" off ECI.
func eciColumns(p Pod) []string {
	if p.NodeKind != placement.NodeECI {
		return []string{"-", "-"}
	}
	return []string{cmp.Or(p.InstanceSpec, "?"), cmp.Or(p.Spot, "no")}
}

func writeRoles(w io.Writer, kind string, roles []Role) error {
	headers := []string{"ROLE", "PODS", "SCHEDULED", "ON ECI", "ELIGIBLE ECS NODES", "ELIGIBLE ECI NODES"}
	rows := make([][]string, len(roles))
	for i, r := range roles {
		ecs, eci := "?", "?"
		if r.EligibleNodes != nil {
			ecs, eci = strconv.Itoa(r.EligibleNodes.ECS), strconv.Itoa(r.EligibleNodes.ECI)
		}
		rows[i] = []string{sparkapp.RoleField(kind, r.Role), fmt.Sprintf("%d/%d", r.Pods, r.ExpectedPods),
			strconv.Itoa(r.Scheduled), strconv.Itoa(r.ECIPods), ecs, eci}
	}
	return render(w, headers, rows, true)
}

// render writes a table as kubectl get does (package table), its header row
// only when header.
func render(w io.Writer, headers []string, rows [][]string, header bool) error {
	t := table.New()
	if header {
		t.Headers = headers
	}
	t.Rows = rows
	return t.Write(w)
}

// age is written as kubectl writes it: 34s, 5m2s, 3h, 2d.
func age(created, now time.Time) string {
	if created.IsZero() || now.IsZero() {
		return "-"
	}
	return duration.HumanDuration(now.Sub(created))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
