package imagepull

import (
	"time"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// CacheOutcome is what ECI did with its image cache for a pod.
type CacheOutcome string

// Cache outcomes; "" when there is no ECI cache event (on ECS, or not known yet).
const (
	OutcomeHit              CacheOutcome = "hit"
	OutcomeMissed           CacheOutcome = "missed"
	OutcomeAutoCreated      CacheOutcome = "auto-created" // missed, and ECI created a cache for the next pods
	OutcomeNotFound         CacheOutcome = "not-found"    // the specified cache does not exist
	OutcomeNotComplete      CacheOutcome = "not-complete" // the specified cache is still being made
	OutcomeAutoCreateFailed CacheOutcome = "auto-create-failed"
)

// Missed tells whether the pod started without a cache although ECI looked
// for one: every outcome but hit and "".
func (o CacheOutcome) Missed() bool {
	return o != "" && o != OutcomeHit
}

// PullState is where a container's image stands.
type PullState string

// Pull states.
const (
	StatePulled    PullState = "pulled"
	StatePresent   PullState = "present" // no pull was needed
	StatePulling   PullState = "pulling"
	StateFailed    PullState = "failed"
	StateBackOff   PullState = "backoff"
	StateNeverPull PullState = "never-pull"
	StateWaiting   PullState = "waiting" // no event yet
	// StateUnknown is a container that started although no event about its
	// image is left (events expire after an hour by default).
	StateUnknown PullState = "unknown"
)

// Final tells whether nothing more is expected for this image.
func (s PullState) Final() bool {
	return s != StatePulling && s != StateWaiting
}

// Failed tells whether the image could not be had.
func (s PullState) Failed() bool {
	return s == StateFailed || s == StateBackOff || s == StateNeverPull
}

// Where a pull time comes from.
const (
	PullTimeFromMessage    = "message"    // the kubelet's Pulled message
	PullTimeFromTimestamps = "timestamps" // Pulling to Pulled, one-second resolution
)

// PodReport is what happened to one pod's images.
type PodReport struct {
	Namespace string    `json:"namespace"`
	Name      string    `json:"name"`
	UID       types.UID `json:"uid,omitempty"`
	// Role is the spark-role label: driver, executor, or "".
	Role string `json:"role,omitempty"`
	// Node is spec.nodeName; "" when not scheduled.
	Node     string             `json:"node,omitempty"`
	NodeKind placement.NodeKind `json:"nodeKind,omitempty"`
	Phase    corev1.PodPhase    `json:"phase,omitempty"`
	Cache    CacheResult        `json:"cache,omitzero"`
	// Images has one entry per container: init containers first, then
	// containers, in pod spec order when the pod is known; else in event order.
	Images []ImagePull `json:"images"`
	// Events is how many image and image-cache events were seen.
	Events int `json:"events"`
	// Gone is set when the pod no longer exists: the report comes from its
	// events alone.
	Gone bool `json:"gone,omitempty"`
}

// CacheResult is the ECI image cache result of a pod. In JSON it also says
// whether the pod missed (see doc.go).
type CacheResult struct {
	// Outcome is the most telling of ECI's events about the pod's cache.
	Outcome CacheOutcome
	// ID is the image cache the event names; else, for a pinned cache not
	// found or not ready, the pinned one, and for the other outcomes the
	// pod's k8s.aliyun.com/eci-matched-image-cache annotation.
	ID string
	// AutoCreatedID is the cache ECI began to make after the pod missed, for
	// the pods that come next: it is not ready when the event is written.
	AutoCreatedID string
	// PinnedID is the cache the pod's annotations pin, by today's name
	// (eci-imc-id) or the older one (eci-image-snapshot-id).
	PinnedID string
	// Off tells that the pod's annotations turn ECI's matching off and pin
	// no cache: ECI looked for none.
	Off bool
}

// Missed tells whether the pod started without a cache although ECI looked
// for one.
func (c CacheResult) Missed() bool { return c.Outcome.Missed() }

// ImagePull is what happened to one container's image. In JSON the
// durations are seconds (see doc.go).
type ImagePull struct {
	Container string    `json:"container"`
	Image     string    `json:"image"`
	Init      bool      `json:"init,omitempty"`
	State     PullState `json:"state"`
	// PullTime is the last pull's time, from PullTimeFrom.
	PullTime     time.Duration `json:"pullSeconds,omitempty"`
	PullTimeFrom string        `json:"pullTimeFrom,omitempty"`
	// WithWaiting adds the time queued behind other pulls.
	WithWaiting time.Duration `json:"withWaitingSeconds,omitempty"`
	SizeBytes   int64         `json:"sizeBytes,omitempty"`
	// Error is the failure message when the image could not be had.
	Error string `json:"error,omitempty"`
	// Attempts is the number of pulls started (Pulling events, repeats counted).
	Attempts int `json:"attempts,omitempty"`
}

// Done tells whether nothing more is to be waited for: every image is pulled,
// present, failed, backing off or never to be pulled. A pod that is gone or
// has finished is done, and so are the containers an init container's failed
// pull keeps from starting.
func (p PodReport) Done() bool {
	if p.Gone || p.Phase == corev1.PodSucceeded || p.Phase == corev1.PodFailed {
		return true
	}
	for _, img := range p.Images {
		if img.Init && img.State.Failed() {
			return true
		}
		if !img.State.Final() {
			return false
		}
	}
	return true
}
