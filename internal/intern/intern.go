// Package intern keeps one copy of the strings many objects share (a
// namespace, a node, an image, a role), so that what the commands keep of
// tens of thousands of pods holds each once.
package intern

import "unique"

// String is the one copy of s that every caller shares.
func String(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}
