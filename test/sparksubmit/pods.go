package sparksubmit

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"
)

// The roles, as Spark's configuration keys name them.
const (
	Driver   = "driver"
	Executor = "executor"
)

// Keys of the properties spark-submit hands the driver.
const (
	keyAppID            = "spark.app.id"
	keyExecutorPrefix   = "spark.kubernetes.executor.podNamePrefix"
	keyExecutors        = "spark.executor.instances"
	propertiesFile      = "spark.properties"
	confMountPath       = "/opt/spark/conf"
	defaultSparkVersion = "3.5.2"
)

// NewAppID makes an application id as Spark does: spark-, then 32 hex digits.
func NewAppID() string { return "spark-" + randomHex(16) }

// DriverPod is the driver pod spark-submit creates in cluster mode, and the
// ConfigMap of the properties it mounts into it. appID is the application's
// id (NewAppID).
func DriverPod(s *Submit, appID string) (*corev1.Pod, *corev1.ConfigMap, error) {
	c := maps.Clone(s.Conf)
	c[keyAppID] = appID
	appName := c.Get("spark", "spark.app.name")
	if c[keyExecutorPrefix] == "" {
		c[keyExecutorPrefix] = fmt.Sprintf("%s-%s", appName, randomHex(8))
	}
	pod, err := rolePod(c, Driver, c.Get(appName+"-"+randomHex(8)+"-driver", "spark.kubernetes.driver.pod.name"),
		[]string{"driver", "--properties-file", confMountPath + "/" + propertiesFile, "--class", s.Class, "spark-internal"})
	if err != nil {
		return nil, nil, err
	}
	configMap := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "spark-drv-" + randomHex(8) + "-conf-map", Namespace: pod.Namespace},
		Data:       map[string]string{propertiesFile: c.Properties()},
	}
	pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{
		Name:         "spark-conf-volume-driver",
		VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: configMap.Name}}},
	})
	container := &pod.Spec.Containers[sparkContainer(pod, c, Driver)]
	container.VolumeMounts = append(container.VolumeMounts, corev1.VolumeMount{Name: "spark-conf-volume-driver", MountPath: confMountPath})
	return pod, configMap, nil
}

// DriverConf reads the properties a driver pod was given from its ConfigMap.
func DriverConf(cm *corev1.ConfigMap) Conf { return ParseProperties(cm.Data[propertiesFile]) }

// ConfigMapName is the name of the ConfigMap of a driver's properties.
func ConfigMapName(driver *corev1.Pod) string {
	for _, v := range driver.Spec.Volumes {
		if v.Name == "spark-conf-volume-driver" && v.ConfigMap != nil {
			return v.ConfigMap.Name
		}
	}
	return ""
}

// Executors is how many executors the driver asks for at first.
func Executors(c Conf) int {
	n, err := strconv.Atoi(c.Get("2", keyExecutors))
	if err != nil {
		return 2
	}
	return n
}

// ExecutorPod is executor id of the driver, as the driver creates it from
// its properties; the driver pod owns it, so that it goes when the driver
// goes.
func ExecutorPod(c Conf, driver *corev1.Pod, id int) (*corev1.Pod, error) {
	pod, err := rolePod(c, Executor, fmt.Sprintf("%s-exec-%d", c[keyExecutorPrefix], id), []string{"executor"})
	if err != nil {
		return nil, err
	}
	pod.Labels["spark-exec-id"] = strconv.Itoa(id)
	pod.Labels["spark-exec-resourceprofile-id"] = "0"
	// Spark adds the driver to the owners the template may give.
	pod.OwnerReferences = append(pod.OwnerReferences, metav1.OwnerReference{
		APIVersion: "v1", Kind: "Pod", Name: driver.Name, UID: driver.UID, Controller: ptr.To(true),
	})
	return pod, nil
}

