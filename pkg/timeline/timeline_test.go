package timeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spark-eci/kubectl-spark-eci/internal/golden"
)

var t0 = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

func at(seconds float64) time.Time { return t0.Add(time.Duration(seconds * float64(time.Second))) }

// brief writes spans as name:state:seconds.
func brief(spans []Span) string {
	var parts []string
	for _, s := range spans {
		p := string(s.Name) + ":" + string(s.State)
		if s.Seconds != nil {
			p += fmt.Sprintf(":%g", *s.Seconds)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

func TestSpansOf(t *testing.T) {
	now := at(100)
	for _, tc := range []struct {
		name  string
		marks Marks
		want  string
	}{
		{"an ECS pod, every mark", Marks{Created: at(0), Scheduled: at(1), PullBegun: at(2), Pulled: at(12), Started: at(14), Ready: at(15)},
			"scheduling:done:1 pull:done:10 start:done:2 ready:done:1"},
		{"an ECI pod, every mark", Marks{OnECI: true, Created: at(0), Scheduled: at(1), InstanceCreated: at(21), PullBegun: at(22), Pulled: at(80),
			Started: at(82), Ready: at(83)},
			"scheduling:done:1 instance:done:20 pull:done:58 start:done:2 ready:done:1"},
		{"waiting for the scheduler", Marks{Created: at(40)}, "scheduling:open:60"},
		{"ECI making its instance", Marks{OnECI: true, Created: at(0), Scheduled: at(1)}, "scheduling:done:1 instance:open:99"},
		{"pulling", Marks{OnECI: true, Created: at(0), Scheduled: at(1), InstanceCreated: at(10), PullBegun: at(11)},
			"scheduling:done:1 instance:done:9 pull:open:89"},
		{"its image already there: a pull of no time, known", Marks{OnECI: true, Created: at(0), Scheduled: at(1), InstanceCreated: at(10), Pulled: at(10),
			Started: at(11), Ready: at(12)}, "scheduling:done:1 instance:done:9 pull:done:0 start:done:1 ready:done:1"},
		{"its events gone: unknown, never zero", Marks{OnECI: true, Created: at(0), Scheduled: at(1), Started: at(50), Ready: at(51)},
			"scheduling:done:1 instance:unknown pull:unknown start:unknown ready:done:1"},
		{"started, not ready yet", Marks{Created: at(0), Scheduled: at(1), PullBegun: at(2), Pulled: at(3), Started: at(90)},
			"scheduling:done:1 pull:done:1 start:done:87 ready:open:10"},
		{"clocks that disagree: never negative", Marks{Created: at(5), Scheduled: at(4)}, "scheduling:done:0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := brief(SpansOf(tc.marks, now)); got != tc.want {
				t.Errorf("SpansOf =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// pods are an application's: an ECS driver, ECI executors that hit and
// missed the cache, one still pulling, one whose events the TTL took.
func pods() []Pod {
	now := at(100)
	pod := func(name, role, kind, cache string, m Marks) Pod {
		m.OnECI = kind == "ECI"
		return Pod{Namespace: "spark", Name: name, Role: role, NodeKind: kind, Cache: cache, CacheMissed: cache == CacheMissed,
			Application: "spark-pi", Submission: "s1", Phases: SpansOf(m, now)}
	}
	return []Pod{
		pod("spark-pi-driver", "driver", "ECS", "", Marks{Created: at(0), Scheduled: at(1), PullBegun: at(1), Pulled: at(9), Started: at(10), Ready: at(11)}),
		pod("spark-pi-exec-1", "executor", "ECI", CacheHit, Marks{Created: at(14), Scheduled: at(14), InstanceCreated: at(30), Pulled: at(30), Started: at(32), Ready: at(33)}),
		pod("spark-pi-exec-2", "executor", "ECI", CacheMissed, Marks{Created: at(14), Scheduled: at(15), InstanceCreated: at(29), PullBegun: at(29),
			Pulled: at(79), Started: at(81), Ready: at(82)}),
		pod("spark-pi-exec-3", "executor", "ECI", CacheMissed, Marks{Created: at(14), Scheduled: at(15), InstanceCreated: at(31), PullBegun: at(31)}),
		pod("spark-pi-exec-4", "executor", "ECI", "", Marks{Created: at(14), Scheduled: at(15), Started: at(60), Ready: at(61)}),
	}
}

func TestChart(t *testing.T) {
	var b bytes.Buffer
	if err := WriteChart(&b, New(nil, pods(), at(100)), ChartOptions{Width: 80}); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "chart-80.txt", b.String())
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if len(line) > 80 {
			t.Errorf("a line wider than 80 columns: %q", line)
		}
	}
	// The row of the pod whose events are gone says so; the one still
	// pulling ends with >.
	rows := map[string]string{}
	for _, line := range strings.Split(b.String(), "\n") {
		if f := strings.Fields(line); len(f) > 2 {
			rows[f[0]] = strings.Join(f[2:], "")
		}
	}
	if !strings.Contains(rows["spark-pi-exec-4"], "?") || !strings.HasSuffix(rows["spark-pi-exec-3"], ">") {
		t.Errorf("rows %q", rows)
	}

	var colour bytes.Buffer
	if err := WriteChart(&colour, New(nil, pods(), at(100)), ChartOptions{Width: 80, Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(colour.String(), "\x1b[33m") || stripANSI(colour.String()) != b.String() {
		t.Errorf("the coloured chart is not the plain one in colour:\n%s", colour.String())
	}
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// WriteJSON and WriteTrace write what json.MarshalIndent does, a pod (an
// event) at a time.
func TestWriteJSON(t *testing.T) {
	apps := []Application{{Kind: "SparkApplication", Namespace: "spark", Name: "spark-pi", Submission: "s1",
		Phases: AppSpansOf(AppMarks{Submitted: at(-3), DriverCreated: at(0), DriverStarted: at(10), FirstExecutorCreated: at(14)}, at(100))}}
	tl := New(apps, pods(), at(100))
	want, err := json.MarshalIndent(tl, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tl.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want)+"\n" {
		t.Errorf("WriteJSON\n%s\nwant\n%s", b.String(), want)
	}
	if want, err = json.MarshalIndent(TraceOf(tl), "", "  "); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := WriteTrace(&b, tl); err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want)+"\n" {
		t.Errorf("WriteTrace\n%s\nwant\n%s", b.String(), want)
	}
}

// The JSON is checked by decoding it: every phase of a pod in order, an
// unknown one with no times and seconds null.
func TestJSON(t *testing.T) {
	raw, err := json.Marshal(New(nil, pods(), at(100)))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		APIVersion, Kind string
		Now              time.Time
		Pods             []struct {
			Name, NodeKind string
			Phases         []map[string]any
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.APIVersion != "spark-eci.io/v1alpha1" || doc.Kind != "Timeline" || !doc.Now.Equal(at(100)) || len(doc.Pods) != 5 {
		t.Fatalf("document %s", raw)
	}
	gone := doc.Pods[4]
	if gone.Name != "spark-pi-exec-4" || len(gone.Phases) != 5 {
		t.Fatalf("pod %+v", gone)
	}
	for _, ph := range gone.Phases[1:4] {
		if ph["state"] != "unknown" || ph["seconds"] != nil || ph["start"] != nil || ph["end"] != nil {
			t.Errorf("an unknown phase: %v", ph)
		}
		if _, present := ph["seconds"]; !present {
			t.Errorf("seconds left out, not null: %v", ph)
		}
	}
	if s := gone.Phases[0]; s["name"] != "scheduling" || s["seconds"] != 1.0 || s["state"] != "done" {
		t.Errorf("scheduling %v", s)
	}
}

// The trace follows the Trace Event Format's rules: complete events with
// ph X, ts and dur in microseconds, on tracks a metadata event names.
func TestTrace(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTrace(&b, New(nil, pods(), at(100))); err != nil {
		t.Fatal(err)
	}
	var trace struct {
		TraceEvents []struct {
			Name     string
			Ph       string
			Ts, Dur  *float64
			Pid, Tid int
			Args     map[string]any
		}
		DisplayTimeUnit string
	}
	if err := json.Unmarshal(b.Bytes(), &trace); err != nil {
		t.Fatal(err)
	}
	if trace.DisplayTimeUnit != "ms" {
		t.Errorf("displayTimeUnit %q", trace.DisplayTimeUnit)
	}
	named := map[[2]int]string{}
	processes := map[int]string{}
	complete := map[string][]float64{} // pod/phase -> ts, dur
	for _, e := range trace.TraceEvents {
		switch e.Ph {
		case "M":
			if e.Ts != nil || e.Dur != nil {
				t.Errorf("metadata event with times: %+v", e)
			}
			switch e.Name {
			case "thread_name":
				named[[2]int{e.Pid, e.Tid}] = e.Args["name"].(string)
			case "process_name":
				processes[e.Pid] = e.Args["name"].(string)
			default:
				t.Errorf("metadata event %q", e.Name)
			}
		case "X":
			if e.Ts == nil || e.Dur == nil || *e.Ts < 0 || *e.Dur < 0 {
				t.Errorf("complete event without ts and dur: %+v", e)
				continue
			}
			complete[fmt.Sprint(e.Pid, "/", e.Tid, "/", e.Name)] = []float64{*e.Ts, *e.Dur}
		default:
			t.Errorf("event of phase %q", e.Ph)
		}
	}
	if processes[1] != "spark/spark-pi" || len(named) != 5 {
		t.Fatalf("tracks %v, processes %v", named, processes)
	}
	for key := range complete {
		var pid, tid int
		fmt.Sscanf(key, "%d/%d/", &pid, &tid)
		if named[[2]int{pid, tid}] == "" {
			t.Errorf("event %s on a track no metadata event names", key)
		}
	}
	// Microseconds from the first moment: exec-2's pull ran 29 s to 79 s.
	if got := complete["1/3/pull"]; len(got) != 2 || got[0] != 29e6 || got[1] != 50e6 {
		t.Errorf("exec-2's pull: ts, dur = %v, want 29000000, 50000000", got)
	}
	// The phases whose times are gone are named on their track.
	found := false
	for _, e := range trace.TraceEvents {
		if e.Ph == "M" && e.Name == "thread_name" && e.Args["name"] == "spark-pi-exec-4" {
			found = true
			if fmt.Sprint(e.Args["unknown"]) != "[instance pull start]" {
				t.Errorf("exec-4's track: %v", e.Args)
			}
		}
	}
	if !found {
		t.Error("no track of exec-4")
	}
}

func TestSummary(t *testing.T) {
	tl := New(nil, pods(), at(100))
	tl.WarmCacheSavingsSeconds = 49.6
	lines := Summarize(tl).Lines()
	want := []string{
		"p50/p95 ECI (4 pods): scheduling 1s/1s, instance 16s/16s, pull 0s/50s, start 2s/2s, ready 1s/1s; ECS (1 pod): scheduling 1s/1s, pull 8s/8s, start 1s/1s, ready 1s/1s",
		"image cache hit (1 pod): scheduling 0s/0s, instance 16s/16s, pull 0s/0s, start 2s/2s, ready 1s/1s; missed (2 pods): scheduling 1s/1s, instance 14s/16s, pull 50s/50s, start 2s/2s, ready 1s/1s; a warm cache would have saved 50s of image pulls on ECI",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// Written to a width: each line wrapped at its spaces, none wider.
	var b bytes.Buffer
	if err := WriteSummary(&b, Summarize(tl), 60); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if len(line) > 60 {
			t.Errorf("a summary line wider than 60: %q", line)
		}
	}
	if strings.Join(strings.Fields(b.String()), " ") != strings.Join(strings.Fields(strings.Join(want, " ")), " ") {
		t.Errorf("wrapped, the summary says something else:\n%s", b.String())
	}
}

// An application's row whose submission time is unknown begins with ?;
// a pod whose last phase is unknown at the right edge ends with one; a
// short last phase at the right edge still shows; the axis's labels never
// touch; pods of several namespaces are told apart by a NAMESPACE column.
func TestChartEdges(t *testing.T) {
	apps := []Application{{Kind: "SparkApplication", Namespace: "a", Name: "pi", Submission: "s1",
		Phases: AppSpansOf(AppMarks{DriverCreated: at(10), DriverStarted: at(20), FirstExecutorCreated: at(30), ExecutorsRunning: at(100)}, at(100))}}
	pod := func(ns, name string, m Marks) Pod {
		return Pod{Namespace: ns, Name: name, NodeKind: "ECS", Application: "pi", Submission: "s1", Phases: SpansOf(m, at(100))}
	}
	tl := New(apps, []Pod{
		pod("a", "pi-driver", Marks{Created: at(10), Scheduled: at(11), Started: at(20), Ready: at(21)}),
		pod("a", "pi-exec-1", Marks{Created: at(30), Scheduled: at(31), PullBegun: at(31), Pulled: at(99), Started: at(99.5), Ready: at(99.8)}),
		pod("b", "pi-driver", Marks{Created: at(0), Scheduled: at(1), PullBegun: at(1), Pulled: at(2), Ready: at(100)}),
	}, at(100))
	var b bytes.Buffer
	if err := WriteChart(&b, tl, ChartOptions{Width: 60}); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", b.String())
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	for _, line := range lines {
		if len(line) > 60 {
			t.Errorf("a line wider than 60: %q", line)
		}
	}
	bar := func(i int) string { return strings.TrimSpace(lines[i][len("NAMESPACE  pi-exec-1  APP  "):]) }
	if !strings.HasPrefix(lines[0], "NAMESPACE  POD ") || !strings.HasPrefix(lines[1], "a          app/pi     APP  ") ||
		!strings.HasPrefix(lines[4], "b          pi-driver  ECS  ") {
		t.Errorf("no NAMESPACE column:\n%s", b.String())
	}
	if r := bar(1); !strings.HasPrefix(r, "?:") {
		t.Errorf("the application's row %q: its unknown submit, then its request", r)
	}
	// Its start and ready, a second at the right edge, have no column of
	// their own: the last one shows in the last column.
	if r := bar(3); !strings.HasSuffix(r, "#+") {
		t.Errorf("exec-1's row %q: its ready at the right edge", r)
	}
	if r := bar(4); !strings.HasSuffix(r, "?+") && !strings.HasSuffix(r, "?") {
		t.Errorf("b's driver %q: its unknown start before its ready", r)
	}
	if axis := lines[0][len("NAMESPACE  POD        APP  "):]; strings.Contains(axis, "s1") || strings.Contains(axis, "s2") || strings.Contains(axis, "s3") {
		t.Errorf("axis labels that touch: %q", axis)
	}
	// A bar too narrow for five labels keeps those that fit apart.
	if got := axis(100*time.Second, 12); strings.Contains(got, "s1") || strings.Contains(got, "s5") {
		t.Errorf("axis of 12 columns %q", got)
	}
}
