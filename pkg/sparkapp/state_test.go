package sparkapp

import (
	"os"
	"strings"
	"testing"
)

func TestOnSpecChange(t *testing.T) {
	for _, tc := range []struct {
		kind, state string
		disruptive  bool
		effect      string
	}{
		{KindSparkApplication, StateNew, false, "not submitted yet"},
		{KindSparkApplication, StateRunning, true, "state RUNNING: the operator will kill the driver and executors"},
		{KindSparkApplication, StateSubmitted, true, "state SUBMITTED"},
		{KindSparkApplication, StatePendingRerun, true, "state PENDING_RERUN"},
		{KindSparkApplication, StateInvalidating, true, "state INVALIDATING"},
		{KindSparkApplication, StateSucceeding, true, "state SUCCEEDING"},
		{KindSparkApplication, StateFailing, true, "state FAILING"},
		{KindSparkApplication, StateSuspending, true, "state SUSPENDING"},
		{KindSparkApplication, StateResuming, true, "state RESUMING"},
		{KindSparkApplication, StateUnknown, true, "state UNKNOWN"},
		{KindSparkApplication, "SOMETHING_NEW", true, "state SOMETHING_NEW"},
		{KindSparkApplication, StateCompleted, false, "state COMPLETED: the operator will submit the application again"},
		{KindSparkApplication, StateFailed, false, "state FAILED: the operator will submit the application again"},
		{KindSparkApplication, StateSubmissionFailed, false, "state SUBMISSION_FAILED"},
		{KindSparkApplication, StateSuspended, false, "state SUSPENDED: the application stays suspended; once resumed"},
		{KindScheduledSparkApplication, StateRunning, false, "applies to future runs"},
		{KindSparkConnect, StateNew, false, "no server yet: the operator creates it with this placement"},
		{KindSparkConnect, ConnectStateReady, false, "state Ready: not applied until the server restarts: the operator uses the templates only when it creates the server pod, and the server gives its executors the template it started with; delete its server pod (its sessions end)"},
		{KindSparkConnect, ConnectStateNotReady, false, "state NotReady: not applied until the server restarts"},
		// An application's states mean nothing to a SparkConnect.
		{KindSparkConnect, StateRunning, false, "not applied until the server restarts"},
	} {
		got := OnSpecChange(tc.kind, tc.state)
		if got.Disruptive != tc.disruptive || !strings.Contains(got.Effect, tc.effect) {
			t.Errorf("OnSpecChange(%s, %q) = %+v, want disruptive %v and %q", tc.kind, tc.state, got, tc.disruptive, tc.effect)
		}
	}
}

func TestStateOf(t *testing.T) {
	for _, tc := range []struct {
		obj  map[string]interface{}
		want string
	}{
		{map[string]interface{}{"kind": KindSparkApplication, "status": map[string]interface{}{
			"applicationState": map[string]interface{}{"state": StateRunning}, "state": "ignored"}}, StateRunning},
		{map[string]interface{}{"kind": KindScheduledSparkApplication}, StateNew},
		{map[string]interface{}{"kind": KindSparkConnect, "status": map[string]interface{}{
			"state": ConnectStateReady, "applicationState": map[string]interface{}{"state": "ignored"}}}, ConnectStateReady},
		{map[string]interface{}{"kind": KindSparkConnect, "status": map[string]interface{}{}}, StateNew},
	} {
		if got := StateOf(tc.obj); got != tc.want {
			t.Errorf("StateOf(%v) = %q, want %q", tc.obj, got, tc.want)
		}
	}
}

func TestSparkConnectPaths(t *testing.T) {
	for _, tc := range []struct {
		kind                        string
		role                        Role
		rolePath, annotations, kept string
	}{
		{KindSparkApplication, Driver, "spec.driver", "spec.driver.annotations", "spec"},
		{KindScheduledSparkApplication, Executor, "spec.template.executor", "spec.template.executor.annotations", "spec.template"},
		{KindSparkConnect, Driver, "spec.server", "spec.server.template.metadata.annotations", "spec.server"},
		{KindSparkConnect, Executor, "spec.executor", "spec.executor.template.metadata.annotations", "spec.executor.template"},
	} {
		join := func(p []string) string { return strings.Join(p, ".") }
		if got := join(RolePath(tc.kind, tc.role)); got != tc.rolePath {
			t.Errorf("RolePath(%s, %s) = %s, want %s", tc.kind, tc.role, got, tc.rolePath)
		}
		if got := join(PodAnnotationsPath(tc.kind, tc.role)); got != tc.annotations {
			t.Errorf("PodAnnotationsPath(%s, %s) = %s, want %s", tc.kind, tc.role, got, tc.annotations)
		}
		if got := join(KeptPath(tc.kind, tc.role)); got != tc.kept {
			t.Errorf("KeptPath(%s, %s) = %s, want %s", tc.kind, tc.role, got, tc.kept)
		}
	}
}

