package timeline

import (
	"io"
	"iter"
	"slices"
	"time"

	"github.com/spark-eci/kubectl-spark-eci/pkg/jsonlist"
)

// TraceEvent is one event of the Trace Event Format that chrome://tracing
// and ui.perfetto.dev read: a complete event (ph X) with its start (ts) and
// duration (dur) in microseconds, on a track (pid, tid), or a metadata
// event (ph M) that names a process or a track.
type TraceEvent struct {
	Name string `json:"name"`
	Cat  string `json:"cat,omitempty"`
	Ph   string `json:"ph"`
	// Ts and Dur are microseconds: Ts from the timeline's first moment.
	Ts   *int64         `json:"ts,omitempty"`
	Dur  *int64         `json:"dur,omitempty"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	Args map[string]any `json:"args,omitempty"`
}

// Trace is a trace in the Trace Event Format's object form.
type Trace struct {
	TraceEvents     []TraceEvent `json:"traceEvents"`
	DisplayTimeUnit string       `json:"displayTimeUnit"`
}

// TraceOf is a timeline as a trace: a track per application submission
// and per pod (named by a thread_name metadata event), in one process per
// application (its pods with it) or, for pods of none, per namespace; a
// complete event per phase whose times are known, an open one up to the
// timeline's now. An unknown phase has no times to place: it is named in
// the args of its track.
func TraceOf(tl Timeline) Trace {
	t := Trace{TraceEvents: slices.Collect(traceEvents(tl)), DisplayTimeUnit: traceTimeUnit}
	if t.TraceEvents == nil {
		t.TraceEvents = []TraceEvent{}
	}
	return t
}

// WriteTrace writes the trace of a timeline as JSON, as
// json.MarshalIndent(TraceOf(t), "", "  ") and a newline would, an event at
// a time: the trace of tens of thousands of pods is never held whole.
func WriteTrace(w io.Writer, t Timeline) error {
	return jsonlist.WriteSeq(w, Trace{TraceEvents: []TraceEvent{}, DisplayTimeUnit: traceTimeUnit}, "traceEvents", traceEvents(t))
}

const traceTimeUnit = "ms"

// traceEvents yields the events of TraceOf, made as they are asked for.
func traceEvents(tl Timeline) iter.Seq[TraceEvent] {
	return func(yield func(TraceEvent) bool) {
		rows := rowsOf(tl)
		t0, _, ok := rowBounds(rows)
		processes := map[string]int{}
		for i, r := range rows {
			pid, seen := processes[r.group]
			if !seen {
				pid = len(processes) + 1
				processes[r.group] = pid
				if !yield(TraceEvent{Name: "process_name", Ph: "M", Pid: pid, Args: map[string]any{"name": r.group}}) {
					return
				}
			}
			tid := i + 1
			track := TraceEvent{Name: "thread_name", Ph: "M", Pid: pid, Tid: tid, Args: map[string]any{"name": r.name}}
			var unknown []Phase
			for _, s := range r.phases {
				if s.State == Unknown || !ok {
					unknown = append(unknown, s.Name)
					continue
				}
				ts, dur := micros(s.Start.Sub(t0)), micros(s.End.Sub(s.Start))
				args := map[string]any{"state": s.State}
				if r.role != "" {
					args["role"] = r.role
				}
				if r.cache != "" {
					args["cache"] = r.cache
				}
				if !yield(TraceEvent{Name: string(s.Name), Cat: r.kind, Ph: "X", Ts: &ts, Dur: &dur, Pid: pid, Tid: tid, Args: args}) {
					return
				}
			}
			if len(unknown) > 0 {
				track.Args["unknown"] = unknown
			}
			if !yield(track) {
				return
			}
		}
	}
}

func micros(d time.Duration) int64 { return d.Microseconds() }
