package cmd

import (
	"regexp"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/spark-eci/kubectl-spark-eci/pkg/why"
)

// Every command a fix gives runs as written: its command exists and takes
// each flag the fix names.
func TestWhyFixesNameRealFlags(t *testing.T) {
	root := NewCmdRoot(genericiooptions.NewTestIOStreamsDiscard())
	flag := regexp.MustCompile(`--([a-z-]+)`)
	found := 0
	for _, r := range why.Reasons() {
		// Each command runs to the end of its clause.
		for _, line := range strings.Split(r.Fix, "kubectl spark-eci ")[1:] {
			line, _, _ = strings.Cut(line, ";")
			line, _, _ = strings.Cut(line, ")")
			name, _, _ := strings.Cut(line, " ")
			cmd, _, err := root.Find([]string{name})
			if err != nil || cmd.Name() != name {
				t.Errorf("%s: the fix names a command %q there is not: %q", r.Name, name, r.Fix)
				continue
			}
			for _, f := range flag.FindAllStringSubmatch(line, -1) {
				found++
				if cmd.Flags().Lookup(f[1]) == nil && cmd.InheritedFlags().Lookup(f[1]) == nil {
					t.Errorf("%s: %s takes no --%s: %q", r.Name, name, f[1], r.Fix)
				}
			}
		}
		if strings.Contains(r.Fix, "--") && !strings.Contains(r.Fix, "kubectl") {
			t.Errorf("%s: a flag with no command: %q", r.Name, r.Fix)
		}
	}
	if found < 8 {
		t.Errorf("found %d flags in the fixes: the pattern no longer reads them", found)
	}
}