// rolePod builds the pod of a role from its pod template, if any, and the
// role's configuration over it.
func rolePod(c Conf, role, name string, args []string) (*corev1.Pod, error) {
	pod := &corev1.Pod{}
	if file := c["spark.kubernetes."+role+".podTemplateFile"]; file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("%s pod template: %w", role, err)
		}
		if err := yaml.Unmarshal(b, pod); err != nil {
			return nil, fmt.Errorf("%s pod template %s: %w", role, file, err)
		}
	}
	pod.Name, pod.Namespace = name, c.Get("default", "spark.kubernetes.namespace")
	pod.Labels = merge(pod.Labels, c.Prefixed("spark.kubernetes."+role+".label."), map[string]string{
		"spark-app-selector": c[keyAppID],
		"spark-app-name":     c.Get("spark", "spark.app.name"),
		"spark-role":         role,
		"spark-version":      defaultSparkVersion,
	})
	if annotations := c.Prefixed("spark.kubernetes." + role + ".annotation."); len(annotations) > 0 {
		pod.Annotations = merge(pod.Annotations, annotations)
	}
	if selector := merge(pod.Spec.NodeSelector, c.Prefixed("spark.kubernetes.node.selector."), c.Prefixed("spark.kubernetes."+role+".node.selector.")); len(selector) > 0 {
		pod.Spec.NodeSelector = selector
	}
	pod.Spec.RestartPolicy = corev1.RestartPolicyNever
	if sa := c["spark.kubernetes.authenticate."+role+".serviceAccountName"]; sa != "" {
		pod.Spec.ServiceAccountName = sa
	}

	i := sparkContainer(pod, c, role)
	if i < 0 {
		pod.Spec.Containers = append([]corev1.Container{{Name: "spark-kubernetes-" + role}}, pod.Spec.Containers...)
		i = 0
	}
	container := &pod.Spec.Containers[i]
	container.Image = c.Get("", "spark.kubernetes."+role+".container.image", "spark.kubernetes.container.image")
	if container.Image == "" {
		return nil, fmt.Errorf("no image: set spark.kubernetes.container.image")
	}
	container.ImagePullPolicy = corev1.PullIfNotPresent
	container.Args = args
	resources, err := roleResources(c, role)
	if err != nil {
		return nil, err
	}
	container.Resources = resources
	return pod, nil
}

// sparkContainer is the index of the container Spark runs in: the one the
// role's podTemplateContainerName names, else the first; -1 when there is none.
func sparkContainer(pod *corev1.Pod, c Conf, role string) int {
	if name := c["spark.kubernetes."+role+".podTemplateContainerName"]; name != "" {
		if i := slices.IndexFunc(pod.Spec.Containers, func(c corev1.Container) bool { return c.Name == name }); i >= 0 {
			return i
		}
	}
	if len(pod.Spec.Containers) > 0 {
		return 0
	}
	return -1
}

// roleResources are the requests and limits Spark sets: cores, and the heap
// plus its overhead (10% of the heap, at least 384 MiB, unless configured).
func roleResources(c Conf, role string) (corev1.ResourceRequirements, error) {
	cpu, err := resource.ParseQuantity(c.Get("1", "spark.kubernetes."+role+".request.cores", "spark."+role+".cores"))
	if err != nil {
		return corev1.ResourceRequirements{}, fmt.Errorf("%s cores: %w", role, err)
	}
	heap, err := JVMMiB(c.Get("1g", "spark."+role+".memory"))
	if err != nil {
		return corev1.ResourceRequirements{}, fmt.Errorf("spark.%s.memory: %w", role, err)
	}
	factor, err := strconv.ParseFloat(c.Get("0.1", "spark."+role+".memoryOverheadFactor", "spark.kubernetes.memoryOverheadFactor"), 64)
	if err != nil {
		return corev1.ResourceRequirements{}, fmt.Errorf("memory overhead factor: %w", err)
	}
	overhead := max(int64(factor*float64(heap)), 384)
	if m := c["spark."+role+".memoryOverhead"]; m != "" {
		if overhead, err = JVMMiB(m); err != nil {
			return corev1.ResourceRequirements{}, fmt.Errorf("spark.%s.memoryOverhead: %w", role, err)
		}
	}
	memory := *resource.NewQuantity((heap+overhead)<<20, resource.BinarySI)
	r := corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: cpu, corev1.ResourceMemory: memory},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: memory},
	}
	if l := c["spark.kubernetes."+role+".limit.cores"]; l != "" {
		limit, err := resource.ParseQuantity(l)
		if err != nil {
			return r, fmt.Errorf("%s limit cores: %w", role, err)
		}
		r.Limits[corev1.ResourceCPU] = limit
	}
	return r, nil
}

// JVMMiB reads a JVM memory size ("512m", "4g", "2048k") in MiB, rounding
// down as Spark does; a bare number is MiB, as in spark.driver.memory.
func JVMMiB(s string) (int64, error) {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "b")
	shift := map[byte]int{'k': 10, 'm': 20, 'g': 30, 't': 40, 'p': 50}
	bits := 20
	if s != "" {
		if b, ok := shift[s[len(s)-1]]; ok {
			bits, s = b, s[:len(s)-1]
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid JVM memory size %q", s)
	}
	return (n << bits) >> 20, nil
}

// merge returns the maps merged, later ones winning; nil when all are empty.
func merge(ms ...map[string]string) map[string]string {
	var out map[string]string
	for _, m := range ms {
		for k, v := range m {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}

func randomHex(bytes int) string {
	b := make([]byte, bytes)
	rand.Read(b) // never fails
	return hex.EncodeToString(b)
}
