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
// SparkApplication (or of each run of a ScheduledSparkApplication) pull: per
// role the Spark image (the role's own, else the application's), the
// operator's init containers and sidecars, and the containers and init
// containers of the role's pod template but Spark's own, whose image Spark
// replaces.
func ApplicationImages(obj map[string]interface{}) ([]string, error) {
	kind, _ := obj["kind"].(string)
	appSpec, _, _ := unstructured.NestedMap(obj, sparkapp.AppSpecPath(kind)...)
	appImage, _, _ := unstructured.NestedString(appSpec, "image")
	seen := map[string]bool{}
	for _, role := range sparkapp.Roles {
		roleSpec, _, _ := unstructured.NestedMap(appSpec, string(role))
		image, _, _ := unstructured.NestedString(roleSpec, "image")
		if image == "" {
			image = appImage
		}
		if image == "" {
			return nil, fmt.Errorf("the %s has no image: set spec.image (or spec.%s.image)", role, role)
		}
		seen[image] = true
		var containers []corev1.Container
		for _, path := range [][]string{{"initContainers"}, {"sidecars"}, {"template", "spec", "initContainers"}} {
			list, err := containersAt(roleSpec, path...)
			if err != nil {
				return nil, fmt.Errorf("spec.%s: %w", role, err)
			}
			containers = append(containers, list...)
		}
		templateContainers, err := containersAt(roleSpec, "template", "spec", "containers")
		if err != nil {
			return nil, fmt.Errorf("spec.%s: %w", role, err)
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
