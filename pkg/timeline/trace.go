package timeline

import (
	"encoding/json"
	"io"
	"time"
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
	t := Trace{TraceEvents: []TraceEvent{}, DisplayTimeUnit: "ms"}
	rows := rowsOf(tl)
	t0, _, ok := rowBounds(rows)
	processes := map[string]int{}
	for i, r := range rows {
		pid, seen := processes[r.group]
		if !seen {
			pid = len(processes) + 1
			processes[r.group] = pid
			t.TraceEvents = append(t.TraceEvents, TraceEvent{Name: "process_name", Ph: "M", Pid: pid, Args: map[string]any{"name": r.group}})
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
			for k, v := range map[string]string{"role": r.role, "cache": r.cache} {
				if v != "" {
					args[k] = v
				}
			}
			t.TraceEvents = append(t.TraceEvents, TraceEvent{Name: string(s.Name), Cat: r.kind, Ph: "X", Ts: &ts, Dur: &dur, Pid: pid, Tid: tid, Args: args})
		}
		if len(unknown) > 0 {
			track.Args["unknown"] = unknown
		}
		t.TraceEvents = append(t.TraceEvents, track)
	}
	return t
}

// WriteTrace writes the trace of a timeline as JSON.
func WriteTrace(w io.Writer, t Timeline) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(TraceOf(t))
}

func micros(d time.Duration) int64 { return d.Microseconds() }
