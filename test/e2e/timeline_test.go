//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/spark-eci/kubectl-spark-eci/pkg/doctor"
	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
	"github.com/spark-eci/kubectl-spark-eci/pkg/timeline"
)

// setSubmitted writes what the operator writes of a submission: its id
// (the pods' submission-id label) and when it was attempted.
func setSubmitted(t *testing.T, ns, name, id string, at time.Time) {
	t.Helper()
	changeAppStatus(t, ns, name, func(obj map[string]any) error {
		for field, value := range map[string]string{"submissionID": id, "lastSubmissionAttemptTime": at.UTC().Format(time.RFC3339)} {
			if err := unstructured.SetNestedField(obj, value, "status", field); err != nil {
				return err
			}
		}
		return unstructured.SetNestedField(obj, "RUNNING", "status", "applicationState", "state")
	})
}

// startUp writes a pod's status as the scheduler, ECI's virtual node and
// the kubelet write it: bound at scheduled, ECI's instance at instance
// (none when zero), the container started at started and Ready at ready
// (not yet when zero).
func startUp(scheduled, instance, started, ready time.Time) func(*corev1.PodStatus) {
	return func(s *corev1.PodStatus) {
		cond := func(typ corev1.PodConditionType, at time.Time) {
			s.Conditions = append(s.Conditions, corev1.PodCondition{Type: typ, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(at)})
		}
		s.Phase = corev1.PodPending
		cond(corev1.PodScheduled, scheduled)
		if !instance.IsZero() {
			cond(eci.ConditionContainerInstanceCreated, instance)
		}
		if started.IsZero() {
			return
		}
		s.Phase = corev1.PodRunning
		s.ContainerStatuses = []corev1.ContainerStatus{{Name: "spark-kubernetes-executor", Image: sparkImage, Ready: !ready.IsZero(),
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(started)}}}}
		if !ready.IsZero() {
			cond(corev1.PodReady, ready)
		}
	}
}

// kubeletPull posts the kubelet's events of a pull from begun to done, the
// pull itself taking seconds by its message.
func kubeletPull(t *testing.T, pod *corev1.Pod, begun, done time.Time, seconds string) {
	t.Helper()
	podEvent(t, pod, "kubelet", corev1.EventTypeNormal, "Pulling", `Pulling image "`+sparkImage+`"`, begun, begun, 1)
	podEvent(t, pod, "kubelet", corev1.EventTypeNormal, "Pulled",
		fmt.Sprintf(`Successfully pulled image "%s" in %s (%s including waiting). Image size: 336066994 bytes.`, sparkImage, seconds, done.Sub(begun)),
		done, done, 1)
}

// timelineApp is spark-pi asking for four executors, started as ECI and
// the kubelet start it: its ECS driver; executors on ECI that hit the
// cache, missed it and pulled, are still pulling, and whose events the TTL
// took. The API server sets each pod's creation: the driver's marks are
// seconds after its creation (D), the executors' after the first
// executor's (E), which the test creates once the driver started.
type timelineApp struct {
	ns         string
	submitted  time.Time
	driver     time.Time   // D
	executors  []time.Time // each executor's creation; E is the first
	driverMark func(seconds int) time.Time
	execMark   func(seconds int) time.Time
}

