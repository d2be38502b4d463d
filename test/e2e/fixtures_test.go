//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
)

// Fake nodes, pods and events, written the way the kubelet, ECI and
// spark-submit write them.

// eciNodeName is named like ACK names its virtual nodes.
const eciNodeName = "virtual-kubelet-cn-hangzhou-i"

// fakeNode is a node as a kubelet registers it, or ack-virtual-node an ECI
// virtual node.
type fakeNode struct {
	name   string
	zone   string // topology.kubernetes.io/zone; none when ""
	eci    bool   // ack-virtual-node's label and taint, and a region's worth of capacity
	labels map[string]string
	// cordoned nodes are unschedulable; not-ready ones keep the taint the
	// API server gives every new node.
	cordoned, notReady bool
}

// ECS nodes are small: two hold a driver of the example application and two
// of its executors, no more. ack-virtual-node reports capacities this large:
// a virtual node is a region's worth of ECI, not a machine.
var (
	ecsCapacity = corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110"),
	}
	eciCapacity = corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("10000"), corev1.ResourceMemory: resource.MustParse("40Ti"), corev1.ResourcePods: resource.MustParse("20000"),
	}
	eciTaint = corev1.Taint{Key: "virtual-kubelet.io/provider", Value: "alibabacloud", Effect: corev1.TaintEffectNoSchedule}
)

// createNode registers n. The API server's admission taints every new node
// not-ready, and no node lifecycle controller runs here to lift it: a ready
// node gets it removed by hand, as that controller would once the kubelet
// reports Ready.
func createNode(ctx context.Context, client kubernetes.Interface, n fakeNode) error {
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: n.name, Labels: map[string]string{
			corev1.LabelHostname:   n.name,
			corev1.LabelOSStable:   "linux",
			corev1.LabelArchStable: "amd64",
		}},
		Spec: corev1.NodeSpec{Unschedulable: n.cordoned},
	}
	maps.Copy(node.Labels, n.labels)
	capacity := ecsCapacity
	if n.zone != "" {
		node.Labels[corev1.LabelTopologyZone] = n.zone
	}
	if n.eci {
		node.Labels["type"] = "virtual-kubelet"
		node.Spec.Taints = []corev1.Taint{eciTaint}
		capacity = eciCapacity
	}
	nodes := client.CoreV1().Nodes()
	created, err := nodes.Create(ctx, node, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("create node %s: %w", n.name, err)
	}
	ready := corev1.ConditionTrue
	if n.notReady {
		ready = corev1.ConditionFalse
	}
	created.Status.Capacity = capacity
	created.Status.Allocatable = capacity
	created.Status.Conditions = []corev1.NodeCondition{{
		Type: corev1.NodeReady, Status: ready, LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now(),
	}}
	if _, err = nodes.UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("node %s status: %w", n.name, err)
	}
	if n.notReady {
		return nil
	}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		latest, err := nodes.Get(ctx, n.name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		latest.Spec.Taints = slices.DeleteFunc(latest.Spec.Taints, func(t corev1.Taint) bool { return t.Key == corev1.TaintNodeNotReady })
		_, err = nodes.Update(ctx, latest, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("node %s: lifting the not-ready taint: %w", n.name, err)
	}
	return nil
}

// ensureNodes creates in the shared cluster one ECS node and one ECI virtual
// node, Ready, once per test binary.
func ensureNodes(t *testing.T) (ecs, eci string) {
	t.Helper()
	ecs, eci = "cn-hangzhou.192.168.0.10", eciNodeName
	for _, n := range []fakeNode{{name: ecs}, {name: eci, eci: true}} {
		if _, err := cluster.client.CoreV1().Nodes().Get(t.Context(), n.name, metav1.GetOptions{}); err == nil {
			continue
		}
		if err := createNode(t.Context(), cluster.client, n); err != nil {
			t.Fatal(err)
		}
	}
	return ecs, eci
}

// sparkPod creates a pod of application app as spark-submit does (the
// operator's labels and the role, and annotations when given), already bound
// to node.
func sparkPod(t *testing.T, ns, app, name, role, node string, annotations ...map[string]string) *corev1.Pod {
	t.Helper()
	return createPod(t, newSparkPod(ns, app, name, role, node, annotations...))
}

// createPod creates pod and returns it as the API server stored it.
func createPod(t *testing.T, pod *corev1.Pod) *corev1.Pod {
	t.Helper()
	created, err := cluster.client.CoreV1().Pods(pod.Namespace).Create(t.Context(), pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create pod %s: %v", pod.Name, err)
	}
	return created
}

// newSparkPod is the pod sparkPod creates.
func newSparkPod(ns, app, name, role, node string, annotations ...map[string]string) *corev1.Pod {
	container := "spark-kubernetes-" + role
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{
			"sparkoperator.k8s.io/app-name":                   app,
			"sparkoperator.k8s.io/launched-by-spark-operator": "true",
			"sparkoperator.k8s.io/submission-id":              "7f9c0e2a",
			"spark-role":                                      role,
		}},
		Spec: corev1.PodSpec{
			NodeName:   node,
			Containers: []corev1.Container{{Name: container, Image: sparkImage}},
		},
	}
	for _, a := range annotations {
		if pod.Annotations == nil {
			pod.Annotations = map[string]string{}
		}
		maps.Copy(pod.Annotations, a)
	}
	return pod
}

