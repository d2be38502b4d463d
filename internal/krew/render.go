package krew

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"
)

// Render executes a .krew.yaml release template as the krew release automation
// does, for the release tag, except that addURIAndSha reads each archive from
// assetDir (by the URI's base name) instead of downloading it.
func Render(tmpl []byte, tag, assetDir string) ([]byte, error) {
	values := releaseValues(tag)
	var renderErr error
	funcs := template.FuncMap{
		"indent": indent,
		"addURIAndSha": func(uriTemplate, tag string) string {
			uri, err := execute("uri", uriTemplate, releaseValues(tag))
			if err != nil {
				renderErr = err
				return ""
			}
			sum, err := FileSHA256(filepath.Join(assetDir, path.Base(uri)))
			if err != nil {
				renderErr = fmt.Errorf("sha256 of %s: %w", uri, err)
				return ""
			}
			return fmt.Sprintf("uri: %s\n    sha256: %s", uri, sum)
		},
	}
	t, err := template.New(".krew.yaml").Funcs(funcs).Parse(string(tmpl))
	if err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	var out bytes.Buffer
	if err := t.Execute(&out, values); err != nil {
		return nil, fmt.Errorf("render template: %w", err)
	}
	if renderErr != nil {
		return nil, renderErr
	}
	return out.Bytes(), nil
}

type release struct {
	TagName string
	Version string
}

var versionInTag = regexp.MustCompile(`\d+(\.\d+)+`)

// releaseValues are the names a template may use: the tag, and the version
// without the tag's prefix.
func releaseValues(tag string) release {
	v := versionInTag.FindString(tag)
	if v == "" {
		v = tag
	}
	return release{TagName: tag, Version: v}
}

func execute(name, text string, values any) (string, error) {
	t, err := template.New(name).Parse(text)
	if err != nil {
		return "", fmt.Errorf("parse %s template %q: %w", name, text, err)
	}
	var out strings.Builder
	if err := t.Execute(&out, values); err != nil {
		return "", fmt.Errorf("render %s template %q: %w", name, text, err)
	}
	return out.String(), nil
}

// indent is the release automation's helper of the same name.
func indent(spaces int, v string) string {
	v = strings.ReplaceAll(v, "    sha256:", "sha256:")
	pad := strings.Repeat(" ", spaces)
	return strings.TrimSpace(pad + strings.ReplaceAll(v, "\n", "\n"+pad))
}

// FileSHA256 returns the lowercase hex sha256 of a file.
func FileSHA256(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
