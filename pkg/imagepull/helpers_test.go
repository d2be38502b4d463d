package imagepull

import (
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// The image and cache of the seed's "Compare startup with and without an
// image cache".
const (
	sparkImage = "registry-cn-hangzhou.ack.aliyuncs.com/ack-demo/spark:3.5.2"
	seedCache  = "imc-2zeXXXXXXXXXXXXXXXXX"
	eciNode    = "virtual-kubelet-cn-beijing-i"
	ecsNode    = "cn-beijing.192.168.0.250"
	driverC    = "spark-kubernetes-driver"
	executorC  = "spark-kubernetes-executor"
)

// t0 is when the tests' pods were created; at(s) is s seconds later.
var t0 = time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

func isECI(node string) bool { return strings.HasPrefix(node, "virtual-kubelet") }

// event is a core/v1 event as the kubelet or ECI writes it, seen once at s.
func event(reason, message string, s float64, opts ...func(*corev1.Event)) corev1.Event {
	e := corev1.Event{
		Reason:         reason,
		Message:        message,
		Count:          1,
		FirstTimestamp: metav1.NewTime(at(s)),
		LastTimestamp:  metav1.NewTime(at(s)),
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", APIVersion: "v1"},
	}
	for _, o := range opts {
		o(&e)
	}
	return e
}

// kubelet writes about a container.
func kubelet(reason, message string, s float64, container string, opts ...func(*corev1.Event)) corev1.Event {
	opts = append([]func(*corev1.Event){inContainer(container), source("kubelet")}, opts...)
	return event(reason, message, s, opts...)
}

// eciEvent is ECI's event about the pod's image cache.
func eciEvent(reason, message string, s float64) corev1.Event {
	return event(reason, message, s, source("EciService"))
}

func inContainer(name string) func(*corev1.Event) {
	return func(e *corev1.Event) { e.InvolvedObject.FieldPath = "spec.containers{" + name + "}" }
}

func inInit(name string) func(*corev1.Event) {
	return func(e *corev1.Event) { e.InvolvedObject.FieldPath = "spec.initContainers{" + name + "}" }
}

func source(component string) func(*corev1.Event) {
	return func(e *corev1.Event) { e.Source.Component = component }
}

// repeated: seen n times, the last at s.
func repeated(n int32, s float64) func(*corev1.Event) {
	return func(e *corev1.Event) { e.Count = n; e.LastTimestamp = metav1.NewTime(at(s)) }
}

// about sets the pod the event is about.
func about(namespace, name, uid string) func(*corev1.Event) {
	return func(e *corev1.Event) {
		e.InvolvedObject.Namespace, e.InvolvedObject.Name, e.InvolvedObject.UID = namespace, name, types.UID(uid)
	}
}

// pod is a Spark pod with one container running image.
func pod(name, role, node string) *corev1.Pod {
	container := executorC
	if role == string(sparkapp.Driver) {
		container = driverC
	}
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "spark", Name: name, UID: types.UID("uid-" + name)},
		Spec: corev1.PodSpec{
			NodeName:   node,
			Containers: []corev1.Container{{Name: container, Image: sparkImage}},
		},
		Status: corev1.PodStatus{Phase: corev1.PodRunning},
	}
	if role != "" {
		p.Labels = map[string]string{sparkapp.LabelSparkRole: role}
	}
	if node == "" {
		p.Status.Phase = corev1.PodPending
	}
	return p
}

func withMatched(p *corev1.Pod, id string) *corev1.Pod {
	p.Annotations = map[string]string{eci.AnnotationMatchedImageCache: id}
	return p
}

// Messages as the kubelet and ECI write them.
func pulling(image string) string { return `Pulling image "` + image + `"` }

func present(image string) string {
	return `Container image "` + image + `" already present on machine`
}

const (
	seedMissed      = "[eci.imagecache]Missed image cache."
	seedAutoCreated = "[eci.imagecache]Image cache " + seedCache + " is auto created"
	seedHit         = "[eci.imagecache]Successfully hit image cache " + seedCache + ", eci will be scheduled with this image cache."
	seedPulled      = `Successfully pulled image "` + sparkImage + `" in 1m41.289s (1m41.289s including waiting)`
	pulled130       = `Successfully pulled image "` + sparkImage + `" in 4.614s (4.614s including waiting). Image size: 336066994 bytes.`
)