func newTimelineApp(t *testing.T) timelineApp {
	t.Helper()
	ns := newNamespace(t)
	ecs, eciNode := ensureNodes(t)
	createFromYAML(t, ns, `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: spark-pi}
spec:
  type: Scala
  sparkVersion: 3.5.2
  mode: cluster
  image: `+sparkImage+`
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  driver: {cores: 1}
  executor: {instances: 4}
`)
	driver := sparkPod(t, ns, "spark-pi", "spark-pi-driver", "driver", ecs)
	a := timelineApp{ns: ns, driver: driver.CreationTimestamp.Time}
	a.driverMark = func(s int) time.Time { return a.driver.Add(time.Duration(s) * time.Second) }
	a.submitted = a.driverMark(-4)
	setSubmitted(t, ns, "spark-pi", "7f9c0e2a", a.submitted)
	setPodStatus(t, driver, startUp(a.driverMark(0), time.Time{}, a.driverMark(1), a.driverMark(2)))
	kubeletPull(t, driver, a.driverMark(0), a.driverMark(1), "0.9s")
	// The driver asks for its executors once it runs.
	time.Sleep(time.Until(a.driverMark(2)))

	var pods []*corev1.Pod
	for n := 1; n <= 4; n++ {
		pod := sparkPod(t, ns, "spark-pi", fmt.Sprintf("spark-pi-1-exec-%d", n), "executor", eciNode)
		pods = append(pods, pod)
		a.executors = append(a.executors, pod.CreationTimestamp.Time)
	}
	a.execMark = func(s int) time.Time { return a.executors[0].Add(time.Duration(s) * time.Second) }
	e := a.execMark
	hit, missed, pulling, gone := pods[0], pods[1], pods[2], pods[3]

	setPodStatus(t, hit, startUp(e(1), e(14), e(17), e(18)))
	podEvent(t, hit, "EciService", corev1.EventTypeNormal, "SuccessfulHitImageCache",
		"[eci.imagecache]Successfully hit image cache imc-2ze1, eci will be scheduled with this image cache.", e(13), e(13), 1)
	podEvent(t, hit, "kubelet", corev1.EventTypeNormal, "Pulled", `Container image "`+sparkImage+`" already present on machine`, e(16), e(16), 1)

	setPodStatus(t, missed, startUp(e(1), e(15), e(68), e(69)))
	podEvent(t, missed, "EciService", corev1.EventTypeWarning, "ImageCacheMissed", "[eci.imagecache]Missed image cache.", e(15), e(15), 1)
	kubeletPull(t, missed, e(16), e(66), "49.6s")

	// Still pulling: its pull began a second after its instance, which ECI
	// made at once, and goes on until now (the test waits for that second
	// to pass).
	setPodStatus(t, pulling, startUp(e(0), e(0), time.Time{}, time.Time{}))
	podEvent(t, pulling, "EciService", corev1.EventTypeWarning, "ImageCacheMissed", "[eci.imagecache]Missed image cache.", e(0), e(0), 1)
	podEvent(t, pulling, "kubelet", corev1.EventTypeNormal, "Pulling", `Pulling image "`+sparkImage+`"`, e(1), e(1), 1)

	// Its events expired: only what the pod records is left.
	setPodStatus(t, gone, startUp(e(1), e(16), e(50), e(51)))
	time.Sleep(time.Until(e(2)))
	return a
}

func decodeTimeline(t *testing.T, stdout string) timeline.Timeline {
	t.Helper()
	var tl timeline.Timeline
	if err := json.Unmarshal([]byte(stdout), &tl); err != nil {
		t.Fatalf("decode %q: %v", stdout, err)
	}
	if tl.APIVersion != "spark-eci.io/v1alpha1" || tl.Kind != "Timeline" {
		t.Fatalf("document of %s %s", tl.APIVersion, tl.Kind)
	}
	return tl
}

