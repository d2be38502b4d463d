package podplacement

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// t0 is when the test applications' pods were created.
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// parseApp reads a manifest the way the dynamic client decodes objects:
// integers as int64.
func parseApp(t *testing.T, manifest string) map[string]interface{} {
	t.Helper()
	b, err := yaml.YAMLToJSON([]byte(manifest))
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]interface{}
	if err := utiljson.Unmarshal(b, &obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

var eciTaint = corev1.Taint{Key: "virtual-kubelet.io/provider", Value: "alibabacloud", Effect: corev1.TaintEffectNoSchedule}

func ecsNode(name string, labels map[string]string, taints ...corev1.Taint) corev1.Node {
	return corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Spec: corev1.NodeSpec{Taints: taints}}
}

func eciNode(name string, labels map[string]string) corev1.Node {
	l := map[string]string{"type": "virtual-kubelet"}
	for k, v := range labels {
		l[k] = v
	}
	return corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l}, Spec: corev1.NodeSpec{Taints: []corev1.Taint{eciTaint}}}
}

func cordoned(n corev1.Node) corev1.Node {
	n.Spec.Unschedulable = true
	return n
}

// cluster has two ECS nodes in zone i, one in zone j, a cordoned and a
// not-ready ECS node, and two ECI virtual nodes (zones i and j) plus a
// cordoned one.
func cluster() *Nodes {
	zone := func(z string) map[string]string {
		return map[string]string{"topology.kubernetes.io/zone": "cn-hangzhou-" + z}
	}
	return NewNodes([]corev1.Node{
		ecsNode("cn-hangzhou.192.168.0.10", zone("i")),
		ecsNode("cn-hangzhou.192.168.0.11", zone("i")),
		ecsNode("cn-hangzhou.192.168.1.10", zone("j"), corev1.Taint{Key: "spark", Value: "batch", Effect: corev1.TaintEffectPreferNoSchedule}),
		cordoned(ecsNode("cn-hangzhou.192.168.0.12", zone("i"))),
		ecsNode("cn-hangzhou.192.168.0.13", zone("i"), corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule}),
		eciNode("virtual-kubelet-cn-hangzhou-i", zone("i")),
		eciNode("virtual-kubelet-cn-hangzhou-j", zone("j")),
		cordoned(eciNode("virtual-kubelet-cn-hangzhou-k", zone("k"))),
	}, true, placement.AlibabaCloudECI)
}

type podOpt func(*corev1.Pod)

func onNode(node string) podOpt { return func(p *corev1.Pod) { p.Spec.NodeName = node } }

// placedAs gives a pod what its role of app asks: the tolerations, node
// selector and affinity the operator's webhook and Spark put on it.
func placedAs(t *testing.T, app map[string]interface{}, role sparkapp.Role) podOpt {
	spec, err := RolePodSpec(app, role)
	if err != nil {
		t.Fatal(err)
	}
	return func(p *corev1.Pod) {
		p.Spec.Tolerations, p.Spec.NodeSelector, p.Spec.Affinity = spec.Tolerations, spec.NodeSelector, spec.Affinity
	}
}

func terminating() podOpt {
	return func(p *corev1.Pod) { p.DeletionTimestamp = &metav1.Time{Time: p.CreationTimestamp.Add(time.Minute)} }
}

func phase(ph corev1.PodPhase) podOpt { return func(p *corev1.Pod) { p.Status.Phase = ph } }

func running(ip string) podOpt {
	return func(p *corev1.Pod) {
		p.Status.Phase = corev1.PodRunning
		p.Status.PodIP = ip
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: p.Spec.Containers[0].Name, Ready: true, RestartCount: 1}}
	}
}

func unschedulableCondition(message string, at time.Time) podOpt {
	return func(p *corev1.Pod) {
		p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{
			Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable",
			Message: message, LastTransitionTime: metav1.NewTime(at),
		})
	}
}

func annotated(kv ...string) podOpt {
	return func(p *corev1.Pod) {
		if p.Annotations == nil {
			p.Annotations = map[string]string{}
		}
		for i := 0; i+1 < len(kv); i += 2 {
			p.Annotations[kv[i]] = kv[i+1]
		}
	}
}

func nominated(node string) podOpt { return func(p *corev1.Pod) { p.Status.NominatedNodeName = node } }

// sparkPod is a pod as spark-submit creates it: executors carry their number.
func sparkPod(app, name, role string, created time.Time, opts ...podOpt) corev1.Pod {
	labels := map[string]string{
		"sparkoperator.k8s.io/app-name": app,
		"spark-role":                    role,
	}
	if role == "executor" {
		labels["spark-exec-id"] = name[strings.LastIndex(name, "-")+1:]
	}
	p := corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: "spark", UID: types.UID("uid-" + name), Labels: labels,
			CreationTimestamp: metav1.NewTime(created),
		},
		Spec:   corev1.PodSpec{Containers: []corev1.Container{{Name: "spark-kubernetes-" + role}}},
		Status: corev1.PodStatus{Phase: corev1.PodPending},
	}
	for _, o := range opts {
		o(&p)
	}
	return p
}

// schedulerEvent is a FailedScheduling event as the scheduler posts it
// through events.k8s.io: eventTime, and series once repeated.
func schedulerEvent(pod corev1.Pod, message string, at time.Time, repeats int32) corev1.Event {
	e := corev1.Event{
		ObjectMeta:          metav1.ObjectMeta{Name: pod.Name + ".1", Namespace: pod.Namespace, CreationTimestamp: metav1.NewTime(at.Truncate(time.Second))},
		InvolvedObject:      corev1.ObjectReference{Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID},
		Reason:              ReasonFailedScheduling,
		Message:             message,
		Type:                corev1.EventTypeWarning,
		EventTime:           metav1.NewMicroTime(at),
		ReportingController: "default-scheduler",
		Action:              "Scheduling",
	}
	if repeats > 1 {
		e.Series = &corev1.EventSeries{Count: repeats, LastObservedTime: metav1.NewMicroTime(at.Add(time.Duration(repeats) * time.Minute))}
	}
	return e
}

// coreEvent is a FailedScheduling event as the core/v1 recorder writes it:
// first and last timestamps, one-second resolution, and a count.
func coreEvent(pod corev1.Pod, message string, first, last time.Time, n int32) corev1.Event {
	return corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: pod.Name + ".2", Namespace: pod.Namespace, CreationTimestamp: metav1.NewTime(first)},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID},
		Reason:         ReasonFailedScheduling,
		Message:        message,
		Type:           corev1.EventTypeWarning,
		Source:         corev1.EventSource{Component: "default-scheduler"},
		FirstTimestamp: metav1.NewTime(first),
		LastTimestamp:  metav1.NewTime(last),
		Count:          n,
	}
}
