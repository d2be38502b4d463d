package podplacement

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spark-eci/kubectl-spark-eci/pkg/eventtime"
	"github.com/spark-eci/kubectl-spark-eci/pkg/why"
)

// ReasonFailedScheduling is the reason of the event the scheduler posts each
// time it finds no node for a pod.
const ReasonFailedScheduling = "FailedScheduling"

// Where a scheduler message comes from.
const (
	FromEvent     = "event"
	FromCondition = "condition"
)

// SchedulerMessage is why the scheduler has not placed a pod yet.
type SchedulerMessage struct {
	Message string    `json:"message"`
	From    string    `json:"from,omitempty"`
	Time    time.Time `json:"time,omitzero"`
	Count   int32     `json:"count,omitempty"`
}

// FailedScheduling keeps, for each pod, its latest FailedScheduling event.
type FailedScheduling map[types.UID]*corev1.Event

// Put keeps e when it is a FailedScheduling event about a pod and newer than
// the one kept for that pod. It tells whether it kept it.
func (f FailedScheduling) Put(e *corev1.Event) bool {
	if e.Reason != ReasonFailedScheduling || e.InvolvedObject.Kind != "Pod" || e.InvolvedObject.UID == "" {
		return false
	}
	pod := e.InvolvedObject.UID
	if old, ok := f[pod]; ok && eventtime.Last(old).After(eventtime.Last(e)) {
		return false
	}
	f[pod] = e.DeepCopy()
	return true
}

// PodEvents are the events status keeps of each pod: the scheduler's latest
// FailedScheduling, and those that tell why a pod does not run as asked
// (why.Events). The rest are let go as they are read.
type PodEvents struct {
	Failed FailedScheduling
	Why    why.Events
}

// NewPodEvents keeps no event yet.
func NewPodEvents() PodEvents { return PodEvents{Failed: FailedScheduling{}, Why: why.Events{}} }

// Put keeps e where it tells something, and tells whether it did.
func (pe PodEvents) Put(e *corev1.Event) bool {
	failed := pe.Failed.Put(e)
	return pe.Why.Put(e) || failed
}

// Forget drops what is kept of a pod.
func (pe PodEvents) Forget(uid types.UID) {
	delete(pe.Failed, uid)
	pe.Why.Forget(uid)
}

// waitingForNode tells whether a pod still waits for the scheduler.
func waitingForNode(pod *corev1.Pod) bool {
	return pod.Spec.NodeName == "" && pod.DeletionTimestamp == nil &&
		(pod.Status.Phase == corev1.PodPending || pod.Status.Phase == "")
}

// schedulerMessage says why a pod waits for a node: its latest
// FailedScheduling event, else the message the scheduler left in the pod's
// PodScheduled condition (it outlives the events, which expire after an hour).
// It returns nil for a pod that does not wait.
func schedulerMessage(waiting bool, condition *SchedulerMessage, event *corev1.Event) *SchedulerMessage {
	switch {
	case !waiting:
		return nil
	case event != nil:
		return &SchedulerMessage{Message: eventtime.Message(event), From: FromEvent, Time: eventtime.Last(event), Count: eventtime.Count(event)}
	case condition != nil:
		m := *condition
		return &m
	}
	return &SchedulerMessage{}
}
