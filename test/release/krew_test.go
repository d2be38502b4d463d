//go:build release

package release

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// testbin is the directory hack/testbin.sh builds krew and
// validate-krew-manifest into (the Makefile passes it as KUBEBUILDER_ASSETS,
// as for the end-to-end tests).
func testbin(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	if dir == "" {
		t.Fatal("KUBEBUILDER_ASSETS is not set: run through `make release-test`, which builds krew with hack/testbin.sh")
	}
	return dir
}

// krewRun runs a command with krew's own environment: its root in a
// temporary directory, the platform it installs for, and kubectl-krew on PATH.
func krewRun(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	c := exec.Command(name, args...)
	c.Env = append(environWithout("PATH", "HOME", "KREW_ROOT", "KREW_OS", "KREW_ARCH"), env...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, &out)
	}
	return out.String()
}

// checkPluginRuns runs the plugin krew installed, through kubectl, and checks
// that it reports version.
func checkPluginRuns(t *testing.T, env []string, kubectl, version string) {
	t.Helper()
	out := krewRun(t, env, kubectl, "spark-eci", "version", "-o", "json")
	var v struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("kubectl spark-eci version -o json: %v in %q", err, out)
	}
	if v.Version != version {
		t.Errorf("kubectl spark-eci reports %q, the manifest says %q", v.Version, version)
	}
}

// uninstall has krew uninstall the plugin, and checks that it is gone from
// krew's bin directory.
func uninstall(t *testing.T, env []string, kubectl, root string) {
	t.Helper()
	krewRun(t, env, kubectl, "krew", "uninstall", "spark-eci")
	if _, err := os.Lstat(filepath.Join(root, "bin", "kubectl-spark_eci")); !os.IsNotExist(err) {
		t.Errorf("kubectl-spark_eci is still linked after krew uninstall: %v", err)
	}
}

// krewEnv is krew's environment for a root of its own, installing for
// goos/goarch, with the plugins it installs and krew itself on PATH.
func krewEnv(t *testing.T, root, goos, goarch string) []string {
	return []string{
		"KREW_ROOT=" + root, "KREW_OS=" + goos, "KREW_ARCH=" + goarch,
		"KREW_NO_UPGRADE_CHECK=1",
		"HOME=" + t.TempDir(),
		"PATH=" + strings.Join([]string{filepath.Join(root, "bin"), testbin(t), os.Getenv("PATH")}, string(os.PathListSeparator)),
	}
}

func environWithout(names ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || name == n
		}
		if !drop {
			env = append(env, kv)
		}
	}
	return env
}

// The krew index's own validator accepts both manifests. Its install step
// downloads each URI, which for this build's archives exists nowhere, so the
// archives are installed from dist/ below instead.
func TestKrewIndexValidatorAcceptsTheManifests(t *testing.T) {
	validator := filepath.Join(testbin(t), "validate-krew-manifest")
	for _, path := range []string{builtManifest, releaseManifest} {
		krewRun(t, []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, validator, "-manifest", path, "-skip-install")
	}
}

// Real krew installs every platform's archive from dist/ with the manifest
// (krew checks the sha256 and the bin), and on this machine the installed
// plugin runs through kubectl and uninstalls cleanly.
func TestKrewInstallsEveryArchive(t *testing.T) {
	p := loadManifest(t, builtManifest)
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatalf("kubectl not found: %v", err)
	}
	for _, pl := range p.Spec.Platforms {
		goos, goarch := pl.Selector.MatchLabels["os"], pl.Selector.MatchLabels["arch"]
		t.Run(goos+"_"+goarch, func(t *testing.T) {
			root := t.TempDir()
			env := krewEnv(t, root, goos, goarch)
			archive, err := filepath.Abs(filepath.Join(distDir, path.Base(pl.URI)))
			if err != nil {
				t.Fatal(err)
			}
			krewRun(t, env, kubectl, "krew", "install", "--manifest="+builtManifest, "--archive="+archive)

			store := filepath.Join(root, "store", p.Name, p.Spec.Version)
			helper := "kubectl_complete-spark_eci"
			if goos == "windows" {
				helper += ".cmd"
			}
			for _, name := range []string{pl.Bin, "LICENSE", helper} {
				if _, err := os.Stat(filepath.Join(store, name)); err != nil {
					t.Errorf("krew did not install %s: %v", name, err)
				}
			}
			if goos != runtime.GOOS || goarch != runtime.GOARCH {
				return
			}

			checkPluginRuns(t, env, kubectl, p.Spec.Version)

			// krew uninstall wants a plugin index, which install --manifest does
			// without; an empty local one stands in for the krew-index clone.
			index := filepath.Join(root, "index", "default")
			krewRun(t, env, "git", "init", "-q", index)
			if err := os.MkdirAll(filepath.Join(index, "plugins"), 0o755); err != nil {
				t.Fatal(err)
			}
			uninstall(t, env, kubectl, root)
		})
	}
}
