package imagepull

import (
	"hash/fnv"
	"math/bits"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spark-eci/kubectl-spark-eci/internal/intern"
	"github.com/spark-eci/kubectl-spark-eci/internal/nanotime"
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
	// ByECI tells a pod ECI created, by the annotations it writes then
	// (eci.CreatedPod).
	ByECI bool
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

// FactsOf reads the facts of a pod. The strings pods share (namespace,
// role, node, images, ...) are interned: one copy for all the pods.
func FactsOf(pod *corev1.Pod) PodFacts {
	f := PodFacts{
		Namespace: intern.String(pod.Namespace), Name: pod.Name, UID: pod.UID,
		Role: intern.String(pod.Labels[sparkapp.LabelSparkRole]), Node: intern.String(pod.Spec.NodeName), Phase: corev1.PodPhase(intern.String(string(pod.Status.Phase))),
		MatchedID:  intern.String(pod.Annotations[eci.AnnotationMatchedImageCache]),
		ByECI:      eci.CreatedPod(pod.Annotations),
		Containers: make([]ContainerFacts, 0, len(pod.Spec.InitContainers)+len(pod.Spec.Containers)),
		Submission: sparkapp.SubmissionOf(pod),
	}
	f.Submission.App, f.Submission.ID = intern.String(f.Submission.App), intern.String(f.Submission.ID)
	f.PinnedID, f.CacheOff = eci.RequestedImageCache(pod.Annotations)
	f.PinnedID = intern.String(f.PinnedID)
	add := func(containers []corev1.Container, statuses []corev1.ContainerStatus, init bool) {
		for _, c := range containers {
			var status *corev1.ContainerStatus
			for i := range statuses {
				if statuses[i].Name == c.Name {
					status = &statuses[i]
				}
			}
			state, err := fromStatus(status)
			f.Containers = append(f.Containers, ContainerFacts{Name: intern.String(c.Name), Image: intern.String(c.Image), Init: init, State: state, Error: err})
		}
	}
	add(pod.Spec.InitContainers, pod.Status.InitContainerStatuses, true)
	add(pod.Spec.Containers, pod.Status.ContainerStatuses, false)
	return f
}

// PodEvents is what the events of one pod tell a report, folded as they
// come: its image and image-cache events, parsed and packed.
type PodEvents struct {
	events []packedEvent
}

// Put folds one event about the pod in, and tells whether the report reads
// it. A newer version of an event seen before (its count grown) takes its
// place, so every event counts once however often it is seen.
func (p *PodEvents) Put(e *corev1.Event) bool {
	ev, ok := ParseEvent(e)
	if !ok {
		return false
	}
	packed := pack(ev, e.UID)
	if e.UID != "" {
		for i := range p.events {
			if p.events[i].uid == packed.uid {
				p.events[i] = packed
				return true
			}
		}
	}
	if len(p.events) == cap(p.events) {
		// Room for three first: a container's cache, pulling and pulled
		// events, which most pods have and no more (append would make room
		// for four); past them, for the next power of two, whose sizes
		// (480, 960, 1,920 bytes) fill Go's size classes closely, where
		// growing from three by append would make room for 25 events to
		// hold 15.
		grown := make([]packedEvent, len(p.events), max(3, 1<<bits.Len(uint(len(p.events)))))
		copy(grown, p.events)
		p.events = grown
	}
	p.events = append(p.events, packed)
	return true
}

// Events are the parsed events, in the order they first came.
func (p *PodEvents) Events() []Event {
	if p == nil {
		return nil
	}
	out := make([]Event, len(p.events))
	for i := range p.events {
		out[i] = p.events[i].unpack()
	}
	return out
}

// packedEvent is an Event as a PodEvents keeps it, in less than half the
// room: its strings interned (the message kept only for a failure, whose
// message is reported), its times in nanoseconds, its flags in a byte, and
// the event's UID as a hash (an event is told from the pod's few others).
type packedEvent struct {
	image, container, cacheID, message string
	pullTime, withWaiting              time.Duration
	sizeBytes                          int64
	first, last                        int64 // Unix nanoseconds; 0 for no time
	uid                                uint64
	count                              int32
	kind                               uint8 // an index in eventKinds
	flags                              uint8
}

const (
	packedInit uint8 = 1 << iota
	packedHasPullTime
	packedHasWithWaiting
)

var eventKinds = []EventKind{Pulling, Pulled, AlreadyPresent, PullFailed, BackOff, NeverPull, InspectFailed,
	CacheHit, CacheMissed, CacheAutoCreated, CacheNotFound, CacheNotComplete, CacheAutoCreateFailed}

func pack(ev Event, uid types.UID) packedEvent {
	p := packedEvent{
		image: intern.String(ev.Image), container: intern.String(ev.Container), cacheID: intern.String(ev.CacheID),
		pullTime: ev.PullTime, withWaiting: ev.WithWaiting, sizeBytes: ev.SizeBytes,
		first: nanotime.Of(ev.First), last: nanotime.Of(ev.Last), uid: hash(uid), count: ev.Count,
		kind: uint8(slices.Index(eventKinds, ev.Kind)),
	}
	if ev.Kind.isFailure() {
		p.message = strings.Clone(ev.Message)
	}
	if ev.Init {
		p.flags |= packedInit
	}
	if ev.HasPullTime {
		p.flags |= packedHasPullTime
	}
	if ev.HasWithWaiting {
		p.flags |= packedHasWithWaiting
	}
	return p
}

func (p packedEvent) unpack() Event {
	return Event{
		Kind: eventKinds[p.kind], Container: p.container, Init: p.flags&packedInit != 0, Image: p.image,
		PullTime: p.pullTime, HasPullTime: p.flags&packedHasPullTime != 0,
		WithWaiting: p.withWaiting, HasWithWaiting: p.flags&packedHasWithWaiting != 0,
		SizeBytes: p.sizeBytes, CacheID: p.cacheID, Message: p.message, Count: p.count,
		First: nanotime.Time(p.first), Last: nanotime.Time(p.last),
	}
}

func hash(uid types.UID) uint64 {
	h := fnv.New64a()
	h.Write([]byte(uid))
	return h.Sum64()
}

// isFailure tells whether an event's message says why an image could not be had.
func (k EventKind) isFailure() bool {
	switch k {
	case PullFailed, InspectFailed, NeverPull, BackOff:
		return true
	}
	return false
}
