package timeline

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// ChartOptions say how a chart is drawn.
type ChartOptions struct {
	// Width is the width of the terminal (or of the page) in columns.
	Width int
	// Color draws each phase in a colour of its own, beside its mark.
	Color bool
}

// marks tell the phases apart without colour.
var marks = map[Phase]byte{
	Scheduling: '.', Instance: '~', Pull: '#', Start: '=', Ready: '+',
	Submit: '-', Request: ':', Executors: '*',
}

// colours are ANSI SGR colours, one a phase.
var colours = map[Phase]string{
	Scheduling: "90", Instance: "35", Pull: "33", Start: "36", Ready: "32",
	Submit: "34", Request: "94", Executors: "95",
}

const (
	unknownMark = '?'
	openMark    = '>'
	minBar      = 10
)

// The chart's legend: the marks of the pods' phases, and of the
// applications' when it has some.
var (
	legend = []string{". scheduling", "~ instance (ECI)", "# pull", "= start", "+ ready",
		"? unknown (events gone)", "> still going"}
	appLegend = []string{"- submit (spark-submit)", ": request (driver started to first executor)",
		"* executors (to the last one running)"}
)

// WriteChart draws a timeline on one time axis: a row per application
// submission (above its pods) and per pod, its name (after its namespace,
// when the pods are of several) and node kind (APP for an application),
// then a bar per phase, fitted to the width, and the legend, wrapped to
// it. An unknown phase is drawn as ? where it was, beside the phases
// around it; an open one ends with >.
func WriteChart(w io.Writer, t Timeline, opts ChartOptions) error {
	bw := bufio.NewWriter(w)
	rows := rowsOf(t)
	t0, t1, ok := rowBounds(rows)
	namespaces := namespacesOf(t)
	nsWidth, nameWidth := 0, len("POD")
	for _, r := range rows {
		nameWidth = max(nameWidth, len(r.name))
		if namespaces > 1 {
			nsWidth = max(nsWidth, len("NAMESPACE"), len(r.namespace))
		}
	}
	cell := func(namespace, name, kind string) string {
		if nsWidth == 0 {
			return fmt.Sprintf("%-*s  %-3s  ", nameWidth, name, kind)
		}
		return fmt.Sprintf("%-*s  %-*s  %-3s  ", nsWidth, namespace, nameWidth, name, kind)
	}
	head := cell("NAMESPACE", "POD", "")
	bar := max(opts.Width-len(head), minBar)
	total := t1.Sub(t0)
	fmt.Fprintln(bw, strings.TrimRight(head+axis(total, bar), " "))
	line := make([]byte, bar)
	for _, r := range rows {
		for i := range line {
			line[i] = ' '
		}
		var phases []Phase
		if ok {
			phases = draw(line, r.phases, t0, total)
		}
		fmt.Fprintln(bw, strings.TrimRight(cell(r.namespace, r.name, dash(r.kind))+paint(line, phases, opts.Color), " "))
	}
	writeWrapped(bw, "legend: ", legend, opts.Width, "  ", "        ")
	if len(t.Applications) > 0 {
		writeWrapped(bw, "        APP: ", appLegend, opts.Width, "  ", "             ")
	}
	return bw.Flush()
}

// namespacesOf counts the namespaces of a timeline's pods and applications.
func namespacesOf(t Timeline) int {
	seen := map[string]bool{}
	for _, p := range t.Pods {
		seen[p.Namespace] = true
	}
	for _, a := range t.Applications {
		seen[a.Namespace] = true
	}
	return len(seen)
}

// writeWrapped writes items after prefix, sep apart, in lines of at most
// width (an item longer than a line has one of its own); the lines after
// the first begin with indent.
func writeWrapped(w io.Writer, prefix string, items []string, width int, sep, indent string) {
	line := prefix
	for i, item := range items {
		switch {
		case i == 0:
			line += item
		case len(line)+len(sep)+len(item) > width:
			fmt.Fprintln(w, line)
			line = indent + item
		default:
			line += sep + item
		}
	}
	fmt.Fprintln(w, line)
}

// draw puts a row's phases into line and returns, for each column, the
// phase drawn there ("" where none is), for the colours.
func draw(row []byte, spans []Span, t0 time.Time, total time.Duration) []Phase {
	phases := make([]Phase, len(row))
	col := func(t time.Time) int {
		if total <= 0 {
			return 0
		}
		return min(int(math.Round(float64(t.Sub(t0))/float64(total)*float64(len(row)))), len(row))
	}
	put := func(from, to int, mark byte, phase Phase) {
		for i := max(from, 0); i < min(to, len(row)); i++ {
			row[i], phases[i] = mark, phase
		}
	}
	next := -1 // the column after the last phase drawn
	pendingUnknown := false
	for _, s := range spans {
		if s.State == Unknown {
			pendingUnknown = true
			continue
		}
		from, to := col(s.Start), col(s.End)
		if pendingUnknown {
			// What the cluster no longer says: between what it says, or
			// just before the first thing it says.
			if next >= 0 {
				put(next, max(from, next+1), unknownMark, "")
				from = max(from, next+1)
			} else if from > 0 {
				put(from-1, from, unknownMark, "")
			}
		}
		pendingUnknown = false
		if s.End.After(s.Start) {
			// A phase too short for a column of its own still shows: after
			// the one before it, in a column at least, the last one at most.
			from = min(max(from, next), len(row)-1)
			to = max(to, from+1)
		}
		put(from, to, marks[s.Name], s.Name)
		if s.State == Open && to > 0 {
			// Still going: > just after the bar, where there is room.
			at := min(to, len(row)-1)
			row[at], phases[at] = openMark, s.Name
			to = at + 1
		}
		next = max(next, to)
	}
	if pendingUnknown {
		at := min(max(next, 0), len(row)-1)
		put(at, at+1, unknownMark, "")
	}
	return phases
}

// paint writes a row, each phase in its colour when color is set.
func paint(row []byte, phases []Phase, color bool) string {
	line := strings.TrimRight(string(row), " ")
	if !color {
		return line
	}
	var b strings.Builder
	var current Phase
	for i := 0; i < len(line); i++ {
		if phases[i] != current {
			if current != "" {
				b.WriteString("\x1b[0m")
			}
			if c := colours[phases[i]]; c != "" {
				b.WriteString("\x1b[" + c + "m")
			}
			current = phases[i]
		}
		b.WriteByte(line[i])
	}
	if current != "" {
		b.WriteString("\x1b[0m")
	}
	return b.String()
}

// axis labels the time axis at its start and about every quarter; a label
// that would touch the one before it is left out.
func axis(total time.Duration, width int) string {
	line := []byte(strings.Repeat(" ", width))
	free := 0 // the first column a label may take
	for i := 0; i <= 4; i++ {
		col := min(i*width/4, width-1)
		label := short(total * time.Duration(i) / 4)
		if i == 4 {
			col = width - len(label)
		}
		if col < free || col+len(label) > width {
			continue
		}
		copy(line[col:], label)
		free = col + len(label) + 1
	}
	return strings.TrimRight(string(line), " ")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
