package imagepull

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// BuildPodReport makes the report of one pod from its events (already
// filtered to this pod by UID, in any order). pod is nil when the pod is gone:
// then its name, node and role come from the events. isECI tells whether a
// node is an ECI virtual node; when nil, a pod counts as on ECI when ECI wrote
// a cache event or annotation for it.
func BuildPodReport(pod *corev1.Pod, events []corev1.Event, isECI func(nodeName string) bool) PodReport {
	var folded PodEvents
	for i := range events {
		folded.Put(&events[i])
	}
	if pod == nil {
		return ReportOf(nil, &folded, isECI)
	}
	facts := FactsOf(pod)
	return ReportOf(&facts, &folded, isECI)
}

// ReportOf is BuildPodReport from what a report keeps of a pod and of its
// events; pod is nil when the pod is gone, events when it has none.
func ReportOf(pod *PodFacts, events *PodEvents, isECI func(nodeName string) bool) PodReport {
	var r PodReport
	parsed := slices.Clone(events.Events())
	sortEvents(parsed)
	r.Events = len(parsed)

	if pod != nil {
		r.Namespace, r.Name, r.UID = pod.Namespace, pod.Name, pod.UID
		r.Role, r.Node, r.Phase = pod.Role, pod.Node, pod.Phase
	} else if events != nil {
		r.Gone = true
		r.Namespace, r.Name, r.UID = events.Namespace, events.Name, events.UID
		r.Role = roleFromName(r.Name)
		r.Node = cmp.Or(events.ScheduledNode, events.KubeletHost)
	}

	r.Cache = cacheResult(parsed, pod)
	onECI := r.Cache.Outcome != "" || pod != nil && pod.MatchedID != ""
	switch {
	case r.Node != "" && isECI != nil:
		r.NodeKind = kindOf(isECI(r.Node) || r.Cache.Outcome != "")
	case r.Node != "" || onECI:
		r.NodeKind = kindOf(onECI)
	}
	r.Images = images(pod, parsed)
	return r
}

func kindOf(onECI bool) placement.NodeKind {
	if onECI {
		return placement.NodeECI
	}
	return placement.NodeECS
}

// sortEvents puts events in the order they last happened. Core events have
// one-second timestamps, so a fast pull's Pulling and Pulled often share one:
// within a second, the steps of a pull keep their natural order.
func sortEvents(evs []Event) {
	slices.SortStableFunc(evs, func(a, b Event) int {
		return cmp.Or(a.Last.Compare(b.Last), cmp.Compare(step(a.Kind), step(b.Kind)), a.First.Compare(b.First))
	})
}

func step(k EventKind) int {
	switch k {
	case Pulling:
		return 1
	case PullFailed, InspectFailed, NeverPull:
		return 2
	case BackOff:
		return 3
	case Pulled, AlreadyPresent:
		return 4
	}
	return 0 // ECI decides on its cache before the kubelet pulls
}

var executorName = regexp.MustCompile(`-exec-[0-9]+$`)

// roleFromName guesses the role of a pod that is gone from how Spark names
// its pods: <app>-driver and <prefix>-exec-<id>.
func roleFromName(name string) string {
	switch {
	case strings.HasSuffix(name, "-driver"):
		return string(sparkapp.Driver)
	case executorName.MatchString(name):
		return string(sparkapp.Executor)
	}
	return ""
}

// scheduledNode is the node of the scheduler's "Successfully assigned
// ns/pod to node", which tells where a gone pod ran; "" for other events.
func scheduledNode(e *corev1.Event) string {
	if e.Reason != reasonScheduled {
		return ""
	}
	if i := strings.LastIndex(e.Message, " to "); i >= 0 {
		return strings.TrimSpace(e.Message[i+len(" to "):])
	}
	return ""
}

// kubeletHost is the host of the kubelet that reported an event (the
// kubelet's image events carry it, so it survives filtering by Relevant);
// "" for another reporter.
func kubeletHost(e *corev1.Event) string {
	if e.Source.Component == "kubelet" && e.Source.Host != "" {
		return e.Source.Host
	}
	if e.ReportingController == "kubelet" {
		return e.ReportingInstance
	}
	return ""
}
