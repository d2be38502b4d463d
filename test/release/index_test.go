//go:build release

package release

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/internal/krew"
)

// The committed manifest is that of a published release: its version is a
// release tag, and each archive is downloaded from that release on GitHub.
func TestReleaseManifestNamesItsRelease(t *testing.T) {
	h := releaseHeader(t)
	if !strings.HasPrefix(h.Tag, "v") || strings.ContainsAny(h.Tag, "-+") {
		t.Errorf("version %q is not a release tag", h.Tag)
	}
	p := loadManifest(t, releaseManifest)
	for _, pl := range p.Spec.Platforms {
		goos, goarch := pl.Selector.MatchLabels["os"], pl.Selector.MatchLabels["arch"]
		ext := ".tar.gz"
		if goos == "windows" {
			ext = ".zip"
		}
		want := fmt.Sprintf("https://github.com/spark-eci/kubectl-spark-eci/releases/download/%s/kubectl-spark_eci_%s_%s_%s%s", h.Tag, h.Tag, goos, goarch, ext)
		if pl.URI != want {
			t.Errorf("%s/%s: uri %s, want %s", goos, goarch, pl.URI, want)
		}
	}
}

// The committed manifest's sha256 values are those of the archives `make
// dist` builds of the commit its header names, with the toolchain it names:
// a clone of this repository checks the commit out and builds them again.
// The sums are cached outside the repository by commit and toolchain, as the
// test control plane is.
func TestReleaseArchivesRebuildByteForByte(t *testing.T) {
	h := releaseHeader(t)
	sums := rebuiltSums(t, h)
	p := loadManifest(t, releaseManifest)
	for _, pl := range p.Spec.Platforms {
		name := path.Base(pl.URI)
		if got, ok := sums[name]; !ok {
			t.Errorf("make dist of %s built no %s", h.Commit, name)
		} else if got != pl.Sha256 {
			t.Errorf("%s: the manifest says sha256 %s, make dist of %s with %s builds %s", name, pl.Sha256, h.Commit, h.Toolchain, got)
		}
	}
}

// releaseHeader reads what the committed manifest's header records.
func releaseHeader(t *testing.T) krew.Header {
	t.Helper()
	data, err := os.ReadFile(releaseManifest)
	if err != nil {
		t.Fatal(err)
	}
	h, err := krew.ParseHeader(data)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// rebuiltSums builds the release's archives again, or reads the sums of an
// earlier rebuild, and returns the sha256 of each archive by name.
func rebuiltSums(t *testing.T, h krew.Header) map[string]string {
	t.Helper()
	cacheDir, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(cacheDir, "kubectl-spark-eci", "release", fmt.Sprintf("%s-%s-%s.json", h.Tag, h.Commit, h.Toolchain))
	sums := map[string]string{}
	if data, err := os.ReadFile(cache); err == nil && json.Unmarshal(data, &sums) == nil && len(sums) > 0 {
		return sums
	}

	src := filepath.Join(t.TempDir(), "src")
	run(t, nil, "git", "clone", "--quiet", "--no-checkout", repoRoot, src)
	if out, err := exec.Command("git", "-C", src, "checkout", "--quiet", "--detach", h.Commit).CombinedOutput(); err != nil {
		t.Fatalf("the release's commit %s is not in this clone (a shallow clone? fetch it): %v\n%s", h.Commit, err, out)
	}
	run(t, []string{"GOTOOLCHAIN=" + h.Toolchain}, "make", "-C", src, "dist", "VERSION="+h.Tag)
	archives, _ := filepath.Glob(filepath.Join(src, "dist", "kubectl-spark_eci_*"))
	for _, a := range archives {
		if strings.HasSuffix(a, ".tar.gz") || strings.HasSuffix(a, ".zip") {
			if sums[filepath.Base(a)], err = krew.FileSHA256(a); err != nil {
				t.Fatal(err)
			}
		}
	}
	if data, err := json.Marshal(sums); err == nil && os.MkdirAll(filepath.Dir(cache), 0o755) == nil {
		tmp := cache + ".tmp"
		if os.WriteFile(tmp, data, 0o644) == nil {
			_ = os.Rename(tmp, cache)
		}
	}
	return sums
}

// The repository is a krew custom index, end to end with real krew: krew
// adds a clone of it as an index and reads the release's manifest from it.
// Then, as a release does, the clone gets a manifest of its own (this build's,
// its archives served by a local HTTP server), and krew installs the plugin
// from the index, the plugin runs through kubectl, and krew uninstalls it.
func TestCustomIndexInstallsWithKrew(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatalf("kubectl not found: %v", err)
	}
	release := loadManifest(t, releaseManifest)
	index := filepath.Join(t.TempDir(), "index")
	run(t, nil, "git", "clone", "--quiet", repoRoot, index)
	root := t.TempDir()
	env := krewEnv(t, root, runtime.GOOS, runtime.GOARCH)
	krewRun(t, env, kubectl, "krew", "index", "add", "spark-eci", index)
	info := krewRun(t, env, kubectl, "krew", "info", "spark-eci/spark-eci")
	if !strings.Contains(info, "VERSION: "+release.Spec.Version+"\n") {
		t.Errorf("krew info spark-eci/spark-eci does not show release %s:\n%s", release.Spec.Version, info)
	}

	srv := httptest.NewServer(http.FileServer(http.Dir(distDir)))
	t.Cleanup(srv.Close)
	built := loadManifest(t, builtManifest)
	for i, pl := range built.Spec.Platforms {
		built.Spec.Platforms[i].URI = srv.URL + "/" + path.Base(pl.URI)
	}
	data, err := yaml.Marshal(built)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(index, "plugins", "spark-eci.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, nil, "git", "-C", index, "-c", "user.name=release-test", "-c", "user.email=release-test@localhost",
		"commit", "--quiet", "--all", "--message", "spark-eci "+built.Spec.Version)

	// install updates the index first, from the clone: it gets this build.
	krewRun(t, env, kubectl, "krew", "install", "spark-eci/spark-eci")
	checkPluginRuns(t, env, kubectl, built.Spec.Version)
	if list := krewRun(t, env, kubectl, "krew", "list"); !strings.Contains(list, "spark-eci/spark-eci") {
		t.Errorf("krew list does not name the plugin with its index:\n%s", list)
	}
	uninstall(t, env, kubectl, root)
}

// run runs a command with extra environment and fails the test, with its
// output, when it fails.
func run(t *testing.T, env []string, name string, args ...string) {
	t.Helper()
	c := exec.Command(name, args...)
	c.Env = append(os.Environ(), env...)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
