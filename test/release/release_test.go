//go:build release

// Package release checks what `make dist` produced and the krew manifests:
// dist/spark-eci.yaml, rendered for this build's archives, against the krew
// index's rules, with every archive installed the way krew installs it; and
// plugins/spark-eci.yaml, the committed manifest of the latest release,
// which makes the repository a krew custom index. Run through `make
// release-test`.
package release

import (
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/spark-eci/kubectl-spark-eci/internal/krew"
)

const (
	// builtManifest is rendered by make release-test for the archives in
	// dist/; releaseManifest is committed for the latest release.
	builtManifest   = "../../dist/spark-eci.yaml"
	releaseManifest = "../../plugins/spark-eci.yaml"
	distDir         = "../../dist"
	repoRoot        = "../.."
)

func loadManifest(t *testing.T, path string) *krew.Plugin {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the manifest (make release-test renders dist/spark-eci.yaml): %v", err)
	}
	p, err := krew.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestManifestsFollowTheKrewIndexRules(t *testing.T) {
	for _, path := range []string{builtManifest, releaseManifest} {
		p := loadManifest(t, path)
		if err := krew.Validate(p, path); err != nil {
			t.Error(err)
		}
		if p.Name != "spark-eci" {
			t.Errorf("%s: metadata.name = %q, want spark-eci", path, p.Name)
		}
	}
}

// Every archive in dist/ is in the manifest, and every release platform has an
// archive.
func TestManifestCoversEveryArchive(t *testing.T) {
	p := loadManifest(t, builtManifest)
	listed := map[string]bool{}
	for _, pl := range p.Spec.Platforms {
		listed[path.Base(pl.URI)] = true
	}
	archives, err := filepath.Glob(filepath.Join(distDir, "*.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zips, _ := filepath.Glob(filepath.Join(distDir, "*.zip"))
	archives = append(archives, zips...)
	if len(archives) != 6 {
		t.Errorf("dist holds %d archives, want 6 (linux, darwin, windows × amd64, arm64)", len(archives))
	}
	for _, a := range archives {
		if !listed[filepath.Base(a)] {
			t.Errorf("%s is not in the manifest", filepath.Base(a))
		}
	}
	for _, goos := range []string{"linux", "darwin", "windows"} {
		for _, goarch := range []string{"amd64", "arm64"} {
			if _, ok := krew.MatchPlatform(p, goos, goarch); !ok {
				t.Errorf("no platform installs on %s/%s", goos, goarch)
			}
		}
	}
}

// Each archive installs as krew would install it, with the plugin binary
// built for the platform its selector names, the LICENSE, and the completion
// helper.
func TestEveryArchiveInstalls(t *testing.T) {
	p := loadManifest(t, builtManifest)
	for _, pl := range p.Spec.Platforms {
		goos, goarch := pl.Selector.MatchLabels["os"], pl.Selector.MatchLabels["arch"]
		t.Run(goos+"_"+goarch, func(t *testing.T) {
			archive := filepath.Join(distDir, path.Base(pl.URI))
			bin, err := krew.Install(pl, archive, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			helper := filepath.Join(filepath.Dir(bin), "kubectl_complete-spark_eci")
			if goos == "windows" {
				helper += ".cmd"
			}
			info, err := os.Stat(helper)
			if err != nil {
				t.Fatalf("completion helper not installed: %v", err)
			}
			if goos != "windows" {
				if info.Mode().Perm()&0o111 == 0 {
					t.Errorf("completion helper mode %v is not executable", info.Mode())
				}
				if bi, _ := os.Stat(bin); bi.Mode().Perm()&0o111 == 0 {
					t.Errorf("binary mode %v is not executable", bi.Mode())
				}
			}
			if got := binaryPlatform(t, bin); got != goos+"/"+goarch {
				t.Errorf("%s is built for %s, its selector says %s/%s", filepath.Base(bin), got, goos, goarch)
			}
		})
	}
}

// The archive krew picks for this machine installs a plugin that runs and
// reports the manifest's version.
func TestInstalledPluginRunsHere(t *testing.T) {
	p := loadManifest(t, builtManifest)
	pl, ok := krew.MatchPlatform(p, runtime.GOOS, runtime.GOARCH)
	if !ok {
		t.Fatalf("no platform of the manifest installs on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	bin, err := krew.Install(pl, filepath.Join(distDir, path.Base(pl.URI)), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "version", "-o", "json").Output()
	if err != nil {
		t.Fatalf("%s version: %v", bin, err)
	}
	var v struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("version -o json: %v in %q", err, out)
	}
	if v.Version != p.Spec.Version {
		t.Errorf("installed plugin reports version %q, the manifest says %q", v.Version, p.Spec.Version)
	}
}

// binaryPlatform reads the GOOS/GOARCH a binary was built for from its
// executable header.
func binaryPlatform(t *testing.T, name string) string {
	t.Helper()
	if f, err := elf.Open(name); err == nil {
		defer f.Close()
		switch f.Machine {
		case elf.EM_X86_64:
			return "linux/amd64"
		case elf.EM_AARCH64:
			return "linux/arm64"
		}
		return "linux/" + strings.ToLower(f.Machine.String())
	}
	if f, err := macho.Open(name); err == nil {
		defer f.Close()
		switch f.Cpu {
		case macho.CpuAmd64:
			return "darwin/amd64"
		case macho.CpuArm64:
			return "darwin/arm64"
		}
		return "darwin/" + f.Cpu.String()
	}
	if f, err := pe.Open(name); err == nil {
		defer f.Close()
		switch f.Machine {
		case pe.IMAGE_FILE_MACHINE_AMD64:
			return "windows/amd64"
		case pe.IMAGE_FILE_MACHINE_ARM64:
			return "windows/arm64"
		}
		return "windows/unknown"
	}
	t.Fatalf("%s is neither ELF, Mach-O nor PE", name)
	return ""
}
