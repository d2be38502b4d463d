package imagepull

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

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
		r := ReportOf(nil, &folded, isECI)
		r.Namespace, r.Name, r.UID = involvedPod(events)
		r.Role = roleFromName(r.Name)
		r.Node = nodeFromEvents(events)
		r.NodeKind = nodeKind(r.Node, r.Cache, nil, isECI)
		return r
	}
	facts := FactsOf(pod)
	return ReportOf(&facts, &folded, isECI)
}

// ReportOf is BuildPodReport from what a report keeps of a pod and of its
// events; pod is nil when the pod is gone (the caller says who it was),
// events when it has none.
func ReportOf(pod *PodFacts, events *PodEvents, isECI func(nodeName string) bool) PodReport {
	return ReportOfEvents(pod, events.Events(), isECI)
}

// ReportOfEvents is ReportOf from the pod's events already unpacked
// (PodEvents.Events), for a caller that reads them too; it puts them in
// the order they last happened.
func ReportOfEvents(pod *PodFacts, parsed []Event, isECI func(nodeName string) bool) PodReport {
	var r PodReport
	sortEvents(parsed)
	r.Events = len(parsed)
	r.Cache = cacheResult(parsed, pod)
	r.Images = images(pod, parsed)
	if pod == nil {
		r.Gone = true
		return r
	}
	r.Namespace, r.Name, r.UID = pod.Namespace, pod.Name, pod.UID
	r.Role, r.Node, r.Phase = pod.Role, pod.Node, pod.Phase
	r.NodeKind = nodeKind(r.Node, r.Cache, pod, isECI)
	return r
}

// nodeKind tells where a pod runs by placement.NodeKinds' rule: on ECI when
// ECI wrote a cache event or its annotations for it, else its node's kind
// (isECI; by name when nil); "" for a pod not scheduled that ECI said nothing
// of.
func nodeKind(node string, cache CacheResult, pod *PodFacts, isECI func(nodeName string) bool) placement.NodeKind {
	kind := placement.KindByName
	if isECI != nil {
		kind = func(node string) placement.NodeKind {
			if isECI(node) {
				return placement.NodeECI
			}
			return placement.NodeECS
		}
	}
	return placement.PodNodeKind(node, cache.Outcome != "" || pod != nil && pod.ByECI, kind)
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

// Compiled when first used, not by every command as it starts.
var executorName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`-exec-[0-9]+$`) })

// roleFromName guesses the role of a pod that is gone from how Spark names
// its pods: <app>-driver and <prefix>-exec-<id>.
func roleFromName(name string) string {
	switch {
	case strings.HasSuffix(name, "-driver"):
		return string(sparkapp.Driver)
	case executorName().MatchString(name):
		return string(sparkapp.Executor)
	}
	return ""
}

// involvedPod names the pod the events are about.
func involvedPod(events []corev1.Event) (namespace, name string, uid types.UID) {
	for _, e := range events {
		o := e.InvolvedObject
		if o.Name != "" && (o.Kind == "Pod" || o.Kind == "") {
			return o.Namespace, o.Name, o.UID
		}
	}
	return "", "", ""
}

// nodeFromEvents finds where a gone pod ran: the scheduler's "Successfully
// assigned ns/pod to node", else the host of the kubelet that reported (the
// kubelet's image events carry it, so it survives filtering by Relevant).
func nodeFromEvents(events []corev1.Event) string {
	for _, e := range events {
		if e.Reason == reasonScheduled {
			if i := strings.LastIndex(e.Message, " to "); i >= 0 {
				if node := strings.TrimSpace(e.Message[i+len(" to "):]); node != "" {
					return node
				}
			}
		}
	}
	for _, e := range events {
		if e.Source.Component == "kubelet" && e.Source.Host != "" {
			return e.Source.Host
		}
		if e.ReportingController == "kubelet" && e.ReportingInstance != "" {
			return e.ReportingInstance
		}
	}
	return ""
}
