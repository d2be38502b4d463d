package fromcluster

import (
	"time"

	"github.com/spark-eci/kubectl-spark-eci/pkg/timeline"
)

// packedMarks are Marks as a Reading keeps them for each of tens of
// thousands of pods: each time in Unix nanoseconds (0 for none), a third
// of the room time.Time takes.
type packedMarks struct {
	created, scheduled, instanceCreated, pullBegun, pulled, started, ready, eciFirst int64
}

func pack(m Marks) packedMarks {
	return packedMarks{
		created: nanos(m.Created), scheduled: nanos(m.Scheduled), instanceCreated: nanos(m.InstanceCreated),
		pullBegun: nanos(m.PullBegun), pulled: nanos(m.Pulled), started: nanos(m.Started), ready: nanos(m.Ready),
		eciFirst: nanos(m.eciFirst),
	}
}

// unpack gives the marks back; where the pod runs is told apart later.
func (p packedMarks) unpack() Marks {
	return Marks{Marks: timeline.Marks{
		Created: fromNanos(p.created), Scheduled: fromNanos(p.scheduled), InstanceCreated: fromNanos(p.instanceCreated),
		PullBegun: fromNanos(p.pullBegun), Pulled: fromNanos(p.pulled), Started: fromNanos(p.started), Ready: fromNanos(p.ready),
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