// phases writes spans as name:state:seconds (seconds only when done).
func phases(spans []timeline.Span) string {
	var parts []string
	for _, s := range spans {
		p := string(s.Name) + ":" + string(s.State)
		if s.State == timeline.Done {
			p += fmt.Sprintf(":%g", *s.Seconds)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

func seconds(from, to time.Time) float64 { return max(to.Sub(from).Seconds(), 0) }

// timeline works each pod's start-up out of what the API server holds of
// it, as ECI and the kubelet write it, and the application's from what the
// operator writes; -o json gives the documented Timeline.
func TestTimeline(t *testing.T) {
	a := newTimelineApp(t)
	stdout, stderr, code := runPlugin(t, "timeline", "app/spark-pi", "-n", a.ns, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "pods with a phase of unknown length: 1 (events expire after one hour by default)") {
		t.Errorf("stderr %q, want the pod whose events are gone counted", stderr)
	}
	tl := decodeTimeline(t, stdout)
	if time.Since(tl.Now) > time.Minute || tl.Now.Before(a.driver) {
		t.Errorf("now %s", tl.Now)
	}
	if len(tl.Applications) != 1 {
		t.Fatalf("applications %+v", tl.Applications)
	}
	// Submitted 4 s before the driver existed; the driver started at D+1
	// and asked for its first executor at E; three of the four executors
	// it asks for run, so the executors phase is still going.
	app := tl.Applications[0]
	if app.Kind != "SparkApplication" || app.Name != "spark-pi" || app.Submission != "7f9c0e2a" {
		t.Errorf("application %+v", app)
	}
	wantApp := fmt.Sprintf("submit:done:4 request:done:%g executors:open", seconds(a.driverMark(1), a.executors[0]))
	if got := phases(app.Phases); got != wantApp || !app.Phases[2].End.Equal(tl.Now) || !app.Phases[2].Start.Equal(a.executors[0]) {
		t.Errorf("application phases %s, want %s, the last from %s to now", got, wantApp, a.executors[0])
	}

	// Each executor is scheduled at E+1, a second or less after its creation.
	sched := func(n int) float64 { return seconds(a.executors[n-1], a.execMark(1)) }
	want := []struct{ name, kind, cache, phases string }{
		{"spark-pi-driver", "ECS", "", "scheduling:done:0 pull:done:1 start:done:0 ready:done:1"},
		{"spark-pi-1-exec-1", "ECI", "hit", fmt.Sprintf("scheduling:done:%g instance:done:13 pull:done:2 start:done:1 ready:done:1", sched(1))},
		{"spark-pi-1-exec-2", "ECI", "missed", fmt.Sprintf("scheduling:done:%g instance:done:14 pull:done:50 start:done:2 ready:done:1", sched(2))},
		{"spark-pi-1-exec-3", "ECI", "missed", fmt.Sprintf("scheduling:done:%g instance:done:%g pull:open", seconds(a.executors[2], a.execMark(0)), seconds(a.execMark(0), a.execMark(0)))},
		{"spark-pi-1-exec-4", "ECI", "", fmt.Sprintf("scheduling:done:%g instance:done:15 pull:unknown start:unknown ready:done:1", sched(4))},
	}
	if len(tl.Pods) != len(want) {
		t.Fatalf("%d pods: %+v", len(tl.Pods), tl.Pods)
	}
	for i, w := range want {
		p := tl.Pods[i]
		if p.Name != w.name || p.NodeKind != w.kind || p.Cache != w.cache || p.Application != "spark-pi" || p.Submission != "7f9c0e2a" {
			t.Errorf("pod %d: %s %s cache %q of %s/%s, want %s %s cache %q", i, p.Name, p.NodeKind, p.Cache, p.Application, p.Submission, w.name, w.kind, w.cache)
		}
		if got := phases(p.Phases); got != w.phases {
			t.Errorf("%s: phases\n%s\nwant\n%s", p.Name, got, w.phases)
		}
	}
	// The pull times are cache-report's: the kubelet's own figure.
	if p := tl.Pods[2]; p.PullSeconds == nil || *p.PullSeconds != 49.6 {
		t.Errorf("exec-2's pull seconds %v, want 49.6", p.PullSeconds)
	}
	if p := tl.Pods[3].Phases[2]; p.State != timeline.Open || !p.End.Equal(tl.Now) || !p.Start.Equal(a.execMark(1)) || *p.Seconds < 1 {
		t.Errorf("exec-3's pull %+v, want open from E+1 to now", p)
	}
	for _, s := range tl.Pods[4].Phases[2:4] {
		if s.Seconds != nil || !s.Start.IsZero() {
			t.Errorf("exec-4's %s has times: %+v", s.Name, s)
		}
	}
}

// The chart and its summary, as a user reads them; the trace as
// ui.perfetto.dev reads it; one pod alone; and the rights doctor lists for
// timeline are enough, while without the application's the rows come from
// the pods and a warning says so.
func TestTimelineOutputs(t *testing.T) {
	a := newTimelineApp(t)

	stdout, stderr, code := runPlugin(t, "timeline", "app/spark-pi", "-n", a.ns)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	t.Logf("chart:\n%s", stdout)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) < 8 || !strings.HasPrefix(lines[7], "legend: ") {
		t.Fatalf("want the axis, 6 rows, then the legend:\n%s", stdout)
	}
	for i, prefix := range []string{"POD ", "app/spark-pi ", "spark-pi-driver ", "spark-pi-1-exec-1 ", "spark-pi-1-exec-2 ", "spark-pi-1-exec-3 ", "spark-pi-1-exec-4 "} {
		if !strings.HasPrefix(lines[i], prefix) {
			t.Errorf("line %d %q, want it to start with %q", i, lines[i], prefix)
		}
	}
	for i, line := range lines {
		if len(line) > 80 {
			t.Errorf("line %d wider than 80 columns (no terminal, no COLUMNS): %q", i, line)
		}
	}
	row := func(i int) string { return strings.Join(strings.Fields(lines[i])[2:], "") }
	if r := row(1); !strings.HasPrefix(r, "--") || !strings.Contains(r, "*") || !strings.HasSuffix(r, ">") {
		t.Errorf("the application's row %q: submit, then executors still coming", r)
	}
	if r := row(5); !strings.HasSuffix(r, "#>") {
		t.Errorf("exec-3's row %q: its pull still going", r)
	}
	if r := row(6); !strings.Contains(r, "?") {
		t.Errorf("exec-4's row %q: its phases whose events are gone", r)
	}
	if strings.Contains(stdout, "\x1b[") {
		t.Error("colour off a terminal")
	}
	// The summary, however wrapped: exec-2's 49.6 s pull is what a warm
	// cache would have saved, as cache-report sums it.
	summary := strings.Join(strings.Fields(stdout[strings.Index(stdout, "p50/p95 "):]), " ")
	for _, want := range []string{"p50/p95 ECI (4 pods): scheduling ", "; ECS (1 pod): ", "image cache hit (1 pod): ", "; missed (2 pods): ",
		"; a warm cache would have saved 50s of image pulls on ECI"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary %q lacks %q", summary, want)
		}
	}

	// The trace: complete events with ph, ts and dur in microseconds, on
	// tracks that metadata events name, one a pod and one the application.
	stdout, stderr, code = runPlugin(t, "timeline", "app/spark-pi", "-n", a.ns, "-o", "trace")
	if code != 0 {
		t.Fatalf("trace: exit %d: %s", code, stderr)
	}
	checkTrace(t, stdout, []string{"app/spark-pi", "spark-pi-driver", "spark-pi-1-exec-1", "spark-pi-1-exec-2", "spark-pi-1-exec-3", "spark-pi-1-exec-4"})

	// One pod: its phases, and no application row.
	stdout, stderr, code = runPlugin(t, "timeline", "spark-pi-1-exec-2", "-n", a.ns, "-o", "json")
	if tl := decodeTimeline(t, stdout); code != 0 || len(tl.Applications) != 0 || len(tl.Pods) != 1 || tl.Pods[0].Cache != "missed" {
		t.Errorf("one pod: exit %d, %+v, %s", code, tl, stderr)
	}

	// -A: every Spark pod, this test's among them, each application's row
	// above its pods.
	stdout, stderr, code = runPlugin(t, "timeline", "-A", "-o", "json")
	tl := decodeTimeline(t, stdout)
	mine := 0
	for _, p := range tl.Pods {
		if p.Namespace == a.ns {
			mine++
		}
	}
	found := false
	for _, app := range tl.Applications {
		found = found || app.Namespace == a.ns && app.Name == "spark-pi" && app.Submission == "7f9c0e2a" && app.Phases[0].State == timeline.Done
	}
	if code != 0 || mine != 5 || !found {
		t.Errorf("-A: exit %d, %d of this test's pods, its application found %v: %s", code, mine, found, stderr)
	}

	// The rights doctor lists for timeline are enough.
	var rules []rbacv1.PolicyRule
	for _, c := range doctor.Commands {
		if c.Name != "timeline" {
			continue
		}
		for _, n := range c.Needs {
			rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{n.Group}, Resources: []string{n.Resource}, Verbs: []string{n.Verb}})
		}
	}
	if len(rules) == 0 {
		t.Fatal("doctor lists no rights for timeline")
	}
	user := newUser(t, a.ns, "timeline-"+a.ns, rules)
	stdout, stderr, code = runPluginAs(t, user, "timeline", "app/spark-pi", "-n", a.ns, "-o", "json")
	if tl := decodeTimeline(t, stdout); code != 0 || strings.Contains(stderr, "Warning") || phases(tl.Applications[0].Phases[:1]) != "submit:done:4" {
		t.Errorf("with doctor's rights: exit %d, stderr %q", code, stderr)
	}
	// Without the application's: its submission time is unknown, and
	// the executors shown stand for those it asks for.
	podsOnly := newUser(t, a.ns, "timeline-pods-"+a.ns, []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}},
		{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"list"}},
	})
	stdout, stderr, code = runPluginAs(t, podsOnly, "timeline", "app/spark-pi", "-n", a.ns, "-o", "json")
	tl = decodeTimeline(t, stdout)
	if code != 0 || !strings.Contains(stderr, "Warning: cannot read SparkApplications:") || strings.Count(stderr, "Warning") != 1 ||
		!strings.HasPrefix(phases(tl.Applications[0].Phases), "submit:unknown request:done") {
		t.Errorf("without the application's rights: exit %d, stderr %q, phases %s", code, stderr, phases(tl.Applications[0].Phases))
	}
}

