package cmd

import (
	"io"
	"os"
	"strconv"

	"golang.org/x/term"
)

// terminalOf is w's file when w is a terminal.
func terminalOf(w io.Writer) (*os.File, bool) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, false
	}
	return f, true
}

// defaultWidth is the width drawn to off a terminal, without COLUMNS.
const defaultWidth = 80

// widthOf is how wide a picture written to w may be: the terminal's width,
// else COLUMNS (as shells set it for scripts that ask), else 80.
func widthOf(w io.Writer, getenv func(string) string) int {
	if f, ok := terminalOf(w); ok {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			return width
		}
	}
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return defaultWidth
}

// colorFor tells whether to write w in colour: only on a terminal, and
// never when NO_COLOR is set to anything (no-color.org).
func colorFor(w io.Writer, getenv func(string) string) bool {
	_, ok := terminalOf(w)
	return ok && getenv("NO_COLOR") == ""
}
