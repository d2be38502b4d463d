package ending

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// The README's table of exit codes is the code's: the same codes, ends and
// order.
func TestREADMEExitCodes(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, found := strings.Cut(string(b), "\n## Exit codes\n")
	if !found {
		t.Fatal("README.md has no \"## Exit codes\" section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var got []Row
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if !strings.HasPrefix(line, "|") || len(cells) < 2 {
			continue
		}
		code, err := strconv.Atoi(strings.TrimSpace(cells[0]))
		if err != nil {
			continue // the header and its rule
		}
		got = append(got, Row{Code: code, Means: strings.TrimSpace(cells[1])})
	}
	want := Table()
	if len(got) != len(want) {
		t.Fatalf("README lists %d exit codes, the code %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].Code != want[i].Code || got[i].Means != want[i].Means {
			t.Errorf("README row %d: %d %q; the code says %d %q", i+1, got[i].Code, got[i].Means, want[i].Code, want[i].Means)
		}
	}
}