// checkTrace holds a trace to the Trace Event Format's rules, and to its
// tracks: one per name, in order.
func checkTrace(t *testing.T, out string, tracks []string) {
	t.Helper()
	var trace struct {
		TraceEvents []struct {
			Name, Ph string
			Ts, Dur  *float64
			Pid, Tid *int
			Args     map[string]any
		} `json:"traceEvents"`
		DisplayTimeUnit string `json:"displayTimeUnit"`
	}
	if err := json.Unmarshal([]byte(out), &trace); err != nil {
		t.Fatalf("trace: %v", err)
	}
	named := map[[2]int]string{}
	var order []string
	complete := 0
	for _, e := range trace.TraceEvents {
		if e.Pid == nil || e.Tid == nil {
			t.Errorf("event without pid and tid: %+v", e)
			continue
		}
		switch e.Ph {
		case "M":
			if e.Name == "thread_name" {
				name, _ := e.Args["name"].(string)
				named[[2]int{*e.Pid, *e.Tid}] = name
				order = append(order, name)
			} else if e.Name != "process_name" {
				t.Errorf("metadata event %q", e.Name)
			}
		case "X":
			complete++
			if e.Ts == nil || e.Dur == nil || *e.Ts < 0 || *e.Dur < 0 || *e.Ts != float64(int64(*e.Ts)) {
				t.Errorf("complete event %s without whole microseconds ts and dur: %+v", e.Name, e)
			}
		default:
			t.Errorf("event of ph %q", e.Ph)
		}
	}
	for _, e := range trace.TraceEvents {
		if e.Ph == "X" && named[[2]int{*e.Pid, *e.Tid}] == "" {
			t.Errorf("event %s on a track no metadata event names", e.Name)
		}
	}
	if strings.Join(order, " ") != strings.Join(tracks, " ") || complete == 0 {
		t.Errorf("tracks %v, want %v; %d complete events", order, tracks, complete)
	}
}