const sparkImage = "registry-cn-hangzhou.ack.aliyuncs.com/ack-demo/spark:3.5.2"

// podEvent posts a core/v1 Event about pod, from component (kubelet,
// EciService), seen count times between first and last.
func podEvent(t *testing.T, pod *corev1.Pod, component, eventType, reason, message string, first, last time.Time, count int32) {
	t.Helper()
	e := newPodEvent(pod, component, eventType, reason, message, first, last, count)
	if _, err := cluster.client.CoreV1().Events(pod.Namespace).Create(t.Context(), e, metav1.CreateOptions{}); err != nil {
		t.Fatalf("post event %s on %s: %v", reason, pod.Name, err)
	}
}

// newPodEvent is an event about pod as its component reports it: the
// kubelet about the pod's first container.
func newPodEvent(pod *corev1.Pod, component, eventType, reason, message string, first, last time.Time, count int32) *corev1.Event {
	ref := corev1.ObjectReference{
		Kind: "Pod", APIVersion: "v1", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID,
		ResourceVersion: pod.ResourceVersion,
	}
	if component == "kubelet" {
		ref.FieldPath = fmt.Sprintf("spec.containers{%s}", pod.Spec.Containers[0].Name)
	}
	return &corev1.Event{
		ObjectMeta:          metav1.ObjectMeta{GenerateName: pod.Name + ".", Namespace: pod.Namespace},
		InvolvedObject:      ref,
		Reason:              reason,
		Message:             message,
		Type:                eventType,
		Source:              corev1.EventSource{Component: component, Host: pod.Spec.NodeName},
		FirstTimestamp:      metav1.NewTime(first),
		LastTimestamp:       metav1.NewTime(last),
		Count:               count,
		ReportingController: component,
		ReportingInstance:   pod.Spec.NodeName,
	}
}

// Event sequences of the guide's "compare startup" section.
func pullMissAutoCreated(t *testing.T, pod *corev1.Pod, at time.Time, cacheID string) {
	t.Helper()
	podEvent(t, pod, "EciService", corev1.EventTypeWarning, "ImageCacheMissed", "[eci.imagecache]Missed image cache.", at, at, 1)
	podEvent(t, pod, "EciService", corev1.EventTypeNormal, "ImageCacheAutoCreated", "[eci.imagecache]Image cache "+cacheID+" is auto created", at, at, 1)
	podEvent(t, pod, "kubelet", corev1.EventTypeNormal, "Pulling", `Pulling image "`+sparkImage+`"`, at.Add(time.Second), at.Add(time.Second), 1)
	podEvent(t, pod, "kubelet", corev1.EventTypeNormal, "Pulled",
		`Successfully pulled image "`+sparkImage+`" in 1m41.289s (1m41.289s including waiting)`, at.Add(102*time.Second), at.Add(102*time.Second), 1)
}

func pullCacheHit(t *testing.T, pod *corev1.Pod, at time.Time, cacheID string) {
	t.Helper()
	podEvent(t, pod, "EciService", corev1.EventTypeNormal, "SuccessfulHitImageCache",
		"[eci.imagecache]Successfully hit image cache "+cacheID+", eci will be scheduled with this image cache.", at, at, 1)
	podEvent(t, pod, "kubelet", corev1.EventTypeNormal, "Pulled", `Container image "`+sparkImage+`" already present on machine`, at.Add(19*time.Second), at.Add(19*time.Second), 1)
}

// createPodWebhook configures a mutating webhook like the Spark operator's
// Helm chart does, until the test ends. It is never called: no pod is created
// in its namespace (the namespace selector keeps other tests' pods out of its
// way) and failurePolicy Ignore keeps it harmless.
func createPodWebhook(t *testing.T, ns string) {
	t.Helper()
	none := admissionregistrationv1.SideEffectClassNone
	ignore := admissionregistrationv1.Ignore
	url := "https://localhost:1/mutate--v1-pod"
	webhook := &admissionregistrationv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "spark-operator-webhook-" + ns},
		Webhooks: []admissionregistrationv1.MutatingWebhook{{
			Name:         "mutate--v1-pod.sparkoperator.k8s.io",
			ClientConfig: admissionregistrationv1.WebhookClientConfig{URL: &url},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}},
			}},
			ObjectSelector:          &metav1.LabelSelector{MatchLabels: map[string]string{"sparkoperator.k8s.io/launched-by-spark-operator": "true"}},
			NamespaceSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": ns}},
			SideEffects:             &none,
			FailurePolicy:           &ignore,
			AdmissionReviewVersions: []string{"v1"},
		}},
	}
	webhooks := cluster.client.AdmissionregistrationV1().MutatingWebhookConfigurations()
	if _, err := webhooks.Create(t.Context(), webhook, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := webhooks.Delete(context.Background(), webhook.Name, metav1.DeleteOptions{}); err != nil {
			t.Errorf("deleting webhook configuration %s: %v", webhook.Name, err)
		}
	})
}
