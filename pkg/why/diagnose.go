package why

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Problem is why one pod does not run as its application asks: the reason's
// word, a human line, who says so, and the fix.
type Problem struct {
	Reason  string    `json:"reason"`
	Message string    `json:"message"`
	Source  Source    `json:"source"`
	Fix     string    `json:"fix,omitempty"`
	Time    time.Time `json:"time,omitzero"`
}

// Subject is what the caller knows of a pod beside the pod itself: its
// names, for the fix, where it is, and what the scheduler says of it.
type Subject struct {
	// App names the pod's application as place takes it (NAME,
	// sparkconnect/NAME); Namespace and Pod the rest.
	App, Namespace, Pod string
	// OnECI: the pod is on an ECI virtual node, or ECI says it made it.
	OnECI bool
	// Unschedulable is what the scheduler said of a pod that waits for a
	// node ("" when it has not said); Since when.
	Unschedulable string
	Since         time.Time
	// NotPlaced is the pod's problem when it lacks the placement its role
	// asks for (see NotPlaced).
	NotPlaced *Problem
}

// Diagnose tells why a pod does not run as its application asks, from the
// pod, the events kept of it, and what the caller knows; nil when nothing
// says it does not. The first of these that holds is the problem: the pod
// was evicted or its spot instance released; a container cannot pull its
// image, start, or keeps failing; it was killed for memory or failed; ECI
// cannot create its instance; it lacks the placement its role asks for; ECI
// does not find or has not finished the image cache it pins; the scheduler
// finds it no node; ECI will release its spot instance.
func Diagnose(s Subject, p Pod, events []Event) *Problem {
	spot := latest(events, func(r string) bool { return r == ReasonSpotToBeReleased })
	ended := p.Phase == corev1.PodFailed
	switch {
	case p.Reason == ReasonEvicted:
		return s.problem(ReasonEvicted, SourceKubelet, p.Message, time.Time{})
	case ended && spot != nil:
		return s.problem(ReasonSpotToBeReleased, SourceECI, "its spot instance was released: "+spot.Message, spot.Time)
	case p.Waiting != nil && p.Waiting.Reason == ReasonCrashLoopBackOff && p.Failed != nil && p.Failed.Reason == ReasonOOMKilled:
		return s.oomKilled(p.Failed)
	case p.Waiting != nil && knownWaiting(p.Waiting.Reason):
		return s.problem(p.Waiting.Reason, SourceKubelet, waitingMessage(p.Waiting), time.Time{})
	case p.Failed != nil && (p.Failed.Reason == ReasonOOMKilled || p.Failed.ExitCode == 137 && ended):
		return s.oomKilled(p.Failed)
	}
	if e := latest(events, func(r string) bool { return r == ReasonOOMKilled }); e != nil && ended {
		return s.problem(ReasonOOMKilled, SourceECI, e.Message, e.Time)
	}
	if ended && p.Failed != nil {
		return s.problem(ReasonError, SourceKubelet, fmt.Sprintf("container %s: %s", p.Failed.Name, p.Failed.Message), p.Failed.Time)
	}
	if p.Phase == corev1.PodPending || p.Phase == "" {
		if c := p.Instance; c != nil && instanceReasons[c.Reason] {
			return s.problem(c.Reason, SourceECI, c.Message, c.Time)
		}
		if e := latest(events, func(r string) bool { return instanceReasons[r] }); e != nil && s.OnECI {
			return s.problem(e.Reason, SourceECI, e.Message, e.Time)
		}
	}
	if s.NotPlaced != nil {
		return s.NotPlaced
	}
	if e := latest(events, func(r string) bool { return r == ReasonImageCacheNotFound || r == ReasonImageCacheNotComplete }); e != nil {
		return s.problem(e.Reason, SourceECI, e.Message, e.Time)
	}
	if s.Unschedulable != "" {
		return s.problem(ReasonUnschedulable, SourceScheduler, s.Unschedulable, s.Since)
	}
	if spot != nil && !ended {
		return s.problem(ReasonSpotToBeReleased, SourceECI, spot.Message, spot.Time)
	}
	return nil
}

// knownWaiting are the waiting reasons of a container that does not start.
func knownWaiting(reason string) bool {
	switch reason {
	case ReasonErrImagePull, ReasonImagePullBackOff, ReasonInvalidImageName, ReasonCreateContainerConfigError, ReasonCrashLoopBackOff:
		return true
	}
	return false
}

func waitingMessage(c *Container) string {
	switch {
	case c.Message != "":
		return fmt.Sprintf("container %s: %s", c.Name, c.Message)
	case c.Image != "":
		return fmt.Sprintf("container %s, image %q", c.Name, c.Image)
	}
	return "container " + c.Name
}

func (s Subject) oomKilled(c *Container) *Problem {
	when := "was"
	if c.Last {
		when = "was last"
	}
	return s.problem(ReasonOOMKilled, SourceKubelet, fmt.Sprintf("container %s %s killed for memory (exit %d)", c.Name, when, c.ExitCode), c.Time)
}

// problem is the problem of a reason of the table, its fix filled in.
func (s Subject) problem(name string, source Source, message string, at time.Time) *Problem {
	r, _ := Lookup(name, source)
	if message == "" {
		message = r.Means
	}
	return &Problem{Reason: name, Message: message, Source: source, Fix: s.fix(r.Fix), Time: at}
}

func (s Subject) fix(fix string) string {
	app, pod := s.App, s.Pod
	if s.Namespace != "" {
		app += " -n " + s.Namespace
		pod += " -n " + s.Namespace
	}
	return fillFix(fix, app, pod)
}
