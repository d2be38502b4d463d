package fromcluster

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/spark-eci/kubectl-spark-eci/internal/nanotime"
	"github.com/spark-eci/kubectl-spark-eci/pkg/timeline"
)

// packedMarks are Marks as a Reading keeps them for each of tens of
// thousands of pods while it reads their events: each time in Unix
// nanoseconds (0 for none), a third of the room time.Time takes. The pulls
// are not among them: they are read from the events cache-report keeps
// (Marks.PutPulls), once all are read.
type packedMarks struct {
	created, scheduled, instanceCreated, started, ready, eciFirst int64
	restarted, ended                                              bool
}

func pack(m Marks) packedMarks {
	return packedMarks{
		created: nanotime.Of(m.Created), scheduled: nanotime.Of(m.Scheduled), instanceCreated: nanotime.Of(m.InstanceCreated),
		started: nanotime.Of(m.Started), ready: nanotime.Of(m.Ready), eciFirst: nanotime.Of(m.eciFirst), restarted: m.Restarted, ended: m.Ended,
	}
}

// unpack gives the marks back; where the pod runs is told apart later.
func (p packedMarks) unpack() Marks {
	return Marks{Marks: timeline.Marks{
		Created: nanotime.Time(p.created), Scheduled: nanotime.Time(p.scheduled), InstanceCreated: nanotime.Time(p.instanceCreated),
		Started: nanotime.Time(p.started), Ready: nanotime.Time(p.ready), Restarted: p.restarted, Ended: p.ended,
	}, eciFirst: nanotime.Time(p.eciFirst)}
}

// putEvent adds what an event about the pod marks: ECI's first event,
// which stands for its instance when its condition is not there to say (see
// Marks.Resolved). It tells whether the event marked anything.
func (p *packedMarks) putEvent(e *corev1.Event) bool {
	seen, ok := eciSeen(e)
	if ok && (p.eciFirst == 0 || nanotime.Of(seen) < p.eciFirst) {
		p.eciFirst = nanotime.Of(seen)
	}
	return ok
}
