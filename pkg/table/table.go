// Package table draws the plugin's tables with
// github.com/olekukonko/tablewriter, set up to read like kubectl get's: no
// borders or rules, left-aligned cells, columns three spaces apart, no cell
// wrapped or reformatted, and nothing after a row's last cell.
package table

import (
	"bufio"
	"bytes"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twcache"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// kubectl get sets its columns three spaces apart, and makes none narrower
// than six, the gap included.
const (
	kubectlGap      = 3
	kubectlMinWidth = 6
)

// Table is a table to draw: a header row, unless there is none, and rows.
type Table struct {
	Headers []string
	Rows    [][]string
	// Gap is the number of spaces between two columns: kubectl's three when 0.
	Gap int
}

// New starts a table with these column headers; none draws no header row.
func New(headers ...string) *Table {
	return &Table{Headers: headers}
}

// Append adds a row.
func (t *Table) Append(cells ...string) {
	t.Rows = append(t.Rows, cells)
}

// Write draws the table. A table with neither headers nor rows writes
// nothing.
func (t *Table) Write(w io.Writer) error {
	if len(t.Headers) == 0 && len(t.Rows) == 0 {
		return nil
	}
	d := drawerFor(t.gap())
	defer d.release()
	tab, buf := d.tab, &d.buf
	headers, rows := t.widened()
	if len(headers) > 0 {
		tab.Header(headers)
	}
	if len(rows) > 0 {
		if err := tab.Bulk(rows); err != nil {
			return err
		}
	}
	if err := tab.Render(); err != nil {
		return err
	}
	// Every cell is padded to its column's width, the last too: cut that,
	// as kubectl does.
	bw := bufio.NewWriter(w)
	for line := range strings.Lines(buf.String()) {
		bw.WriteString(strings.TrimRight(line, " \n"))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// A drawer is a tablewriter.Table set up for one gap, and the buffer it
// draws into. Making one costs a few hundred kilobytes (its cache of
// reflection is made for ten thousand types), and so does Reset with that
// cache: a drawer has a cache of one (the cells are strings, which need
// none), and a watch that draws a table of one row for each change reuses
// the drawers.
type drawer struct {
	gap int
	buf bytes.Buffer
	tab *tablewriter.Table
}

// Drawers not in use, by gap: a few, each with a buffer of at most
// keptBuffer (one that drew a whole cluster's report is let go).
var (
	idleMu      sync.Mutex
	idle        = map[int][]*drawer{}
	drawersMade atomic.Int64
)

const (
	keptDrawers = 4
	keptBuffer  = 64 << 10
)

func drawerFor(gap int) *drawer {
	idleMu.Lock()
	if n := len(idle[gap]); n > 0 {
		d := idle[gap][n-1]
		idle[gap] = idle[gap][:n-1]
		idleMu.Unlock()
		return d
	}
	idleMu.Unlock()
	drawersMade.Add(1)
	d := &drawer{gap: gap}
	cell := cellConfig(gap)
	d.tab = tablewriter.NewTable(&d.buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders:  tw.BorderNone,
			Symbols:  tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{Separators: tw.SeparatorsNone, Lines: tw.LinesNone},
		})),
		// Cells are drawn as given: not trimmed (a cell widened to kubectl's
		// least width keeps its spaces).
		tablewriter.WithConfig(tablewriter.Config{Header: cell, Row: cell, Behavior: tw.Behavior{TrimSpace: tw.Off}}),
		tablewriter.WithStringerCacheCustom(twcache.NewLRU[reflect.Type, reflect.Value](1)),
	)
	return d
}

func (d *drawer) release() {
	if d.buf.Cap() > keptBuffer {
		return
	}
	// Emptied now, not when next taken: an idle drawer holds no table.
	d.buf.Reset()
	d.tab.Reset()
	idleMu.Lock()
	defer idleMu.Unlock()
	if len(idle[d.gap]) < keptDrawers {
		idle[d.gap] = append(idle[d.gap], d)
	}
}

func (t *Table) gap() int {
	if t.Gap == 0 {
		return kubectlGap
	}
	return t.Gap
}

// widened returns the headers and rows with, in each column narrower than
// kubectl's least width, the first cell padded to it. A copy: the table
// keeps what it was given.
func (t *Table) widened() ([]string, [][]string) {
	headers := slices.Clone(t.Headers)
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = slices.Clone(r)
	}
	if t.Gap != 0 {
		return headers, rows
	}
	all := rows
	if len(headers) > 0 {
		all = append([][]string{headers}, rows...)
	}
	least := kubectlMinWidth - kubectlGap
	for col := 0; len(all) > 0 && col < len(all[0]); col++ {
		widest := 0
		for _, r := range all {
			if col < len(r) {
				widest = max(widest, utf8.RuneCountInString(r[col]))
			}
		}
		if widest < least {
			all[0][col] += strings.Repeat(" ", least-widest)
		}
	}
	return headers, rows
}

func cellConfig(gap int) tw.CellConfig {
	return tw.CellConfig{
		Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone, AutoFormat: tw.Off},
		Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
		Padding:    tw.CellPadding{Global: tw.Padding{Right: strings.Repeat(" ", gap), Overwrite: true}},
	}
}
