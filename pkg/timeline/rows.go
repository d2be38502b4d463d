package timeline

import (
	"strings"
	"time"
)

// row is what the chart and the trace draw of an application or a pod: a
// name, a kind, and phases.
type row struct {
	namespace, name string
	// kind is a pod's node kind, or appKind.
	kind   string
	group  string // what the row is drawn among: its application, else its namespace
	role   string
	cache  string
	phases []Span
}

// appKind stands in the kind column of an application's row.
const appKind = "APP"

// rowsOf puts each application's row above the first pod of its
// submission, in the pods' order; an application none of whose pods is
// shown comes last.
func rowsOf(t Timeline) []row {
	type key struct{ namespace, name, submission string }
	apps := make(map[key]int, len(t.Applications))
	for i, a := range t.Applications {
		apps[key{a.Namespace, a.Name, a.Submission}] = i
	}
	rows := make([]row, 0, len(t.Applications)+len(t.Pods))
	drawn := make([]bool, len(t.Applications))
	appRow := func(i int) row {
		a := t.Applications[i]
		drawn[i] = true
		return row{namespace: a.Namespace, name: appName(a), kind: appKind, group: a.Namespace + "/" + a.Name, phases: a.Phases}
	}
	for _, p := range t.Pods {
		if i, ok := apps[key{p.Namespace, p.Application, p.Submission}]; ok && p.Application != "" && !drawn[i] {
			rows = append(rows, appRow(i))
		}
		group := p.Namespace
		if p.Application != "" {
			group += "/" + p.Application
		}
		rows = append(rows, row{namespace: p.Namespace, name: p.Name, kind: p.NodeKind, group: group, role: p.Role, cache: p.Cache, phases: p.Phases})
	}
	for i := range t.Applications {
		if !drawn[i] {
			rows = append(rows, appRow(i))
		}
	}
	return rows
}

// appName is how the command's arguments name an application: app/NAME,
// sparkconnect/NAME.
func appName(a Application) string {
	if a.Kind == "SparkApplication" {
		return "app/" + a.Name
	}
	return strings.ToLower(a.Kind) + "/" + a.Name
}

// rowBounds is the first start and the last end among the rows' known
// phases: the time axis.
func rowBounds(rows []row) (first, last time.Time, ok bool) {
	for _, r := range rows {
		f, l, known := spanBounds(r.phases)
		if !known {
			continue
		}
		if !ok || f.Before(first) {
			first = f
		}
		if !ok || l.After(last) {
			last = l
		}
		ok = true
	}
	return first, last, ok
}
