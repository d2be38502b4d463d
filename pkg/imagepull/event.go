package imagepull

import (
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/eventtime"
)

// EventKind is what an event says about a pod's images or its ECI image cache.
type EventKind string

// The kinds of events ParseEvent recognizes.
const (
	Pulling        EventKind = "Pulling"        // the kubelet started a pull
	Pulled         EventKind = "Pulled"         // a pull finished
	AlreadyPresent EventKind = "AlreadyPresent" // no pull was needed
	PullFailed     EventKind = "PullFailed"     // a pull failed
	BackOff        EventKind = "BackOff"        // the kubelet waits before pulling again
	NeverPull      EventKind = "NeverPull"      // pull policy Never and the image is missing
	InspectFailed  EventKind = "InspectFailed"  // the image name or the local image is unusable

	CacheHit              EventKind = "CacheHit"
	CacheMissed           EventKind = "CacheMissed"
	CacheAutoCreated      EventKind = "CacheAutoCreated"
	CacheNotFound         EventKind = "CacheNotFound"
	CacheNotComplete      EventKind = "CacheNotComplete"
	CacheAutoCreateFailed EventKind = "CacheAutoCreateFailed"
)

// IsCache tells whether the event comes from ECI's image cache rather than
// from the kubelet's image manager.
func (k EventKind) IsCache() bool {
	switch k {
	case CacheHit, CacheMissed, CacheAutoCreated, CacheNotFound, CacheNotComplete, CacheAutoCreateFailed:
		return true
	}
	return false
}

// Event is one parsed image or image-cache event of a pod.
type Event struct {
	Kind EventKind
	// Container is named by involvedObject.fieldPath; "" when the event is
	// about the whole pod (ECI's events) or the reporter left it out.
	Container string
	// Init is set when the fieldPath names an init container.
	Init bool
	// Image is the image the message names; "" when it names none.
	Image string
	// PullTime is the pull itself (Pulled only). Kubelets before 1.19 do not
	// write it: then HasPullTime is false.
	PullTime    time.Duration
	HasPullTime bool
	// WithWaiting runs from the Pulling event, queueing behind other pulls
	// included (kubelets 1.26 and later, some late 1.23-1.25).
	WithWaiting    time.Duration
	HasWithWaiting bool
	// SizeBytes is the image size kubelets 1.30 and later report; 0 when absent.
	SizeBytes int64
	// CacheID is the image cache (imc-...) an ECI event names.
	CacheID string
	// Message is the event's message without the event correlator's
	// "(combined from similar events): " prefix.
	Message string
	// Count is how many times the event happened: max(count, series.count, 1).
	Count int32
	// First and Last are when it was first and last seen.
	First, Last time.Time
}

// Reasons the kubelet gives its image events (pkg/kubelet/events).
const (
	reasonPulling           = "Pulling"
	reasonPulled            = "Pulled"
	reasonFailed            = "Failed"
	reasonBackOff           = "BackOff"
	reasonInspectFailed     = "InspectFailed"
	reasonErrImageNeverPull = "ErrImageNeverPull"
	reasonScheduled         = "Scheduled" // the scheduler's
)

// ParseEvent classifies one core/v1 Event about a pod. It returns false when
// the event is not about image pulls or the ECI image cache.
func ParseEvent(e *corev1.Event) (Event, bool) {
	if e == nil {
		return Event{}, false
	}
	msg := eventtime.Message(e)
	kind, ok := classify(e.Reason, msg)
	if !ok {
		return Event{}, false
	}
	ev := Event{Kind: kind, Message: msg, Count: eventtime.Count(e)}
	ev.Container, ev.Init = containerOf(e.InvolvedObject.FieldPath)
	ev.First, ev.Last = eventtime.Seen(e)
	if kind.IsCache() {
		ev.CacheID = cacheID(kind, msg)
		return ev, true
	}
	var rest string
	ev.Image, rest = quoted(msg)
	if kind == Pulled {
		ev.PullTime, ev.HasPullTime = pullTime(rest)
		ev.WithWaiting, ev.HasWithWaiting = withWaiting(rest)
		ev.SizeBytes = imageSize(rest)
	}
	return ev, true
}

// Relevant tells whether BuildPodReport uses the event: the image and cache
// events, and the scheduler's, which names the node of a pod that is gone.
// Callers that hold many events can keep only these.
func Relevant(e *corev1.Event) bool {
	if e == nil {
		return false
	}
	if e.Reason == reasonScheduled {
		return true
	}
	_, ok := classify(e.Reason, eventtime.Message(e))
	return ok
}

// classify maps reason and message to a kind. Reasons the kubelet also uses
// for other things (Failed, BackOff) count only with an image message.
func classify(reason, msg string) (EventKind, bool) {
	if isAutoCreateFailed(msg) {
		return CacheAutoCreateFailed, true
	}
	switch reason {
	case reasonPulling:
		return Pulling, true
	case reasonPulled:
		if strings.Contains(msg, "already present on machine") {
			return AlreadyPresent, true
		}
		return Pulled, true
	case reasonFailed:
		return classifyFailed(msg)
	case reasonBackOff:
		if strings.HasPrefix(msg, "Back-off pulling image") {
			return BackOff, true
		}
		return "", false
	case reasonErrImageNeverPull:
		return NeverPull, true
	case reasonInspectFailed:
		return InspectFailed, true
	case eci.ReasonImageCacheHit:
		return CacheHit, true
	case eci.ReasonImageCacheMissed:
		return CacheMissed, true
	case eci.ReasonImageCacheAutoCreated:
		return CacheAutoCreated, true
	case eci.ReasonImageCacheNotFound:
		return CacheNotFound, true
	case eci.ReasonImageCacheNotComplete:
		return CacheNotComplete, true
	}
	return classifyCacheMessage(msg)
}

// classifyFailed reads the kubelet's Failed events: "Failed to pull image",
// and "Error: <reason>" when the container could not be created because of
// its image (pkg/kubelet/images/types.go names those reasons).
func classifyFailed(msg string) (EventKind, bool) {
	if strings.HasPrefix(msg, "Failed to pull image") {
		return PullFailed, true
	}
	reason, ok := strings.CutPrefix(msg, "Error: ")
	if !ok {
		return "", false
	}
	switch strings.TrimSpace(reason) {
	case "ErrImagePull", "RegistryUnavailable", "SignatureValidationFailed":
		return PullFailed, true
	case "ImagePullBackOff":
		return BackOff, true
	case "ErrImageNeverPull":
		return NeverPull, true
	case "InvalidImageName", "ImageInspectError":
		return InspectFailed, true
	}
	return "", false
}

// classifyCacheMessage knows ECI's tagged messages under any reason, so that
// a renamed reason still reads.
func classifyCacheMessage(msg string) (EventKind, bool) {
	body, ok := strings.CutPrefix(msg, eci.MessageTagImageCache)
	if !ok {
		return "", false
	}
	switch {
	case strings.HasPrefix(body, "Successfully hit image cache"):
		return CacheHit, true
	case strings.HasPrefix(body, "Missed image cache"):
		return CacheMissed, true
	case strings.HasSuffix(strings.TrimSuffix(body, "."), "is auto created"):
		return CacheAutoCreated, true
	}
	return "", false
}

func isAutoCreateFailed(msg string) bool {
	return strings.HasPrefix(strings.TrimPrefix(msg, eci.MessageTagImageCache), eci.MessageImageCacheAutoCreateFailed)
}
