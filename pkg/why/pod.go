package why

import (
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/spark-eci/kubectl-spark-eci/internal/intern"
	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
)

// Pod is what tells why one pod does not run as asked, read from the pod
// (PodOf): a few strings, most of them shared between pods.
type Pod struct {
	Phase corev1.PodPhase
	// Reason and Message are the pod's status.reason and status.message
	// (Evicted).
	Reason, Message string
	// Waiting is the first container waiting for a reason other than its
	// start; Failed the first that ended in failure, now or (Last) before
	// its restart.
	Waiting, Failed *Container
	// Instance is ECI's ContainerInstanceCreated condition, when not True.
	Instance *Condition
}

// Container is the state of one container.
type Container struct {
	Name, Reason, Message, Image string
	ExitCode                     int32
	// Last: the state is the container's last, before it was restarted.
	Last bool
	Time time.Time
}

// Condition is one of the pod's conditions.
type Condition struct {
	Reason, Message string
	Time            time.Time
}

// startingReasons are the waiting reasons of a container that is starting
// as it should.
var startingReasons = map[string]bool{"": true, "ContainerCreating": true, "PodInitializing": true}

// PodOf reads what tells why a pod does not run as asked.
func PodOf(pod *corev1.Pod) Pod {
	p := Pod{Phase: pod.Status.Phase, Reason: intern.String(pod.Status.Reason), Message: pod.Status.Message}
	statuses := append(append([]corev1.ContainerStatus(nil), pod.Status.InitContainerStatuses...), pod.Status.ContainerStatuses...)
	for _, c := range statuses {
		if w := c.State.Waiting; w != nil && !startingReasons[w.Reason] && p.Waiting == nil {
			p.Waiting = &Container{Name: c.Name, Reason: intern.String(w.Reason), Message: w.Message, Image: intern.String(c.Image)}
		}
		if p.Failed != nil {
			continue
		}
		if t := c.State.Terminated; t != nil && failed(t) {
			p.Failed = containerOf(c, t, false)
		} else if t := c.LastTerminationState.Terminated; t != nil && failed(t) {
			p.Failed = containerOf(c, t, true)
		}
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == eci.ConditionContainerInstanceCreated && c.Status != corev1.ConditionTrue && c.Reason != "Creating" && c.Reason != "" {
			p.Instance = &Condition{Reason: intern.String(c.Reason), Message: intern.String(c.Message), Time: c.LastTransitionTime.Time}
		}
	}
	return p
}

func failed(t *corev1.ContainerStateTerminated) bool {
	return t.ExitCode != 0 || t.Reason == ReasonOOMKilled
}

func containerOf(c corev1.ContainerStatus, t *corev1.ContainerStateTerminated, last bool) *Container {
	message := t.Message
	if message == "" {
		message = "exit code " + strconv.Itoa(int(t.ExitCode))
	}
	return &Container{Name: c.Name, Reason: intern.String(t.Reason), Message: message, Image: intern.String(c.Image),
		ExitCode: t.ExitCode, Last: last, Time: t.FinishedAt.Time}
}
