//go:build e2e && !linux

package e2e

import "os/exec"

// dieWithParent does nothing where the kernel cannot tie a child's life to
// its parent's: there the cleanups alone stop the processes.
func dieWithParent(*exec.Cmd) {}
