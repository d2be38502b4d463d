// Package table draws the plugin's tables with
// github.com/olekukonko/tablewriter, set up to read like kubectl get's: no
// borders or rules, left-aligned cells, columns three spaces apart, no cell
// wrapped or reformatted, and nothing after a row's last cell.
package table

import (
	"bufio"
	"bytes"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
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
	var buf bytes.Buffer
	tab := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders:  tw.BorderNone,
			Symbols:  tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{Separators: tw.SeparatorsNone, Lines: tw.LinesNone},
		})),
		// Cells are drawn as given: not trimmed (a cell widened to kubectl's
		// least width keeps its spaces).
		tablewriter.WithConfig(tablewriter.Config{Header: t.cellConfig(), Row: t.cellConfig(), Behavior: tw.Behavior{TrimSpace: tw.Off}}),
	)
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

func (t *Table) cellConfig() tw.CellConfig {
	gap := t.gap()
	return tw.CellConfig{
		Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone, AutoFormat: tw.Off},
		Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
		Padding:    tw.CellPadding{Global: tw.Padding{Right: strings.Repeat(" ", gap), Overwrite: true}},
	}
}
