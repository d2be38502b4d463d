package imagepull

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// slot gathers what is known about one container's image.
type slot struct {
	pull    ImagePull
	fromPod bool // pull.Image is the pod spec's
	// status is what the pod's container status says, when no event does.
	status ContainerFacts
	events []Event
}

// images reports each container's image: the pod's containers in spec order
// (pod is nil when it is gone), then containers only the events name, in the
// order they were seen.
func images(pod *PodFacts, evs []Event) []ImagePull {
	var slots []*slot
	byName := map[string]*slot{}
	add := func(s *slot) *slot {
		slots = append(slots, s)
		if s.pull.Container != "" {
			byName[s.pull.Container] = s
		}
		return s
	}
	if pod != nil {
		for _, c := range pod.Containers {
			add(&slot{pull: ImagePull{Container: c.Name, Image: c.Image, Init: c.Init}, fromPod: true, status: c})
		}
	}
	for _, ev := range evs {
		if ev.Kind.IsCache() {
			continue
		}
		s := find(slots, byName, ev)
		if s == nil && (ev.Container != "" || ev.Image != "") {
			s = add(&slot{pull: ImagePull{Container: ev.Container, Image: ev.Image, Init: ev.Init}})
		}
		if s != nil {
			s.events = append(s.events, ev)
		}
	}
	// Init containers run first; the stable sort keeps the rest in order.
	slices.SortStableFunc(slots, func(a, b *slot) int {
		switch {
		case a.pull.Init == b.pull.Init:
			return 0
		case a.pull.Init:
			return -1
		}
		return 1
	})
	out := make([]ImagePull, 0, len(slots))
	for _, s := range slots {
		out = append(out, s.report())
	}
	return out
}

// find is the container an event is about: by name, else by image (some
// reporters leave out the fieldPath), else the pod's only container.
func find(slots []*slot, byName map[string]*slot, ev Event) *slot {
	if ev.Container != "" {
		return byName[ev.Container]
	}
	if ev.Image != "" {
		for _, s := range slots {
			if sameImage(s.pull.Image, ev.Image) {
				return s
			}
		}
		return nil
	}
	if len(slots) == 1 {
		return slots[0]
	}
	return nil
}

// sameImage compares a pod spec's image with the one the kubelet names, which
// has the default tag applied.
func sameImage(spec, named string) bool {
	if spec == named {
		return true
	}
	last := spec[strings.LastIndex(spec, "/")+1:]
	return !strings.ContainsAny(last, ":@") && spec+":latest" == named
}

func (s *slot) report() ImagePull {
	p := s.pull
	if len(s.events) == 0 {
		p.State, p.Error = s.status.State, s.status.Error
		return p
	}
	evs := s.events
	for _, ev := range evs {
		if ev.Kind == Pulling {
			p.Attempts += int(ev.Count)
		}
		if !s.fromPod && ev.Image != "" {
			p.Image = ev.Image
		}
	}
	last := len(evs) - 1
	switch evs[last].Kind {
	case Pulling:
		p.State = StatePulling
	case AlreadyPresent:
		p.State = StatePresent
	case Pulled:
		p.State = StatePulled
		pullTimeOf(&p, evs)
	case PullFailed, InspectFailed:
		p.State = StateFailed
	case BackOff:
		p.State = StateBackOff
	case NeverPull:
		p.State = StateNeverPull
	}
	if p.State.Failed() {
		p.Error = failure(evs)
	}
	return p
}

// pullTimeOf fills the times of the last event, a Pulled one. Kubelets before
// 1.19 do not write the pull time: then it runs from the Pulling event before.
func pullTimeOf(p *ImagePull, evs []Event) {
	pulled := evs[len(evs)-1]
	p.SizeBytes = pulled.SizeBytes
	p.WithWaiting = pulled.WithWaiting
	if pulled.HasPullTime {
		p.PullTime, p.PullTimeFrom = pulled.PullTime, PullTimeFromMessage
		return
	}
	for i := len(evs) - 2; i >= 0; i-- {
		if evs[i].Kind == Pulling {
			p.PullTime = max(pulled.Last.Sub(evs[i].Last), 0)
			p.PullTimeFrom = PullTimeFromTimestamps
			return
		}
	}
}

// failure is the message that best says why the image could not be had: the
// latest one naming an image (it carries the registry's error), else the
// latest failure of any kind.
func failure(evs []Event) string {
	var generic string
	for i := len(evs) - 1; i >= 0; i-- {
		ev := evs[i]
		if !ev.Kind.isFailure() {
			continue
		}
		if ev.Image != "" && ev.Kind != BackOff {
			return ev.Message
		}
		if generic == "" {
			generic = ev.Message
		}
	}
	return generic
}

// fromStatus reads a container that has no image event: it may be waiting
// to be scheduled or pulled, or its events may have expired.
func fromStatus(st *corev1.ContainerStatus) (PullState, string) {
	if st == nil {
		return StateWaiting, ""
	}
	if st.State.Running != nil || st.State.Terminated != nil || st.LastTerminationState.Terminated != nil || st.ImageID != "" {
		return StateUnknown, ""
	}
	if w := st.State.Waiting; w != nil {
		switch w.Reason {
		case "ErrImagePull", "RegistryUnavailable", "SignatureValidationFailed", "InvalidImageName", "ImageInspectError":
			return StateFailed, w.Message
		case "ImagePullBackOff":
			return StateBackOff, w.Message
		case "ErrImageNeverPull":
			return StateNeverPull, w.Message
		}
	}
	return StateWaiting, ""
}
