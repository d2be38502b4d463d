//go:build e2e

package e2e

import "strings"

// The plugin's tables read like kubectl's: columns set apart by three
// spaces or more, a cell's own words by one. These read them back.

// cells splits a table line into its cells.
func cells(line string) []string {
	var out []string
	for _, c := range strings.Split(line, "   ") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// rowOf is the cells of the first row of table whose first cell is first,
// nil when there is none.
func rowOf(table, first string) []string {
	for _, line := range strings.Split(table, "\n") {
		if c := cells(line); len(c) > 0 && c[0] == first {
			return c
		}
	}
	return nil
}

// rowText is rowOf's cells joined by one space ("" when there is no such
// row), for checking what a row says.
func rowText(table, first string) string {
	return strings.Join(rowOf(table, first), " ")
}

// rowNames is the first cell of each row of a pod table but its headers:
// the column header POD and the "namespace/name:" lines.
func rowNames(table string) []string {
	var rows []string
	for _, line := range strings.Split(table, "\n") {
		if c := cells(line); len(c) > 0 && c[0] != "POD" && !strings.HasSuffix(c[0], ":") {
			rows = append(rows, c[0])
		}
	}
	return rows
}
