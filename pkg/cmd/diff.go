package cmd

import (
	"fmt"
	"io"

	"github.com/pmezard/go-difflib/difflib"
	"sigs.k8s.io/yaml"
)

// writeSpecDiff writes a unified diff of the spec of an object, before and after.
func writeSpecDiff(w io.Writer, name string, before, after map[string]interface{}) error {
	a, err := yaml.Marshal(before["spec"])
	if err != nil {
		return fmt.Errorf("diff %s: %w", name, err)
	}
	b, err := yaml.Marshal(after["spec"])
	if err != nil {
		return fmt.Errorf("diff %s: %w", name, err)
	}
	return difflib.WriteUnifiedDiff(w, difflib.UnifiedDiff{
		A:        difflib.SplitLines(string(a)),
		B:        difflib.SplitLines(string(b)),
		FromFile: name + " spec (before)",
		ToFile:   name + " spec (after)",
		Context:  3,
	})
}
