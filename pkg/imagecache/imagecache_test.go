package imagecache

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/internal/golden"
)

func TestSpecValidate(t *testing.T) {
	ok := Spec{Images: []string{"spark:3.5.2"}}
	for _, tc := range []struct {
		name    string
		edit    func(*Spec)
		wantErr string
	}{
		{"defaults", func(*Spec) {}, ""},
		{"bounds", func(s *Spec) { s.SizeGiB, s.RetentionDays = 32768, 65536 }, ""},
		{"lower bounds", func(s *Spec) { s.SizeGiB, s.RetentionDays = 20, 1 }, ""},
		{"no images", func(s *Spec) { s.Images = nil }, "at least one image"},
		{"too small", func(s *Spec) { s.SizeGiB = 19 }, "invalid --size 19: ECI takes 20 to 32768 GiB"},
		{"too large", func(s *Spec) { s.SizeGiB = 32769 }, "invalid --size 32769"},
		{"negative retention", func(s *Spec) { s.RetentionDays = -1 }, "invalid --retention-days -1: ECI takes 1 to 65536"},
		{"retention too long", func(s *Spec) { s.RetentionDays = 65537 }, "invalid --retention-days 65537"},
		{"secret", func(s *Spec) { s.PullSecrets = []string{"spark:acr-pull"} }, ""},
		{"secret without a namespace", func(s *Spec) { s.PullSecrets = []string{"acr-pull"} }, `invalid pull secret "acr-pull": want NAMESPACE:NAME`},
		{"bad secret name", func(s *Spec) { s.PullSecrets = []string{"spark:Bad_Name"} }, "invalid pull secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			tc.edit(&s)
			err := s.Validate()
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestNew(t *testing.T) {
	obj := New("default-spark-pi-1a2b3c4d", Spec{
		Images:      []string{"busybox:1.36", sparkImage},
		PullSecrets: []string{"default:acr-pull"},
		SizeGiB:     40, RetentionDays: 7,
	}, "default", "spark-pi")
	b, err := yaml.Marshal(obj.Object)
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "imagecache.yaml", string(b))

	// ECI's defaults are left to ECI.
	minimal := New("c", Spec{Images: []string{sparkImage}}, "ns", "app").Object["spec"].(map[string]interface{})
	if len(minimal) != 1 {
		t.Errorf("spec with defaults: %v, want images alone", minimal)
	}
}

func TestDefaultName(t *testing.T) {
	images := []string{"busybox:1.36", sparkImage}
	name := DefaultName("default", "spark-pi", images)
	if !strings.HasPrefix(name, "default-spark-pi-") || len(name) != len("default-spark-pi-")+8 {
		t.Errorf("name %q", name)
	}
	if again := DefaultName("default", "spark-pi", images); again != name {
		t.Errorf("not stable: %q then %q", name, again)
	}
	if other := DefaultName("default", "spark-pi", []string{sparkImage}); other == name {
		t.Errorf("other images, same name %q", name)
	}
	for _, app := range []string{strings.Repeat("a.", 100) + "a", strings.Repeat("b", 253)} {
		long := DefaultName(strings.Repeat("n", 63), app, images)
		if errs := validation.IsDNS1123Subdomain(long); len(errs) > 0 || len(long) > 63 {
			t.Errorf("long name %q (%d characters): %v", long, len(long), errs)
		}
	}
}
