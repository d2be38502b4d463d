package krew

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/version"
)

var (
	validName   = regexp.MustCompile(`^[\w-]+$`)
	validSha256 = regexp.MustCompile(`^[a-f0-9]{64}$`)
)

// KnownPlatforms are the os/arch pairs checked for being matched by more than
// one platform entry: those Go and krew release for.
var KnownPlatforms = []map[string]string{
	{"os": "darwin", "arch": "amd64"}, {"os": "darwin", "arch": "arm64"},
	{"os": "linux", "arch": "386"}, {"os": "linux", "arch": "amd64"},
	{"os": "linux", "arch": "arm"}, {"os": "linux", "arch": "arm64"},
	{"os": "linux", "arch": "ppc64le"}, {"os": "linux", "arch": "s390x"},
	{"os": "windows", "arch": "386"}, {"os": "windows", "arch": "amd64"},
	{"os": "windows", "arch": "arm64"},
}

// Validate checks a manifest read from fileName against the rules of the krew
// index. It reports every broken rule, not only the first.
func Validate(p *Plugin, fileName string) error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if p.APIVersion != APIVersion {
		add("apiVersion %q: want %q", p.APIVersion, APIVersion)
	}
	if p.Kind != Kind {
		add("kind %q: want %q", p.Kind, Kind)
	}
	if !validName.MatchString(p.Name) {
		add("metadata.name %q: want letters, digits, _ and -", p.Name)
	}
	if want := strings.TrimSuffix(filepath.Base(fileName), filepath.Ext(fileName)); p.Name != want {
		add("metadata.name %q differs from the file name %q", p.Name, want)
	}
	if !strings.HasPrefix(p.Spec.Version, "v") {
		add("spec.version %q: want a leading v", p.Spec.Version)
	} else if _, err := version.ParseSemantic(p.Spec.Version); err != nil {
		add("spec.version %q is not semver: %v", p.Spec.Version, err)
	}
	if u, err := url.Parse(p.Spec.Homepage); p.Spec.Homepage == "" || err != nil || u.Scheme != "https" {
		add("spec.homepage %q: want an https URL", p.Spec.Homepage)
	}
	switch sd := p.Spec.ShortDescription; {
	case strings.TrimSpace(sd) == "":
		add("spec.shortDescription is empty")
	case strings.ContainsAny(strings.TrimRight(sd, "\n"), "\r\n"):
		add("spec.shortDescription spans more than one line")
	}
	if strings.TrimSpace(p.Spec.Description) == "" {
		add("spec.description is empty")
	}
	if len(p.Spec.Platforms) == 0 {
		add("spec.platforms is empty")
	}
	for i, pl := range p.Spec.Platforms {
		for _, err := range validatePlatform(pl) {
			add("spec.platforms[%d]: %w", i, err)
		}
	}
	errs = append(errs, overlappingPlatforms(p.Spec.Platforms)...)
	return errors.Join(errs...)
}

func validatePlatform(pl Platform) []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if u, err := url.Parse(pl.URI); pl.URI == "" || err != nil || u.Scheme == "" {
		add("uri %q: want an absolute URL", pl.URI)
	}
	if !validSha256.MatchString(pl.Sha256) {
		add("sha256 %q: want 64 lowercase hex digits", pl.Sha256)
	}
	if pl.Bin == "" {
		add("bin is empty")
	} else if path.IsAbs(pl.Bin) || strings.HasPrefix(path.Clean(pl.Bin), "..") {
		add("bin %q leaves the installation directory", pl.Bin)
	}
	switch sel := pl.Selector; {
	case sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0):
		add("selector is empty: it would match every platform")
	case len(sel.MatchExpressions) > 0:
		add("selector has matchExpressions: only matchLabels os and arch are allowed")
	default:
		for k := range sel.MatchLabels {
			if k != "os" && k != "arch" {
				add("selector label %q: only os and arch are allowed", k)
			}
		}
	}
	for j, f := range pl.Files {
		if f.From == "" || f.To == "" {
			add("files[%d]: from and to are both required", j)
		}
	}
	return errs
}

// overlappingPlatforms reports each known os/arch that two platform entries
// both match: krew would install whichever comes first.
func overlappingPlatforms(platforms []Platform) []error {
	var errs []error
	selectors := make([]labels.Selector, len(platforms))
	for i, pl := range platforms {
		if pl.Selector == nil {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(pl.Selector)
		if err != nil {
			errs = append(errs, fmt.Errorf("spec.platforms[%d]: selector: %w", i, err))
			continue
		}
		selectors[i] = sel
	}
	for _, target := range KnownPlatforms {
		var matched []int
		for i, sel := range selectors {
			if sel != nil && sel.Matches(labels.Set(target)) {
				matched = append(matched, i)
			}
		}
		if len(matched) > 1 {
			errs = append(errs, fmt.Errorf("%s/%s is matched by platforms %v", target["os"], target["arch"], matched))
		}
	}
	return errs
}

// MatchPlatform returns the platform entry krew installs on goos/goarch.
func MatchPlatform(p *Plugin, goos, goarch string) (Platform, bool) {
	target := labels.Set{"os": goos, "arch": goarch}
	for _, pl := range p.Spec.Platforms {
		sel, err := metav1.LabelSelectorAsSelector(pl.Selector)
		if err == nil && pl.Selector != nil && sel.Matches(target) {
			return pl, true
		}
	}
	return Platform{}, false
}