// The chart on a terminal: in colour, unless NO_COLOR; and as wide as
// COLUMNS says when it is not one. The binary runs as kubectl runs it.
func TestTimelineTerminal(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("script (util-linux), which gives the command a terminal, is needed: %v", err)
	}
	a := newTimelineApp(t)
	run := func(env string) string {
		t.Helper()
		line := fmt.Sprintf(`%s %q -qec %q /dev/null`, env, script, "kubectl-spark_eci timeline app/spark-pi -n "+a.ns)
		out, err := runShell(t, cluster.kubeconfig, line)
		if err != nil {
			t.Fatalf("%s: %v: %s", line, err, out)
		}
		return out
	}
	if out := run(""); !strings.Contains(out, "\x1b[33m#") {
		t.Errorf("no colour on a terminal:\n%q", out)
	}
	if out := run("NO_COLOR=1"); strings.Contains(out, "\x1b[") || !strings.Contains(out, "spark-pi-1-exec-2") {
		t.Errorf("colour with NO_COLOR:\n%q", out)
	}
	out, err := runShell(t, cluster.kubeconfig, "COLUMNS=140 kubectl-spark_eci timeline app/spark-pi -n "+a.ns)
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	widest := 0
	for _, line := range strings.Split(out, "\n") {
		widest = max(widest, len(line))
	}
	if widest <= 80 || widest > 140 {
		t.Errorf("COLUMNS=140: the widest line is %d columns:\n%s", widest, out)
	}
}

