// Command dist builds the release archives of kubectl spark-eci: for each
// platform a tar.gz (a zip on windows) holding the plugin binary, the LICENSE
// and the kubectl completion helper, and next to each archive a .sha256 file.
//
// Archives are reproducible: entries are sorted, owned by root, and dated with
// the commit's time, so the same commit and Go toolchain give the same bytes
// and the same sha256 values in the krew manifest.
//
//	go run ./hack/dist -version v0.1.0 -ldflags '...' -out dist
package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Platforms are the release targets, as GOOS/GOARCH.
var Platforms = []string{
	"linux/amd64", "linux/arm64",
	"darwin/amd64", "darwin/arm64",
	"windows/amd64", "windows/arm64",
}

const (
	pluginName = "kubectl-spark_eci"
	helperName = "kubectl_complete-spark_eci"
	mainPkg    = "./cmd/kubectl-spark_eci"
)

func main() {
	var (
		version   = flag.String("version", "", "release version, a v-prefixed semver (required)")
		ldflags   = flag.String("ldflags", "-s -w", "linker flags of the plugin binary (version stamping)")
		out       = flag.String("out", "dist", "output directory; emptied first")
		platforms = flag.String("platforms", strings.Join(Platforms, ","), "comma-separated GOOS/GOARCH list")
		epoch     = flag.Int64("source-date-epoch", sourceDateEpoch(), "modification time of archive entries (Unix seconds)")
	)
	flag.Parse()
	if *version == "" {
		fail(fmt.Errorf("-version is required"))
	}
	if err := run(*version, *ldflags, *out, strings.Split(*platforms, ","), time.Unix(*epoch, 0).UTC()); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "dist: %v\n", err)
	os.Exit(1)
}

// sourceDateEpoch follows the reproducible-builds convention, falling back to
// the time of the checked-out commit.
func sourceDateEpoch() int64 {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	}
	if out, err := exec.Command("git", "log", "-1", "--format=%ct").Output(); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64); err == nil {
			return n
		}
	}
	return 0
}

func run(version, ldflags, out string, platforms []string, modTime time.Time) error {
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	build := filepath.Join(out, ".build")
	for _, platform := range platforms {
		goos, goarch, ok := strings.Cut(platform, "/")
		if !ok {
			return fmt.Errorf("platform %q: want GOOS/GOARCH", platform)
		}
		staging := filepath.Join(build, goos+"_"+goarch)
		files, err := stage(staging, goos, goarch, ldflags)
		if err != nil {
			return fmt.Errorf("%s: %w", platform, err)
		}
		archive := filepath.Join(out, fmt.Sprintf("%s_%s_%s_%s", pluginName, version, goos, goarch))
		if goos == "windows" {
			archive += ".zip"
			err = writeZip(archive, staging, files, modTime)
		} else {
			archive += ".tar.gz"
			err = writeTarGz(archive, staging, files, modTime)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", platform, err)
		}
		sum, err := writeChecksum(archive)
		if err != nil {
			return err
		}
		fmt.Printf("%s  %s\n", sum, filepath.Base(archive))
	}
	return os.RemoveAll(build)
}

// stage builds the binary for one platform into dir next to the other files
// of its archive, and returns the archive's file names.
func stage(dir, goos, goarch, ldflags string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	bin, helper := pluginName, helperName
	if goos == "windows" {
		bin, helper = pluginName+".exe", helperName+".cmd"
	}
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", filepath.Join(dir, bin), mainPkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go build: %w", err)
	}
	if err := copyFile("LICENSE", filepath.Join(dir, "LICENSE")); err != nil {
		return nil, err
	}
	if err := copyFile(filepath.Join("deploy", "completion", helper), filepath.Join(dir, helper)); err != nil {
		return nil, err
	}
	files := []string{bin, "LICENSE", helper}
	sort.Strings(files)
	return files, nil
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o644)
}

// mode is the permission a file gets in the archive: executables (the binary
// and the POSIX completion helper) 0755, the rest 0644.
func mode(name string) int64 {
	if name == "LICENSE" || strings.HasSuffix(name, ".cmd") {
		return 0o644
	}
	return 0o755
}

func writeTarGz(path, dir string, files []string, modTime time.Time) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer closeInto(f, &err)
	gz, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		return err
	}
	defer closeInto(gz, &err)
	tw := tar.NewWriter(gz)
	defer closeInto(tw, &err)
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		hdr := &tar.Header{
			Name:    name,
			Mode:    mode(name),
			Size:    int64(len(data)),
			ModTime: modTime,
			Uname:   "root",
			Gname:   "root",
			Format:  tar.FormatPAX,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	return nil
}

func writeZip(path, dir string, files []string, modTime time.Time) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer closeInto(f, &err)
	zw := zip.NewWriter(f)
	defer closeInto(zw, &err)
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		hdr := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modTime}
		hdr.SetMode(os.FileMode(mode(name)))
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	return nil
}

// closeInto closes c and keeps its error unless an earlier one is set: a
// failed Close of an archive writer means a truncated archive.
func closeInto(c io.Closer, err *error) {
	if cerr := c.Close(); cerr != nil && *err == nil {
		*err = cerr
	}
}

// writeChecksum writes ARCHIVE.sha256 in sha256sum's format.
func writeChecksum(archive string) (string, error) {
	f, err := os.Open(archive)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	line := fmt.Sprintf("%s  %s\n", sum, filepath.Base(archive))
	return sum, os.WriteFile(archive+".sha256", []byte(line), 0o644)
}