// Every map whose annotations reach a role's pods, the winner last: where
// the plugin writes.
func TestPodAnnotationsPaths(t *testing.T) {
	for _, tc := range []struct {
		kind string
		role Role
		want string
	}{
		{KindSparkApplication, Driver, "spec.driver.template.metadata.annotations spec.driver.annotations"},
		{KindSparkApplication, Executor, "spec.executor.template.metadata.annotations spec.executor.annotations"},
		{KindScheduledSparkApplication, Driver, "spec.template.driver.template.metadata.annotations spec.template.driver.annotations"},
		{KindSparkConnect, Driver, "spec.server.template.metadata.annotations"},
		{KindSparkConnect, Executor, "spec.executor.template.metadata.annotations"},
	} {
		paths := PodAnnotationsPaths(tc.kind, tc.role)
		var got []string
		for _, p := range paths {
			got = append(got, strings.Join(p, "."))
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("PodAnnotationsPaths(%s, %s) = %q, want %q", tc.kind, tc.role, got, tc.want)
		}
		if last := paths[len(paths)-1]; strings.Join(last, ".") != strings.Join(PodAnnotationsPath(tc.kind, tc.role), ".") {
			t.Errorf("%s %s: the last path %v is not where the plugin writes", tc.kind, tc.role, last)
		}
	}
}

func TestTypeName(t *testing.T) {
	for kind, want := range map[string]string{
		KindSparkApplication: "sparkapplication/pi", KindScheduledSparkApplication: "scheduledsparkapplication/pi", KindSparkConnect: "sparkconnect/pi",
	} {
		if got := TypeName(kind, "pi"); got != want {
			t.Errorf("TypeName(%s) = %q, want %q", kind, got, want)
		}
	}
}

func TestOnChangeNamesTheServerPod(t *testing.T) {
	conn := map[string]interface{}{"kind": KindSparkConnect, "metadata": map[string]interface{}{"name": "sc", "namespace": "ml"}}
	for _, op := range []Operator{{}, {Version: "v2.5.2", PartialRestart: true}, {Version: "v2.3.0", Namespaces: "ml"}} {
		got := op.OnChange(KindSparkConnect, ConnectStateReady, conn, conn)
		if got.Disruptive || !strings.HasSuffix(got.Effect, "; delete pod sc-server (its sessions end) and the operator creates it again with this placement") {
			t.Errorf("%+v: OnChange = %+v", op, got)
		}
	}
	// The operator v2.3 and v2.4, managing every namespace, miss the
	// deletion: the user is told how to make it look again.
	for _, op := range []Operator{{Version: "v2.3.0"}, {Version: "v2.4.0", Namespaces: "default"}} {
		got := op.OnChange(KindSparkConnect, ConnectStateReady, conn, conn)
		want := "; delete pod sc-server (its sessions end), then, as the operator " + op.Version +
			` drops the deletion of a pod in a namespace its --namespaces does not name, have it look again (kubectl annotate sparkconnect/sc -n ml spark-eci.io/restarted-at="$(date +%s)" --overwrite) and it creates the pod again with this placement`
		if got.Disruptive || !strings.HasSuffix(got.Effect, want) {
			t.Errorf("%+v: OnChange = %q, want it to end %q", op, got.Effect, want)
		}
		if got := op.OnChange(KindSparkConnect, ConnectStateProvisioning, conn, conn); strings.Contains(got.Effect, "annotate") {
			t.Errorf("%+v: before the server exists: %q", op, got.Effect)
		}
	}
}

// The step docs/operator-versions.md quotes is the one place says.
func TestOperatorVersionsDocQuotesTheTouch(t *testing.T) {
	doc, err := os.ReadFile("../../docs/operator-versions.md")
	if err != nil {
		t.Fatal(err)
	}
	conn := map[string]interface{}{"kind": KindSparkConnect, "metadata": map[string]interface{}{"name": "spark-connect", "namespace": "spark"}}
	effect := Operator{Version: "v2.3.0"}.OnChange(KindSparkConnect, ConnectStateReady, conn, conn).Effect
	_, step, _ := strings.Cut(effect, "; delete ")
	if step == "" || !strings.Contains(string(doc), "\ndelete "+step+"\n") {
		t.Errorf("docs/operator-versions.md does not quote what place says:\ndelete %s", step)
	}
}
