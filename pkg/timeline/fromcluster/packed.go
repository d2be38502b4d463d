package fromcluster

import (
	"time"

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
		created: nanos(m.Created), scheduled: nanos(m.Scheduled), instanceCreated: nanos(m.InstanceCreated),
		started: nanos(m.Started), ready: nanos(m.Ready), eciFirst: nanos(m.eciFirst), restarted: m.Restarted, ended: m.Ended,
	}
}

// unpack gives the marks back; where the pod runs is told apart later.
func (p packedMarks) unpack() Marks {
	return Marks{Marks: timeline.Marks{
		Created: fromNanos(p.created), Scheduled: fromNanos(p.scheduled), InstanceCreated: fromNanos(p.instanceCreated),
		Started: fromNanos(p.started), Ready: fromNanos(p.ready), Restarted: p.restarted, Ended: p.ended,
	}, eciFirst: fromNanos(p.eciFirst)}
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