// A SparkConnect's row: its server is not submitted, so no submit phase.
func TestTimelineSparkConnect(t *testing.T) {
	ns := newNamespace(t)
	ecs, _ := ensureNodes(t)
	createFromYAML(t, ns, sparkConnectManifest)
	server := newSparkPod(ns, "", "spark-connect-server", sparkapp.RoleConnectServer, ecs)
	delete(server.Labels, "sparkoperator.k8s.io/app-name")
	delete(server.Labels, "sparkoperator.k8s.io/submission-id")
	server.Labels[sparkapp.LabelConnectName] = "spark-connect"
	server = createPod(t, server)
	c := server.CreationTimestamp.Time
	setPodStatus(t, server, startUp(c, time.Time{}, c.Add(time.Second), c.Add(2*time.Second)))

	stdout, stderr, code := runPlugin(t, "timeline", "sparkconnect/spark-connect", "-n", ns, "-o", "json")
	tl := decodeTimeline(t, stdout)
	if code != 0 || len(tl.Applications) != 1 || tl.Applications[0].Kind != "SparkConnect" ||
		phases(tl.Applications[0].Phases) != "request:open" || len(tl.Pods) != 1 || tl.Pods[0].Role != "connect-server" {
		t.Errorf("exit %d, %+v, stderr %q", code, tl, stderr)
	}
}

// Bad input: one line that says what is wrong, a non-zero exit, nothing
// printed.
func TestTimelineBadInput(t *testing.T) {
	ns := newNamespace(t)
	_, eci := ensureNodes(t)
	sparkPod(t, ns, "quiet", "quiet-driver", "driver", eci)
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{}, "give the pods to show: POD, app/NAME, sparkconnect/NAME, -l SELECTOR or -A"},
		{[]string{"nope"}, `pod "nope" not found in namespace "` + ns + `"`},
		{[]string{"app/nope"}, `no pods of application "nope" in namespace "` + ns + `"`},
		{[]string{"sparkconnect/nope"}, `no pods of SparkConnect "nope"`},
		{[]string{"-l", "team=none"}, `no pods match "team=none" in namespace "` + ns + `"`},
		{[]string{"deployment/web"}, `timeline takes a Pod, a SparkApplication or a SparkConnect (NAME, app/NAME or sparkconnect/NAME), not "deployment/web"`},
		{[]string{"app/"}, `"app/" names no object`},
		{[]string{"quiet-driver", "-o", "table"}, `unknown --output "table": want json, yaml or trace`},
		{[]string{"-l", "a in (b"}, "invalid --selector"},
		{[]string{"app/quiet", "-l", "a=b"}, "a POD or an application cannot be combined with --selector"},
		{[]string{"app/quiet", "-A"}, "cannot be combined with --all-namespaces"},
		{[]string{"quiet-driver", "--all-submissions"}, "--all-submissions is for applications, -l and -A"},
		{[]string{"quiet-driver", "--eci-node-label", "=x"}, `invalid node label "=x"`},
	} {
		stdout, stderr, code := runPlugin(t, append([]string{"timeline", "-n", ns}, tc.args...)...)
		if code == 0 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.wantErr) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q, want one line with %q", tc.args, code, stdout, stderr, tc.wantErr)
		}
	}
	stdout, stderr, code := runPlugin(t, "timeline", "-n", "no-such-namespace", "app/spark-pi")
	if code == 0 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, `namespace "no-such-namespace" not found`) {
		t.Errorf("a namespace that does not exist: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// SIGINT and SIGTERM end timeline in the middle of its reads, from an API
// server that does not answer: it says so, exits 130 or 143, and prints no
// timeline of what it did not read.
func TestInterruptedTimeline(t *testing.T) {
	for _, signal := range signals {
		t.Run(signalName(signal), func(t *testing.T) {
			kubeconfig, accepted := silentServer(t)
			w := startKubectl(t, kubeconfig, "spark-eci", "timeline", "app/spark-pi", "-n", "default")
			select {
			case <-accepted:
			case <-time.After(30 * time.Second):
				t.Fatal("timeline made no request")
			}
			w.interrupt(t, signal, 10*time.Second)
			if w.stdout.String() != "" {
				t.Errorf("an interrupted timeline printed %q", w.stdout.String())
			}
			if want := "error: interrupted by " + signalName(signal) + ": list pods: "; !strings.HasPrefix(lastLine(w.stderr.String()), want) ||
				!strings.HasSuffix(w.stderr.String(), "called off\n") {
				t.Errorf("stderr %q, want %q and what it called off", w.stderr.String(), want)
			}
		})
	}
}

// silentServer is an API server that takes connections and never answers,
// as one held up would; it returns a kubeconfig (the admin's) that goes to
// it, and a channel that is closed at its first connection.
func silentServer(t *testing.T) (string, <-chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan struct{})
	var conns []net.Conn
	var mu sync.Mutex
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		var once sync.Once
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			once.Do(func() { close(accepted) })
		}
	}()
	return kubeconfigTo(t, l.Addr().String()), accepted
}

