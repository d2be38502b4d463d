package fromcluster

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/imagepull"
	"github.com/spark-eci/kubectl-spark-eci/pkg/timeline"
)

// phasesOf reads a pod and its events as a Reading does, and works out its
// phases at 100 s.
func phasesOf(pod *corev1.Pod, events ...*corev1.Event) string {
	packed := pack(MarksOf(pod))
	var pulls imagepull.PodEvents
	for _, e := range events {
		packed.putEvent(e)
		pulls.Put(e)
	}
	m := packed.unpack()
	m.OnECI = true // as its cache events tell
	m.PutPulls(pulls.Events())
	return brief(timeline.SpansOf(m.Resolved(), at(100)))
}

// kubeletEvent is the kubelet's event about the executor's container, with
// its message.
func kubeletEvent(reason, message string, first, last float64, count int32) *corev1.Event {
	e := event("kubelet", reason, first, last)
	e.Message, e.Count = message, count
	e.InvolvedObject.FieldPath = "spec.containers{spark-kubernetes-executor}"
	return e
}

// An executor on ECI as ECI and the kubelet record it, read into its
// phases; then the same pod once the event TTL took its events; restarted;
// and ended.
func TestMarksOfAPodAndItsEvents(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "spark-pi-exec-1", CreationTimestamp: metav1.NewTime(at(0))},
		Status: corev1.PodStatus{
			Phase: corev1.PodRunning,
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
	image := `"registry-cn-hangzhou.ack.aliyuncs.com/ack-demo/spark:3.5.2"`
	pulling := kubeletEvent("Pulling", "Pulling image "+image, 22, 22, 1)
	pulled := kubeletEvent("Pulled", "Successfully pulled image "+image+" in 57.9s (58s including waiting)", 80, 80, 1)
	if got, want := phasesOf(pod,
		event("EciService", "ImageCacheMissed", 20, 20),
		pulling, pulled,
		kubeletEvent("Created", "Created container spark-kubernetes-executor", 81, 81, 1),
		event("default-scheduler", "Scheduled", 1, 1),
	), "scheduling:done:1 instance:done:20 pull:done:58 start:done:2 ready:done:1"; got != want {
		t.Errorf("phases\n%s\nwant\n%s", got, want)
	}

	// Without ECI's condition, its first event stands for the instance;
	// an image already there has no Pulling: the pull runs from the instance.
	noCondition := pod.DeepCopy()
	noCondition.Status.Conditions = noCondition.Status.Conditions[:1]
	if got, want := phasesOf(noCondition,
		event("EciService", "SuccessfulHitImageCache", 15, 15),
		kubeletEvent("Pulled", "Container image "+image+" already present on machine", 16, 16, 1),
	), "scheduling:done:1 instance:done:14 pull:done:1 start:done:66 ready:open:18"; got != want {
		t.Errorf("phases\n%s\nwant\n%s", got, want)
	}

	// The events gone: what they told is unknown, not zero.
	if got, want := phasesOf(pod), "scheduling:done:1 instance:done:20 pull:unknown start:unknown ready:done:1"; got != want {
		t.Errorf("phases\n%s\nwant\n%s", got, want)
	}
	m := pack(MarksOf(pod))
	if m.putEvent(kubeletEvent("Started", "Started container", 82, 82, 1)) {
		t.Error("the kubelet's Started marked something")
	}

	// Restarted once: the kubelet said "already present" again, and the
	// container runs since 95 s; its start is the run before's, its pull
	// the first; its Ready condition tells the latest turn, so ready is
	// unknown. Restarted twice: its first start is no longer told.
	restarted := pod.DeepCopy()
	restarted.Status.ContainerStatuses[0].State.Running.StartedAt = metav1.NewTime(at(95))
	restarted.Status.ContainerStatuses[0].LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		StartedAt: metav1.NewTime(at(82)), FinishedAt: metav1.NewTime(at(94)), ExitCode: 137}}
	restarted.Status.ContainerStatuses[0].RestartCount = 1
	restarted.Status.Conditions[2] = condition(corev1.PodReady, corev1.ConditionTrue, 96)
	again := kubeletEvent("Pulled", "Container image "+image+" already present on machine", 94, 94, 1)
	if got, want := phasesOf(restarted, pulling, pulled, again), "scheduling:done:1 instance:done:20 pull:done:58 start:done:2 ready:unknown"; got != want {
		t.Errorf("restarted: phases\n%s\nwant\n%s", got, want)
	}
	restarted.Status.ContainerStatuses[0].RestartCount = 2
	if got, want := phasesOf(restarted, pulling, pulled, again), "scheduling:done:1 instance:done:20 pull:done:58 start:unknown ready:unknown"; got != want {
		t.Errorf("restarted twice: phases\n%s\nwant\n%s", got, want)
	}

	// Ended before it was Ready: its Ready condition turned False at the
	// end; the phase it was in is unknown, not going on.
	ended := pod.DeepCopy()
	ended.Status.Phase = corev1.PodSucceeded
	ended.Status.Conditions = ended.Status.Conditions[:2]
	ended.Status.Conditions = append(ended.Status.Conditions, condition(corev1.PodReady, corev1.ConditionFalse, 99))
	if got, want := phasesOf(ended, pulling, pulled), "scheduling:done:1 instance:done:20 pull:done:58 start:done:2 ready:unknown"; got != want {
		t.Errorf("ended: phases\n%s\nwant\n%s", got, want)
	}

	// A pod waiting for the scheduler is in its first phase.
	waiting := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(at(90))},
		Status: corev1.PodStatus{Conditions: []corev1.PodCondition{condition(corev1.PodScheduled, corev1.ConditionFalse, 90)}}}
	if got := brief(timeline.SpansOf(MarksOf(waiting).Resolved(), at(100))); got != "scheduling:open:10" {
		t.Errorf("waiting: %s", got)
	}
}
