// Command krew-manifest renders the krew index manifest of a release from the
// .krew.yaml template and the archives `make dist` built, with their real
// sha256 values, and checks it against the krew index's rules before writing
// it. Its header names the commit the archives were built of and the Go
// toolchain that built them: with both, `make dist` builds the same archives
// again (the release tests do).
//
//	go run ./hack/krew-manifest -release -tag v0.1.0 -commit $(git rev-parse HEAD) -dist dist -out plugins/spark-eci.yaml
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"github.com/spark-eci/kubectl-spark-eci/internal/krew"
)

func main() {
	var (
		template = flag.String("template", "deploy/krew/.krew.yaml", "release template")
		tag      = flag.String("tag", "", "release tag, e.g. v0.1.0 (required)")
		commit   = flag.String("commit", "", "the commit the archives were built of (required)")
		dist     = flag.String("dist", "dist", "directory holding the release archives")
		out      = flag.String("out", "plugins/spark-eci.yaml", "manifest to write")
		release  = flag.Bool("release", false, "the manifest of a published release: the tag must be vMAJOR.MINOR.PATCH and the work tree clean")
	)
	flag.Parse()
	if err := run(*template, *tag, *commit, *dist, *out, *release); err != nil {
		fmt.Fprintf(os.Stderr, "krew-manifest: %v\n", err)
		os.Exit(1)
	}
}

var releaseTag = regexp.MustCompile(`^v\d+\.\d+\.\d+$`)

func run(templatePath, tag, commit, dist, out string, release bool) error {
	if tag == "" || commit == "" {
		return fmt.Errorf("-tag and -commit are required")
	}
	if release {
		if !releaseTag.MatchString(tag) {
			return fmt.Errorf("%q is not a release tag (vMAJOR.MINOR.PATCH): tag the commit, or set VERSION", tag)
		}
		changed, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output()
		if err != nil {
			return fmt.Errorf("git status: %w", err)
		}
		if len(changed) > 0 {
			return fmt.Errorf("the work tree has changes: a release is built of a commit, as it is\n%s", changed)
		}
	}
	tmpl, err := os.ReadFile(templatePath)
	if err != nil {
		return err
	}
	manifest, err := krew.Render(tmpl, tag, dist)
	if err != nil {
		return err
	}
	header := krew.Header{Tag: tag, Commit: commit, Toolchain: runtime.Version()}
	manifest = append([]byte(header.String()), dropLeadingComments(manifest)...)
	plugin, err := krew.Parse(manifest)
	if err != nil {
		return err
	}
	if got, err := krew.ParseHeader(manifest); err != nil || got != header {
		return fmt.Errorf("the header does not read back (%+v, %v)", got, err)
	}
	if err := krew.Validate(plugin, out); err != nil {
		return fmt.Errorf("the rendered manifest breaks the krew index's rules: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, manifest, 0o644); err != nil {
		return err
	}
	fmt.Println(out)
	return nil
}

// dropLeadingComments removes the template's own header comment, which
// speaks of the template, not of the manifest.
func dropLeadingComments(manifest []byte) []byte {
	lines := strings.SplitAfter(string(manifest), "\n")
	i := 0
	for i < len(lines) && strings.HasPrefix(lines[i], "#") {
		i++
	}
	return []byte(strings.Join(lines[i:], ""))
}
