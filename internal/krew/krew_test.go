package krew

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/internal/golden"
)

// writeTarGz writes a tar.gz of name → content into dir and returns its path.
func writeTarGz(t *testing.T, dir, archive string, files map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, content := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, archive)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeZip(t *testing.T, dir, archive string, files map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, archive)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func sum(t *testing.T, path string) string {
	t.Helper()
	s, err := FileSHA256(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func selector(os, arch string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{"os": os, "arch": arch}}
}

func validPlugin() *Plugin {
	return &Plugin{
		TypeMeta:   metav1.TypeMeta{APIVersion: APIVersion, Kind: Kind},
		ObjectMeta: metav1.ObjectMeta{Name: "spark-eci"},
		Spec: PluginSpec{
			Version:          "v0.1.0",
			Homepage:         "https://github.com/spark-eci/kubectl-spark-eci",
			ShortDescription: "Place Spark apps on ECS or ECI nodes",
			Description:      "Longer words.\n",
			Platforms: []Platform{
				{URI: "https://example.com/a_linux_amd64.tar.gz", Sha256: strings.Repeat("a", 64), Selector: selector("linux", "amd64"), Bin: "kubectl-spark_eci"},
				{URI: "https://example.com/a_windows_amd64.zip", Sha256: strings.Repeat("b", 64), Selector: selector("windows", "amd64"), Bin: "kubectl-spark_eci.exe"},
			},
		},
	}
}

func TestValidateAcceptsAGoodManifest(t *testing.T) {
	if err := Validate(validPlugin(), "plugins/spark-eci.yaml"); err != nil {
		t.Fatalf("Validate: %v", err)
	}
}

// Each rule of the krew index, broken on its own.
func TestValidateRules(t *testing.T) {
	cases := []struct {
		name   string
		file   string
		mutate func(p *Plugin)
		want   string
	}{
		{"name differs from the file", "plugins/other.yaml", func(p *Plugin) {}, `differs from the file name "other"`},
		{"name with a dot", "plugins/spark.eci.yaml", func(p *Plugin) { p.Name = "spark.eci" }, "want letters, digits"},
		{"wrong kind", "", func(p *Plugin) { p.Kind = "Plugins" }, `kind "Plugins"`},
		{"wrong apiVersion", "", func(p *Plugin) { p.APIVersion = "krew.googlecontainertools.github.com/v1alpha1" }, "apiVersion"},
		{"version without v", "", func(p *Plugin) { p.Spec.Version = "0.1.0" }, "want a leading v"},
		{"version not semver", "", func(p *Plugin) { p.Spec.Version = "v1.2" }, "is not semver"},
		{"homepage missing", "", func(p *Plugin) { p.Spec.Homepage = "" }, "spec.homepage"},
		{"short description on two lines", "", func(p *Plugin) { p.Spec.ShortDescription = "one\ntwo" }, "more than one line"},
		{"short description empty", "", func(p *Plugin) { p.Spec.ShortDescription = " " }, "shortDescription is empty"},
		{"description empty", "", func(p *Plugin) { p.Spec.Description = "" }, "description is empty"},
		{"no platforms", "", func(p *Plugin) { p.Spec.Platforms = nil }, "platforms is empty"},
		{"uppercase sha256", "", func(p *Plugin) { p.Spec.Platforms[0].Sha256 = strings.Repeat("A", 64) }, "64 lowercase hex"},
		{"short sha256", "", func(p *Plugin) { p.Spec.Platforms[0].Sha256 = "abc" }, "64 lowercase hex"},
		{"relative uri", "", func(p *Plugin) { p.Spec.Platforms[0].URI = "a.tar.gz" }, "absolute URL"},
		{"no bin", "", func(p *Plugin) { p.Spec.Platforms[0].Bin = "" }, "bin is empty"},
		{"bin outside", "", func(p *Plugin) { p.Spec.Platforms[0].Bin = "../kubectl" }, "leaves the installation"},
		{"empty selector", "", func(p *Plugin) { p.Spec.Platforms[0].Selector = &metav1.LabelSelector{} }, "selector is empty"},
		{"selector on another label", "", func(p *Plugin) {
			p.Spec.Platforms[0].Selector.MatchLabels["distro"] = "debian"
		}, `label "distro"`},
		{"selector with expressions", "", func(p *Plugin) {
			p.Spec.Platforms[0].Selector.MatchExpressions = []metav1.LabelSelectorRequirement{{Key: "os", Operator: metav1.LabelSelectorOpIn, Values: []string{"linux"}}}
		}, "matchExpressions"},
		{"platform matched twice", "", func(p *Plugin) {
			p.Spec.Platforms[1].Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"os": "linux"}}
		}, "linux/amd64 is matched by platforms [0 1]"},
		{"file operation without to", "", func(p *Plugin) {
			p.Spec.Platforms[0].Files = []FileOperation{{From: "*"}}
		}, "from and to are both required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := validPlugin()
			tc.mutate(p)
			file := tc.file
			if file == "" {
				file = p.Name + ".yaml"
			}
			err := Validate(p, file)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate: got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestParseRefusesUnknownFields(t *testing.T) {
	_, err := Parse([]byte("apiVersion: " + APIVersion + "\nkind: Plugin\nmetadata: {name: x}\nspec: {version: v1.0.0, shortDesc: typo}\n"))
	if err == nil || !strings.Contains(err.Error(), "shortDesc") {
		t.Fatalf("Parse: got %v, want an error naming the unknown field", err)
	}
}

func TestRenderMatchesGolden(t *testing.T) {
	dir := t.TempDir()
	linux := writeTarGz(t, dir, "p_v1.2.3_linux_amd64.tar.gz", map[string]string{"p": "bin", "LICENSE": "text"})
	windows := writeZip(t, dir, "p_v1.2.3_windows_amd64.zip", map[string]string{"p.exe": "bin", "LICENSE": "text"})
	tmpl := `spec:
  version: {{ .TagName }}
  platforms:
  - selector: {matchLabels: {os: linux, arch: amd64}}
    {{ addURIAndSha "https://example.com/{{ .TagName }}/p_{{ .TagName }}_linux_amd64.tar.gz" .TagName }}
  - selector: {matchLabels: {os: windows, arch: amd64}}
    {{ addURIAndSha "https://example.com/v{{ .Version }}/p_{{ .TagName }}_windows_amd64.zip" .TagName }}
`
	got, err := Render([]byte(tmpl), "v1.2.3", dir)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	// The golden file cannot hold the archives' sums: gzip output may change
	// with the Go release, so they are put back in here.
	got = bytes.ReplaceAll(got, []byte(sum(t, linux)), []byte("<linux sha256>"))
	got = bytes.ReplaceAll(got, []byte(sum(t, windows)), []byte("<windows sha256>"))
	golden.Assert(t, "render.golden.yaml", string(got))
}

func TestRenderFailsOnAMissingArchive(t *testing.T) {
	tmpl := `{{ addURIAndSha "https://example.com/{{ .TagName }}/gone.tar.gz" .TagName }}`
	_, err := Render([]byte(tmpl), "v1.0.0", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "gone.tar.gz") {
		t.Fatalf("Render: got %v, want an error naming the missing archive", err)
	}
}

func TestInstall(t *testing.T) {
	dir := t.TempDir()
	good := map[string]string{"kubectl-spark_eci": "#!/bin/sh\n", "LICENSE": "Apache", "kubectl_complete-spark_eci": "#!/bin/sh\n"}
	cases := []struct {
		name    string
		files   map[string]string
		zip     bool
		ops     []FileOperation
		badSum  bool
		want    string // error substring; empty for success
		present []string
	}{
		{name: "tar.gz, all files", files: good, present: []string{"kubectl-spark_eci", "LICENSE", "kubectl_complete-spark_eci"}},
		{name: "zip, all files", files: good, zip: true, present: []string{"kubectl-spark_eci", "LICENSE"}},
		{name: "files operations pick", files: good, ops: []FileOperation{{From: "kubectl-spark_eci", To: "."}, {From: "LICENSE", To: "."}}, present: []string{"kubectl-spark_eci", "LICENSE"}},
		{name: "sha256 mismatch", files: good, badSum: true, want: "the manifest says"},
		{name: "bin missing", files: map[string]string{"LICENSE": "Apache"}, want: `bin "kubectl-spark_eci" is not among`},
		{name: "license not installed", files: good, ops: []FileOperation{{From: "kubectl-spark_eci", To: "."}}, want: "no LICENSE"},
		{name: "entry escaping", files: map[string]string{"../evil": "x"}, want: "leaves the extraction directory"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var archive string
			if tc.zip {
				archive = writeZip(t, dir, tc.name+".zip", tc.files)
			} else {
				archive = writeTarGz(t, dir, tc.name+".tar.gz", tc.files)
			}
			pl := Platform{Sha256: sum(t, archive), Bin: "kubectl-spark_eci", Files: tc.ops}
			if tc.badSum {
				pl.Sha256 = strings.Repeat("0", 64)
			}
			into := filepath.Join(dir, "install", string(rune('a'+i)))
			if err := os.MkdirAll(into, 0o755); err != nil {
				t.Fatal(err)
			}
			bin, err := Install(pl, archive, into)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("Install: got %v, want an error containing %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Install: %v", err)
			}
			if bin != filepath.Join(into, "kubectl-spark_eci") {
				t.Errorf("bin = %s", bin)
			}
			for _, name := range tc.present {
				if _, err := os.Stat(filepath.Join(into, name)); err != nil {
					t.Errorf("%s not installed: %v", name, err)
				}
			}
		})
	}
}

func TestMatchPlatform(t *testing.T) {
	p := validPlugin()
	pl, ok := MatchPlatform(p, "windows", "amd64")
	if !ok || pl.Bin != "kubectl-spark_eci.exe" {
		t.Fatalf("MatchPlatform(windows/amd64) = %+v, %v", pl, ok)
	}
	if _, ok := MatchPlatform(p, "darwin", "arm64"); ok {
		t.Fatal("MatchPlatform(darwin/arm64) matched a platform the manifest does not list")
	}
}

func TestHeaderReadsBack(t *testing.T) {
	p := validPlugin()
	body, err := yaml.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := Header{Tag: p.Spec.Version, Commit: "0123456789abcdef0123456789abcdef01234567", Toolchain: "go1.26.8"}
	got, err := ParseHeader(append([]byte(want.String()), body...))
	if err != nil || got != want {
		t.Errorf("ParseHeader = %+v, %v; want %+v", got, err, want)
	}
	if _, err := ParseHeader(body); err == nil {
		t.Error("a manifest without the header was read as one with it")
	}
}