// An application that ended: the operator deleted its executors, its
// driver Succeeded. Nothing of it goes on: what it was in when it ended is
// unknown, never still going.
func TestTimelineOfAnEndedApplication(t *testing.T) {
	ns := newNamespace(t)
	ecs, _ := ensureNodes(t)
	createSeedApp(t, ns, "spark-pi")
	driver := sparkPod(t, ns, "spark-pi", "spark-pi-driver", "driver", ecs)
	d := driver.CreationTimestamp.Time
	changeAppStatus(t, ns, "spark-pi", func(obj map[string]any) error {
		for field, value := range map[string]string{"submissionID": "7f9c0e2a", "lastSubmissionAttemptTime": d.Add(-3 * time.Second).UTC().Format(time.RFC3339)} {
			if err := unstructured.SetNestedField(obj, value, "status", field); err != nil {
				return err
			}
		}
		return unstructured.SetNestedField(obj, "COMPLETED", "status", "applicationState", "state")
	})
	setPodStatus(t, driver, func(s *corev1.PodStatus) {
		s.Phase = corev1.PodSucceeded
		s.Conditions = []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(d)},
			{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "PodCompleted", LastTransitionTime: metav1.NewTime(d.Add(time.Minute))},
		}
		s.ContainerStatuses = []corev1.ContainerStatus{{Name: "spark-kubernetes-driver", Image: sparkImage,
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed",
				StartedAt: metav1.NewTime(d.Add(5 * time.Second)), FinishedAt: metav1.NewTime(d.Add(time.Minute))}}}}
	})
	kubeletPull(t, driver, d.Add(time.Second), d.Add(4*time.Second), "2.9s")

	stdout, stderr, code := runPlugin(t, "timeline", "app/spark-pi", "-n", ns, "-o", "json")
	tl := decodeTimeline(t, stdout)
	if code != 0 || len(tl.Applications) != 1 || len(tl.Pods) != 1 {
		t.Fatalf("exit %d, %+v, stderr %q", code, tl, stderr)
	}
	if got := phases(tl.Applications[0].Phases); got != "submit:done:3 request:unknown" {
		t.Errorf("the application's phases %s", got)
	}
	if got := phases(tl.Pods[0].Phases); got != "scheduling:done:0 pull:done:3 start:done:1 ready:unknown" {
		t.Errorf("the driver's phases %s", got)
	}
}
