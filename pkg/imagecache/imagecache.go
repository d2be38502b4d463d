package imagecache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
)

// The ImageCache API of ECI.
var (
	GroupVersion = schema.GroupVersion{Group: "eci.alibabacloud.com", Version: "v1"}
	Resource     = GroupVersion.WithResource("imagecaches")
	GroupKind    = schema.GroupKind{Group: GroupVersion.Group, Kind: Kind}
)

// Kind and CRD of ECI's image caches.
const (
	Kind    = "ImageCache"
	CRDName = "imagecaches.eci.alibabacloud.com"
	// Component is the ACK add-on that installs the CRD and runs the controller.
	Component = "ack-virtual-node"
)

// Documented bounds of the spec's fields.
const (
	MinSizeGiB       = 20
	MaxSizeGiB       = 32768
	MinRetentionDays = 1
	MaxRetentionDays = 65536
)

// AnnotationFor names, on a cache this plugin created, the application it was
// made for (namespace/name): caches are cluster-scoped, applications are not.
const AnnotationFor = "spark-eci.io/for"

// Spec is what an ImageCache holds. Zero SizeGiB and RetentionDays leave
// ECI's defaults: 20 GiB, never expires.
type Spec struct {
	Images        []string
	PullSecrets   []string // namespace:name
	SizeGiB       int
	RetentionDays int
}

// Validate checks the spec against the bounds ECI documents, so that a bad
// value is refused before anything is sent.
func (s Spec) Validate() error {
	if len(s.Images) == 0 {
		return fmt.Errorf("an image cache needs at least one image")
	}
	if err := ValidSize(s.SizeGiB); err != nil {
		return err
	}
	if err := ValidRetention(s.RetentionDays); err != nil {
		return err
	}
	for _, secret := range s.PullSecrets {
		if err := ValidPullSecret(secret); err != nil {
			return err
		}
	}
	return nil
}

// ValidSize checks a cache size in GiB; 0 leaves ECI's default.
func ValidSize(gib int) error {
	if gib != 0 && (gib < MinSizeGiB || gib > MaxSizeGiB) {
		return fmt.Errorf("invalid --size %d: ECI takes %d to %d GiB", gib, MinSizeGiB, MaxSizeGiB)
	}
	return nil
}

// ValidRetention checks a retention in days; 0: the cache never expires.
func ValidRetention(days int) error {
	if days != 0 && (days < MinRetentionDays || days > MaxRetentionDays) {
		return fmt.Errorf("invalid --retention-days %d: ECI takes %d to %d", days, MinRetentionDays, MaxRetentionDays)
	}
	return nil
}

// ValidPullSecret checks a pull secret as ECI names it: NAMESPACE:NAME.
func ValidPullSecret(secret string) error {
	ns, name, ok := strings.Cut(secret, ":")
	if !ok || len(validation.IsDNS1123Label(ns)) > 0 || len(validation.IsDNS1123Subdomain(name)) > 0 {
		return fmt.Errorf("invalid pull secret %q: want NAMESPACE:NAME", secret)
	}
	return nil
}

// New builds the ImageCache object name holding spec, made for the
// application namespace/app.
func New(name string, spec Spec, namespace, app string) *unstructured.Unstructured {
	obj := &unstructured.Unstructured{Object: map[string]interface{}{}}
	obj.SetAPIVersion(GroupVersion.String())
	obj.SetKind(Kind)
	obj.SetName(name)
	obj.SetAnnotations(map[string]string{AnnotationFor: namespace + "/" + app})
	s := map[string]interface{}{"images": toInterfaces(spec.Images)}
	if len(spec.PullSecrets) > 0 {
		s["imagePullSecrets"] = toInterfaces(spec.PullSecrets)
	}
	if spec.SizeGiB != 0 {
		s["imageCacheSize"] = int64(spec.SizeGiB)
	}
	if spec.RetentionDays != 0 {
		s["retentionDays"] = int64(spec.RetentionDays)
	}
	obj.Object["spec"] = s
	return obj
}

func toInterfaces(items []string) []interface{} {
	out := make([]interface{}, len(items))
	for i, s := range items {
		out[i] = s
	}
	return out
}

// DefaultName names the cache of an application's images: the namespace and
// name of the application, and a digest of the images, so that a new image
// gets a new cache and the old one stays for the runs still using it.
func DefaultName(namespace, app string, images []string) string {
	sum := sha256.Sum256([]byte(strings.Join(images, "\n")))
	suffix := "-" + hex.EncodeToString(sum[:])[:8]
	prefix := namespace + "-" + app
	// A DNS label's 63 characters keep the name readable in every column.
	if max := validation.DNS1123LabelMaxLength - len(suffix); len(prefix) > max {
		prefix = strings.TrimRight(prefix[:max], "-.")
	}
	return prefix + suffix
}
