package podplacement

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/spark-eci/kubectl-spark-eci/internal/intern"
	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
	"github.com/spark-eci/kubectl-spark-eci/pkg/why"
)

// record is what status keeps of a pod: a few hundred bytes, where a
// decoded Pod is kilobytes, so that the status of tens of thousands of pods
// holds little of each. It is the pod's row but what depends on the nodes
// and the events (its node's kind, the scheduler's message), and what tells
// its submission.
type record struct {
	row Pod
	// instanceSpec and spot are the pod's ECI annotations, shown on ECI.
	instanceSpec, spot string
	// byECI: ECI wrote that it created the pod (eci.CreatedPod).
	byECI bool
	// waiting tells a pod that waits for the scheduler; condition is the
	// message the scheduler left in its PodScheduled condition.
	waiting    bool
	condition  *SchedulerMessage
	submission sparkapp.PodSubmission
	// why is what tells why the pod does not run as asked; placed where it
	// is told to run, shared with the pods told alike.
	why    why.Pod
	placed *why.Placed
}

// recordOf reads what status keeps of pod. The strings pods share (role,
// phase, node, ...) are interned: one copy for all the pods.
func recordOf(pod *corev1.Pod) record {
	r := record{
		row: Pod{
			Name:          pod.Name,
			UID:           pod.UID,
			Role:          intern.String(pod.Labels[sparkapp.LabelSparkRole]),
			ExecutorID:    pod.Labels[labelExecutorID],
			Phase:         corev1.PodPhase(intern.String(string(pod.Status.Phase))),
			Node:          intern.String(pod.Spec.NodeName),
			NominatedNode: intern.String(pod.Status.NominatedNodeName),
			IP:            pod.Status.PodIP,
			Terminating:   pod.DeletionTimestamp != nil,
			CreatedAt:     pod.CreationTimestamp.Time,
		},
		instanceSpec: intern.String(pod.Annotations[eci.AnnotationInstanceSpec]),
		byECI:        eci.CreatedPod(pod.Annotations),
		spot:         intern.String(pod.Annotations[eci.AnnotationSpotStrategy]),
		waiting:      waitingForNode(pod),
		submission:   sparkapp.SubmissionOf(pod),
		why:          why.PodOf(pod),
		placed:       placedOf(pod),
	}
	if r.row.Phase == "" {
		r.row.Phase = corev1.PodPending
	}
	r.submission.App, r.submission.ID = intern.String(r.submission.App), intern.String(r.submission.ID)
	ready := 0
	for _, c := range pod.Status.ContainerStatuses {
		if c.Ready {
			ready++
		}
		r.row.Restarts += c.RestartCount
	}
	r.row.Ready = intern.String(fmt.Sprintf("%d/%d", ready, len(pod.Spec.Containers)))
	if r.waiting {
		for _, c := range pod.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Message != "" {
				r.condition = &SchedulerMessage{Message: c.Message, From: FromCondition, Time: c.LastTransitionTime.Time}
			}
		}
	}
	return r
}

// rowOf is the pod's row, knowing the nodes and the events kept of the pod;
// its problem is the application's to tell (Application.rowOf).
func (r *record) rowOf(events PodEvents, nodes *Nodes) Pod {
	p := r.row
	p.NodeKind = nodes.Kinds.OfPod(p.Node, r.byECI)
	if p.NodeKind == placement.NodeECI {
		p.InstanceSpec, p.Spot = r.instanceSpec, r.spot
	}
	p.Scheduler = schedulerMessage(r.waiting, r.condition, events.Failed[p.UID])
	return p
}

func recordsOf(pods []corev1.Pod) []record {
	records := make([]record, len(pods))
	for i := range pods {
		records[i] = recordOf(&pods[i])
	}
	return records
}
