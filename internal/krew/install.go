package krew

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Install unpacks a platform's archive into dir the way krew installs a
// plugin: it checks the archive's sha256, extracts it, applies the files
// operations (all files when there are none), and checks that the installed
// files hold the bin and a LICENSE. It returns the path of the bin.
func Install(pl Platform, archive, dir string) (string, error) {
	sum, err := FileSHA256(archive)
	if err != nil {
		return "", err
	}
	if sum != pl.Sha256 {
		return "", fmt.Errorf("%s: sha256 %s, the manifest says %s", filepath.Base(archive), sum, pl.Sha256)
	}
	extracted, err := os.MkdirTemp("", "krew-extract-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(extracted)
	if err := extract(archive, extracted); err != nil {
		return "", fmt.Errorf("extract %s: %w", filepath.Base(archive), err)
	}
	ops := pl.Files
	if len(ops) == 0 {
		ops = []FileOperation{{From: "*", To: "."}}
	}
	for _, op := range ops {
		if err := moveFiles(extracted, dir, op); err != nil {
			return "", err
		}
	}
	bin := filepath.Join(dir, filepath.FromSlash(pl.Bin))
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("bin %q is not among the installed files", pl.Bin)
	}
	licenses, _ := filepath.Glob(filepath.Join(dir, "LICENSE*"))
	if len(licenses) == 0 {
		return "", errors.New("the installed files hold no LICENSE")
	}
	return bin, nil
}

// extract unpacks a tar.gz or zip archive, told apart by content as krew
// does, refusing entries that would land outside dir.
func extract(archive, dir string) error {
	data, err := os.ReadFile(archive)
	if err != nil {
		return err
	}
	switch {
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		return extractTarGz(data, dir)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return extractZip(data, dir)
	default:
		return errors.New("neither a tar.gz nor a zip archive")
	}
}

func target(dir, name string) (string, error) {
	clean := filepath.Clean(filepath.FromSlash(name))
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("entry %q leaves the extraction directory", name)
	}
	return filepath.Join(dir, clean), nil
}

func extractTarGz(data []byte, dir string) error {
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		path, err := target(dir, hdr.Name)
		if err != nil {
			return err
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(path, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := writeFile(path, tr, os.FileMode(hdr.Mode).Perm()); err != nil {
				return err
			}
		default:
			return fmt.Errorf("entry %q: unsupported type %c", hdr.Name, hdr.Typeflag)
		}
	}
}

func extractZip(data []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	for _, f := range zr.File {
		path, err := target(dir, f.Name)
		if err != nil {
			return err
		}
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(path, 0o755); err != nil {
				return err
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		err = writeFile(path, rc, f.Mode().Perm())
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, r io.Reader, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// moveFiles applies one files operation: every extracted file matching From
// goes to To, into it when To is a directory (".", or ending in /) or when
// From matched several files.
func moveFiles(from, to string, op FileOperation) error {
	matches, err := filepath.Glob(filepath.Join(from, filepath.FromSlash(op.From)))
	if err != nil {
		return fmt.Errorf("files from %q: %w", op.From, err)
	}
	if len(matches) == 0 {
		return fmt.Errorf("files from %q: nothing in the archive matches", op.From)
	}
	dest, err := target(to, op.To)
	if err != nil {
		return err
	}
	intoDir := op.To == "." || strings.HasSuffix(op.To, "/") || len(matches) > 1
	for _, m := range matches {
		d := dest
		if intoDir {
			d = filepath.Join(dest, filepath.Base(m))
		}
		if err := os.MkdirAll(filepath.Dir(d), 0o755); err != nil {
			return err
		}
		if err := os.Rename(m, d); err != nil {
			return err
		}
	}
	return nil
}
