package fromcluster

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/timeline"
)

// An executor on ECI as ECI and the kubelet record it, read into its
// phases; then the same pod once the event TTL took its events.
func TestMarksOfAPodAndItsEvents(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "spark-pi-exec-1", CreationTimestamp: metav1.NewTime(at(0))},
		Status: corev1.PodStatus{
			Conditions: []corev1.PodCondition{
				condition(corev1.PodScheduled, corev1.ConditionTrue, 1),
				condition(eci.ConditionContainerInstanceCreated, corev1.ConditionTrue, 21),
				condition(corev1.PodReady, corev1.ConditionTrue, 83),
				condition(corev1.ContainersReady, corev1.ConditionTrue, 83),
			},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "spark-kubernetes-executor",
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(at(82))}}}},
		},
	}
	m := MarksOf(pod, true)
	for _, e := range []*corev1.Event{
		event("EciService", "ImageCacheMissed", 20, 20),
		event("kubelet", "Pulling", 22, 22),
		event("kubelet", "Pulled", 80, 80),
		event("kubelet", "Created", 81, 81),
		event("default-scheduler", "Scheduled", 1, 1),
	} {
		m.PutEvent(e)
	}
	if got, want := brief(timeline.SpansOf(m.Resolved(), at(100))), "scheduling:done:1 instance:done:20 pull:done:58 start:done:2 ready:done:1"; got != want {
		t.Errorf("phases\n%s\nwant\n%s", got, want)
	}

	// Without ECI's condition, its first event stands for the instance.
	noCondition := pod.DeepCopy()
	noCondition.Status.Conditions = noCondition.Status.Conditions[:1]
	m = MarksOf(noCondition, true)
	m.PutEvent(event("EciService", "SuccessfulHitImageCache", 15, 15))
	m.PutEvent(event("kubelet", "Pulled", 16, 16)) // already present: no Pulling, the pull runs from the instance
	if got, want := brief(timeline.SpansOf(m.Resolved(), at(100))), "scheduling:done:1 instance:done:14 pull:done:1 start:done:66 ready:open:18"; got != want {
		t.Errorf("phases\n%s\nwant\n%s", got, want)
	}

	// The events gone: what they told is unknown, not zero.
	m = MarksOf(pod, true)
	if got, want := brief(timeline.SpansOf(m.Resolved(), at(100))), "scheduling:done:1 instance:done:20 pull:unknown start:unknown ready:done:1"; got != want {
		t.Errorf("phases\n%s\nwant\n%s", got, want)
	}
	if m.PutEvent(event("kubelet", "Started", 82, 82)) {
		t.Error("the kubelet's Started marked something")
	}
	// A pod waiting for the scheduler is in its first phase.
	waiting := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(at(90))},
		Status: corev1.PodStatus{Conditions: []corev1.PodCondition{condition(corev1.PodScheduled, corev1.ConditionFalse, 90)}}}
	if got := brief(timeline.SpansOf(MarksOf(waiting, false).Resolved(), at(100))); got != "scheduling:open:10" {
		t.Errorf("waiting: %s", got)
	}
}
