package imagepull

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// PodFacts is what a report reads of a pod: a few strings, where a decoded
// Pod is kilobytes, so that a report over tens of thousands of pods holds
// little of each while it reads their events.
type PodFacts struct {
	Namespace, Name string
	UID             types.UID
	// Role is the spark-role label; Node is spec.nodeName.
	Role, Node string
	Phase      corev1.PodPhase
	// PinnedID, CacheOff and MatchedID are what the pod's image-cache
	// annotations say (see CacheResult).
	PinnedID  string
	CacheOff  bool
	MatchedID string
	// Containers are the init containers, then the containers, in spec order.
	Containers []ContainerFacts
	// Submission tells the pod's submission apart (see sparkapp.Submissions).
	Submission sparkapp.PodSubmission
}

// ContainerFacts is what a report reads of one container.
type ContainerFacts struct {
	Name, Image string
	Init        bool
	// State and Error are what the container's status says of its image,
	// for when no event says more.
	State PullState
	Error string
}

// FactsOf reads the facts of a pod.
func FactsOf(pod *corev1.Pod) PodFacts {
	f := PodFacts{
		Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID,
		Role: pod.Labels[sparkapp.LabelSparkRole], Node: pod.Spec.NodeName, Phase: pod.Status.Phase,
		MatchedID:  pod.Annotations[eci.AnnotationMatchedImageCache],
		Containers: make([]ContainerFacts, 0, len(pod.Spec.InitContainers)+len(pod.Spec.Containers)),
		Submission: sparkapp.SubmissionOf(pod),
	}
	f.PinnedID, f.CacheOff = eci.RequestedImageCache(pod.Annotations)
	add := func(containers []corev1.Container, statuses []corev1.ContainerStatus, init bool) {
		for _, c := range containers {
			var status *corev1.ContainerStatus
			for i := range statuses {
				if statuses[i].Name == c.Name {
					status = &statuses[i]
				}
			}
			state, err := fromStatus(status)
			f.Containers = append(f.Containers, ContainerFacts{Name: c.Name, Image: c.Image, Init: init, State: state, Error: err})
		}
	}
	add(pod.Spec.InitContainers, pod.Status.InitContainerStatuses, true)
	add(pod.Spec.Containers, pod.Status.ContainerStatuses, false)
	return f
}

// PodEvents is what the events of one pod tell a report, folded as they
// come: the image and image-cache events, parsed, and, for a pod that is
// gone, who it was and where it ran.
type PodEvents struct {
	events []Event
	uids   []types.UID // of each event, to replace a newer version of it
	// Namespace, Name and UID are the pod the first event names.
	Namespace, Name string
	UID             types.UID
	// ScheduledNode is the node the scheduler's first "Successfully
	// assigned" names; KubeletHost the host of the first kubelet that
	// reported.
	ScheduledNode, KubeletHost string
}

// Put folds one event about the pod in, and tells whether the report reads
// it. A newer version of an event seen before (its count grown) takes its
// place, so every event counts once however often it is seen.
func (p *PodEvents) Put(e *corev1.Event) bool {
	if p.Name == "" {
		o := e.InvolvedObject
		if o.Name != "" && (o.Kind == "Pod" || o.Kind == "") {
			p.Namespace, p.Name, p.UID = o.Namespace, o.Name, o.UID
		}
	}
	if p.ScheduledNode == "" {
		p.ScheduledNode = scheduledNode(e)
	}
	if p.KubeletHost == "" {
		p.KubeletHost = kubeletHost(e)
	}
	ev, ok := ParseEvent(e)
	if !ok {
		return e.Reason == reasonScheduled
	}
	if !ev.Kind.isFailure() {
		ev.Message = "" // only a failure's message is reported
	}
	if e.UID != "" {
		for i, uid := range p.uids {
			if uid == e.UID {
				p.events[i] = ev
				return true
			}
		}
	}
	p.events = append(p.events, ev)
	p.uids = append(p.uids, e.UID)
	return true
}

// Events are the parsed events, in the order they first came.
func (p *PodEvents) Events() []Event {
	if p == nil {
		return nil
	}
	return p.events
}

// isFailure tells whether an event's message says why an image could not be had.
func (k EventKind) isFailure() bool {
	switch k {
	case PullFailed, InspectFailed, NeverPull, BackOff:
		return true
	}
	return false
}
