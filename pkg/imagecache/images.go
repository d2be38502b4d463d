package imagecache

import (
	"fmt"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// sparkContainers are the containers of the pod templates whose image Spark
// sets itself: the operator names them with
// spark.kubernetes.{driver,executor}.podTemplateContainerName, and Spark takes
// the first container when none has that name.
var sparkContainers = map[sparkapp.Role]string{
	sparkapp.Driver:   "spark-kubernetes-driver",
	sparkapp.Executor: "spark-kubernetes-executor",
}

// ApplicationImages lists, sorted and each once, every image the pods of a
// SparkApplication (or of each run of a ScheduledSparkApplication), or of a
// SparkConnect, pull: per role the Spark image, the operator's init
// containers and sidecars, and the containers and init containers of the
// role's pod template but Spark's own, whose image Spark sets.
//
// The Spark image of a SparkApplication's role is the role's own, else the
// application's. A SparkConnect's roles have no image of their own: the
// operator takes the image of the Spark container of the role's template
// when it has one (the server's Spark container is the one named
// spark-kubernetes-driver, else the first; the executor's only the one
// named spark-kubernetes-executor), else spec.image.
func ApplicationImages(obj map[string]interface{}) ([]string, error) {
	kind, _ := obj["kind"].(string)
	appSpec, _, _ := unstructured.NestedMap(obj, sparkapp.AppSpecPath(kind)...)
	appImage, _, _ := unstructured.NestedString(appSpec, "image")
	seen := map[string]bool{}
	for _, role := range sparkapp.Roles {
		field := sparkapp.RoleField(kind, role)
		roleSpec, _, _ := unstructured.NestedMap(appSpec, field)
		templateContainers, err := containersAt(roleSpec, "template", "spec", "containers")
		if err != nil {
			return nil, fmt.Errorf("spec.%s: %w", field, err)
		}
		image, _, _ := unstructured.NestedString(roleSpec, "image")
		if kind == sparkapp.KindSparkConnect {
			image = connectSparkImage(templateContainers, role)
		}
		if image == "" {
			image = appImage
		}
		switch {
		case image == "" && kind == sparkapp.KindSparkConnect:
			return nil, fmt.Errorf("the %s has no image: set spec.image", field)
		case image == "":
			return nil, fmt.Errorf("the %s has no image: set spec.image (or spec.%s.image)", field, field)
		}
		seen[image] = true
		var containers []corev1.Container
		for _, path := range [][]string{{"initContainers"}, {"sidecars"}, {"template", "spec", "initContainers"}} {
			list, err := containersAt(roleSpec, path...)
			if err != nil {
				return nil, fmt.Errorf("spec.%s: %w", field, err)
			}
			containers = append(containers, list...)
		}
		containers = append(containers, withoutSparkContainer(templateContainers, sparkContainers[role])...)
		for _, c := range containers {
			if c.Image != "" {
				seen[c.Image] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen)), nil
}

// connectSparkImage is the image a SparkConnect's template gives the
// Spark container of role: "" when it gives none.
func connectSparkImage(containers []corev1.Container, role sparkapp.Role) string {
	i := slices.IndexFunc(containers, func(c corev1.Container) bool { return c.Name == sparkContainers[role] })
	if i < 0 && role == sparkapp.Driver && len(containers) > 0 {
		i = 0
	}
	if i < 0 {
		return ""
	}
	return containers[i].Image
}

// withoutSparkContainer drops the container Spark runs in from a template's
// containers: the one named name, else the first.
func withoutSparkContainer(containers []corev1.Container, name string) []corev1.Container {
	i := slices.IndexFunc(containers, func(c corev1.Container) bool { return c.Name == name })
	if i < 0 && len(containers) > 0 {
		i = 0
	}
	if i < 0 {
		return nil
	}
	return slices.Delete(slices.Clone(containers), i, i+1)
}

func containersAt(m map[string]interface{}, path ...string) ([]corev1.Container, error) {
	items, found, err := unstructured.NestedSlice(m, path...)
	if err != nil || !found {
		return nil, err
	}
	out := make([]corev1.Container, 0, len(items))
	for _, item := range items {
		fields, ok := item.(map[string]interface{})
		if !ok {
			return nil, fmt.Errorf("%v: a container is not an object", path)
		}
		var c corev1.Container
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(fields, &c); err != nil {
			return nil, fmt.Errorf("%v: %w", path, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// ApplicationPullSecrets lists, sorted and each once, the names of the
// secrets the pods of an application pull their images with: the
// application's spec.imagePullSecrets (a SparkConnect has none) and those of
// its roles' pod templates, which Spark and the operator keep.
func ApplicationPullSecrets(obj map[string]interface{}) []string {
	kind, _ := obj["kind"].(string)
	appSpec, _, _ := unstructured.NestedMap(obj, sparkapp.AppSpecPath(kind)...)
	seen := map[string]bool{}
	own, _, _ := unstructured.NestedStringSlice(appSpec, "imagePullSecrets")
	for _, name := range own {
		seen[name] = true
	}
	for _, role := range sparkapp.Roles {
		refs, _, _ := unstructured.NestedSlice(appSpec, sparkapp.RoleField(kind, role), "template", "spec", "imagePullSecrets")
		for _, ref := range refs {
			if name, _, _ := unstructured.NestedString(asMap(ref), "name"); name != "" {
				seen[name] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

func asMap(v interface{}) map[string]interface{} {
	m, _ := v.(map[string]interface{})
	return m
}
