//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/podplacement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// kubectl spark-eci status against the real scheduler: the scheduling
// scenarios check that status reports each pod on the node kube-scheduler
// bound it to, a pending pod with the scheduler's own reason, and, before the
// pods exist, as many eligible nodes per role as the scheduler's filters let
// that role's pods onto. The status tests of the shared cluster bind pods and
// post events by hand; only here do the operator's webhook and the scheduler
// write what status reads.

// roleEligibility is what status should count for each role before the pods exist.
type roleEligibility struct{ driver, executor podplacement.Eligibility }

// Executors pinned to one ECS host and then placed on ECI fit no node at all:
// status must warn before the pods exist, and the scheduler must leave them
// pending for the reason status then shows.
func TestSchedulingStatusRoleThatFitsNowhere(t *testing.T) {
	sc := schedulingCluster(t)
	ns := sc.newNamespace(t)
	host := sc.ecsNodes[0]
	sc.createApp(t, ns, sparkPiManifest(t, "spark-pi", 2, withRole("executor", `
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
      - matchExpressions:
        - key: kubernetes.io/hostname
          operator: In
          values: [`+host+`]
`)))
	// The user's term alone fits one node: the zero below is place's ECI
	// requirement ANDed into it, not a term that never matched.
	sc.checkEligible(t, ns, "spark-pi", roleEligibility{driver: eligibleECS(2), executor: eligibleECS(1)})
	sc.place(t, ns, "spark-pi", "--executors=eci")
	stderr := sc.checkEligible(t, ns, "spark-pi", roleEligibility{driver: eligibleECS(2)})
	t.Logf("status warned: %s", stderr)

	pods := sc.submitPods(t, ns, "spark-pi")
	if !sc.isECS(pods.Driver.Spec.NodeName) {
		t.Errorf("the driver runs on %q, not on ECS: %s", pods.Driver.Spec.NodeName, schedulingMessage(pods.Driver))
	}
	for _, p := range pods.Executors {
		if p.Spec.NodeName != "" {
			t.Errorf("executor %s was bound to %s, though status counted no node for it", p.Name, p.Spec.NodeName)
		}
	}
	sc.staysPending(t, pods.Executors, 5*time.Second)
	a, stderr := sc.checkStatus(t, ns, "spark-pi", placement.ECS, placement.ECI)
	for _, p := range a.Pods {
		if p.Role == "executor" && (p.Scheduler == nil || !strings.Contains(p.Scheduler.Message, "didn't match Pod's node affinity/selector")) {
			t.Errorf("executor %s: status gives %+v, want the scheduler's node affinity reason", p.Name, p.Scheduler)
		}
	}
	if !strings.Contains(stderr, "no schedulable node matches the executor's") {
		t.Errorf("with its executors pending, status no longer warns that they fit nowhere: %q", stderr)
	}
}

func eligibleECS(n int) podplacement.Eligibility { return podplacement.Eligibility{ECS: n} }
func eligibleECI(n int) podplacement.Eligibility { return podplacement.Eligibility{ECI: n} }

// eligibleAnywhere is every node of the fixed set.
var eligibleAnywhere = podplacement.Eligibility{ECS: 2, ECI: 2}

// runStatus runs "kubectl spark-eci status APP -n NS ARGS..." through kubectl
// and fails the test unless it exits 0.
func (sc *schedulingEnv) runStatus(t *testing.T, ns, app string, args ...string) (stdout, stderr string) {
	t.Helper()
	argv := append([]string{"spark-eci", "status", app, "-n", ns}, args...)
	stdout, stderr, code := runKubectl(t, sc.kubeconfig, argv...)
	if code != 0 {
		t.Fatalf("kubectl %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(argv, " "), code, stdout, stderr)
	}
	return stdout, stderr
}

// checkEligible checks, before the application's pods exist, the nodes
// status counts for each role: against want, worked out from the fixed node
// set, and against the nodes the scheduler itself lets the role's pods onto
// (see eligibleByScheduler). A role with none must be warned about, and only
// then. It returns what status wrote on stderr.
func (sc *schedulingEnv) checkEligible(t *testing.T, ns, app string, want roleEligibility) string {
	t.Helper()
	stdout, stderr := sc.runStatus(t, ns, app, "-o", "json")
	s := statusJSON(t, stdout)
	if len(s.Applications) != 1 || len(s.Applications[0].Roles) != 2 {
		t.Fatalf("status of %s/%s: %s", ns, app, stdout)
	}
	a := s.Applications[0]
	if len(a.Pods) != 0 {
		t.Fatalf("status shows pods before any was created: %+v", a.Pods)
	}
	byScheduler := sc.eligibleByScheduler(t, ns, app)
	for i, role := range sparkapp.Roles {
		r := a.Roles[i]
		wantRole := want.driver
		if role == sparkapp.Executor {
			wantRole = want.executor
		}
		switch {
		case r.Role != role:
			t.Errorf("role %d of status is %q, want %q", i, r.Role, role)
		case r.EligibleNodes == nil:
			t.Errorf("status counts no eligible nodes for the %s, though it may list nodes", role)
		case *r.EligibleNodes != byScheduler[role]:
			t.Errorf("status counts %+v eligible nodes for the %s, the scheduler lets its pods onto %+v", *r.EligibleNodes, role, byScheduler[role])
		case *r.EligibleNodes != wantRole:
			t.Errorf("status counts %+v eligible nodes for the %s, want %+v", *r.EligibleNodes, role, wantRole)
		}
		warning := fmt.Sprintf("Warning: %s/%s: no schedulable node matches the %s's", ns, app, role)
		if warned := strings.Contains(stderr, warning); warned != (byScheduler[role].Total() == 0) {
			t.Errorf("the scheduler lets the %s's pods onto %+v nodes, and status warned %v that they fit nowhere: %q",
				role, byScheduler[role], warned, stderr)
		}
	}
	// The operator's real webhook is registered here: a warning that it is
	// missing would mean status does not recognise it.
	if strings.Contains(stderr, "no mutating webhook") {
		t.Errorf("status did not recognise the operator's webhook: %q", stderr)
	}
	return stderr
}

// eligibleByScheduler asks kube-scheduler on which nodes each role's pods
// may go, leaving resources aside as status does: for each role and each
// node, a probe pod with what the operator's webhook gives that role's pods
// (node selector, tolerations, affinity), requesting nothing, and kept to that
// one node. The nodes it binds probes to are the role's eligible nodes. The
// probes are deleted before it returns: they would count in the scores that
// decide where the application's own pods go.
func (sc *schedulingEnv) eligibleByScheduler(t *testing.T, ns, app string) map[sparkapp.Role]podplacement.Eligibility {
	t.Helper()
	obj, err := sc.dyn.Resource(sparkAppGVR).Namespace(ns).Get(t.Context(), app, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("getting SparkApplication %s/%s: %v", ns, app, err)
	}
	sub, err := newSubmission(obj)
	if err != nil {
		t.Fatal(err)
	}
	rolePods := []*corev1.Pod{sub.driverPod(), sub.executorPod(1, nil)}
	sc.waitForWebhook(t, obj, rolePods...)

	podsClient := sc.client.CoreV1().Pods(ns)
	var probes []*corev1.Pod
	t.Cleanup(func() { sc.deletePods(t, probes) })
	for _, rolePod := range rolePods {
		mutated, err := podsClient.Create(t.Context(), rolePod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil {
			t.Fatalf("dry run of the %s pod: %v", rolePod.Labels["spark-role"], err)
		}
		for i, node := range append(append([]string{}, sc.ecsNodes...), sc.eciNodes...) {
			probe := &corev1.Pod{
				// No Spark labels: status must never take a probe for a pod
				// of the application, nor the webhook mutate it again.
				ObjectMeta: metav1.ObjectMeta{
					Name:        fmt.Sprintf("probe-%s-%d", mutated.Labels["spark-role"], i),
					Annotations: map[string]string{"e2e/probes": node},
				},
				Spec: corev1.PodSpec{
					Containers:   []corev1.Container{{Name: "probe", Image: mutated.Spec.Containers[0].Image}},
					NodeSelector: mutated.Spec.NodeSelector,
					Tolerations:  mutated.Spec.Tolerations,
					Affinity:     keptTo(mutated.Spec.Affinity, node),
				},
			}
			created, err := podsClient.Create(t.Context(), probe, metav1.CreateOptions{})
			if err != nil {
				t.Fatalf("creating probe pod %s: %v", probe.Name, err)
			}
			probes = append(probes, created)
		}
	}

	out := map[sparkapp.Role]podplacement.Eligibility{}
	for _, p := range sc.scheduled(t, probes...) {
		role := sparkapp.Executor
		if strings.HasPrefix(p.Name, "probe-driver-") {
			role = sparkapp.Driver
		}
		e := out[role]
		switch node := p.Spec.NodeName; {
		case node == "":
		case node != p.Annotations["e2e/probes"]:
			t.Fatalf("probe %s, kept to node %s, was bound to %s", p.Name, p.Annotations["e2e/probes"], node)
		case sc.isECI(node):
			e.ECI++
		default:
			e.ECS++
		}
		out[role] = e
	}
	sc.deletePods(t, probes)
	probes = nil
	return out
}

// keptTo returns affinity with its required node affinity narrowed to one
// node: the name is ANDed into every term (the terms are ORed). A term with
// no requirement matches no node, and is left so.
func keptTo(affinity *corev1.Affinity, node string) *corev1.Affinity {
	a := affinity.DeepCopy()
	if a == nil {
		a = &corev1.Affinity{}
	}
	if a.NodeAffinity == nil {
		a.NodeAffinity = &corev1.NodeAffinity{}
	}
	byName := corev1.NodeSelectorRequirement{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{node}}
	required := a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	if required == nil || len(required.NodeSelectorTerms) == 0 {
		required = &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{}}}
		required.NodeSelectorTerms[0].MatchFields = []corev1.NodeSelectorRequirement{byName}
	} else {
		for i, term := range required.NodeSelectorTerms {
			if len(term.MatchExpressions) > 0 || len(term.MatchFields) > 0 {
				required.NodeSelectorTerms[i].MatchFields = append(term.MatchFields, byName)
			}
		}
	}
	a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = required
	return a
}

// deletePods deletes pods at once and waits until they are gone.
func (sc *schedulingEnv) deletePods(t *testing.T, pods []*corev1.Pod) {
	t.Helper()
	ctx := context.Background()
	for _, p := range pods {
		err := sc.client.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting pod %s/%s: %v", p.Namespace, p.Name, err)
		}
	}
	for _, p := range pods {
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			_, err := sc.client.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
			return apierrors.IsNotFound(err), nil
		})
		if err != nil {
			t.Errorf("pod %s/%s is not gone: %v", p.Namespace, p.Name, err)
		}
	}
}

// checkStatus checks status -o json against the application's pods as the
// scheduler left them: every pod shown, on the node it is bound to, of the
// kind that node is in the fixed set; a pending pod with the scheduler's
// message; the roles' counts; the header's placement. It waits until status
// gives each pending pod's reason from the scheduler's FailedScheduling event
// rather than from the pod's condition, so that the events kube-scheduler
// writes are the ones read. It returns the application status reports and
// what it wrote on stderr.
func (sc *schedulingEnv) checkStatus(t *testing.T, ns, app string, driver, executor placement.Target) (podplacement.Application, string) {
	t.Helper()
	var a podplacement.Application
	var stderr string
	var pods []corev1.Pod
	err := wait.PollUntilContextTimeout(t.Context(), time.Second, time.Minute, true, func(ctx context.Context) (bool, error) {
		var stdout string
		stdout, stderr = sc.runStatus(t, ns, app, "-o", "json")
		s := statusJSON(t, stdout)
		if len(s.Applications) != 1 {
			t.Fatalf("status of %s/%s shows %d applications:\n%s", ns, app, len(s.Applications), stdout)
		}
		a = s.Applications[0]
		// Read after status: a pod bound in between would otherwise look
		// like status's mistake. None is bound late here: the pods are
		// either bound already or stay pending.
		list, err := sc.client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{
			LabelSelector: labels.Set{sparkapp.LabelAppName: app}.String(),
		})
		if err != nil {
			return false, err
		}
		pods = list.Items
		for _, p := range a.Pods {
			if p.Node == "" && (p.Scheduler == nil || p.Scheduler.From != podplacement.FromEvent) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Errorf("status never gave the reason of a pending pod from the scheduler's FailedScheduling event: %v\n%+v", err, a.Pods)
	}

	if a.Placement.Driver != driver || a.Placement.Executor != executor {
		t.Errorf("status gives the placement driver %s, executors %s; place made it driver %s, executors %s",
			a.Placement.Driver, a.Placement.Executor, driver, executor)
	}
	if len(a.Pods) != len(pods) {
		t.Errorf("status shows %d pods, the application has %d", len(a.Pods), len(pods))
	}
	reported := map[string]podplacement.Pod{}
	for _, p := range a.Pods {
		reported[p.Name] = p
	}
	type counts struct{ pods, scheduled, onECI int }
	want := map[sparkapp.Role]*counts{sparkapp.Driver: {}, sparkapp.Executor: {}}
	allBound := true
	for i := range pods {
		pod := &pods[i]
		node := pod.Spec.NodeName
		var kind string
		switch {
		case sc.isECS(node):
			kind = "ECS"
		case sc.isECI(node):
			kind = "ECI"
		case node != "":
			t.Fatalf("pod %s is bound to %s, a node outside the fixed set", pod.Name, node)
		}
		role := sparkapp.Role(pod.Labels[sparkapp.LabelSparkRole])
		c := want[role]
		c.pods++
		if node != "" {
			c.scheduled++
		}
		if kind == "ECI" {
			c.onECI++
		}

		got, ok := reported[pod.Name]
		if !ok {
			t.Errorf("status does not show pod %s", pod.Name)
			continue
		}
		if got.UID != pod.UID || got.Role != string(role) {
			t.Errorf("pod %s: status gives uid %s role %q, the pod has %s %q", pod.Name, got.UID, got.Role, pod.UID, role)
		}
		if got.Node != node || string(got.NodeKind) != kind {
			t.Errorf("pod %s: status puts it on %q (%q); the scheduler bound it to %q (%q)", pod.Name, got.Node, got.NodeKind, node, kind)
		}
		if node != "" {
			if got.Scheduler != nil {
				t.Errorf("pod %s is bound to %s, and status gives a scheduler's reason: %+v", pod.Name, node, got.Scheduler)
			}
			continue
		}
		allBound = false
		// The scheduler writes the same message to its event and to the
		// pod's condition.
		if msg := schedulingMessage(pod); got.Scheduler == nil || got.Scheduler.Message != msg {
			t.Errorf("pending pod %s: status gives the reason %+v, the scheduler says %q", pod.Name, got.Scheduler, msg)
		}
	}
	for _, r := range a.Roles {
		c := want[r.Role]
		if c == nil {
			t.Errorf("status has a role %q", r.Role)
			continue
		}
		if r.Pods != c.pods || r.Scheduled != c.scheduled || r.ECIPods != c.onECI {
			t.Errorf("the %s: status counts %d pods, %d scheduled, %d on ECI; there are %d, %d, %d",
				r.Role, r.Pods, r.Scheduled, r.ECIPods, c.pods, c.scheduled, c.onECI)
		}
		if r.Pods < r.ExpectedPods {
			allBound = false
		}
	}
	if a.Settled != allBound {
		t.Errorf("status says settled %v; every expected pod bound: %v", a.Settled, allBound)
	}
	return a, stderr
}

// checkStatusTable checks the table status prints, as a user reads it,
// against the pods as the scheduler left them, and returns it. The
// application must not have ended, and no pod may wait for a node.
func (sc *schedulingEnv) checkStatusTable(t *testing.T, ns, app string, pods sparkPods, driver, executor placement.Target) string {
	t.Helper()
	stdout, _ := sc.runStatus(t, ns, app)
	// No operator controller runs here to move the application on from NEW.
	header := fmt.Sprintf("APPLICATION %s   NAMESPACE %s   STATE NEW   DRIVER %s   EXECUTORS %s\n\n", app, ns, driver, executor)
	if !strings.HasPrefix(stdout, header) {
		t.Errorf("status table starts otherwise than %q:\n%s", header, stdout)
	}
	if got := strings.Join(rowOf(stdout, "POD"), ","); got != "POD,ROLE,PHASE,NODE,KIND,AGE,REASON,MESSAGE" {
		t.Errorf("status table columns %q:\n%s", got, stdout)
	}
	for _, p := range pods.all() {
		kind := "ECS"
		if sc.isECI(p.Spec.NodeName) {
			kind = "ECI"
		}
		// No kubelet runs the pods: bound, they stay Pending.
		want := []string{p.Name, p.Labels[sparkapp.LabelSparkRole], "Pending", p.Spec.NodeName, kind, "-", "-"}
		got := rowOf(stdout, p.Name)
		if len(got) != 8 || strings.Join(append(got[:5:5], got[6:]...), "|") != strings.Join(want, "|") {
			t.Errorf("status table row %q, want %q and an age", got, want)
		}
	}
	if n := strings.Count(stdout, "\n"); n != 3+len(pods.all()) {
		t.Errorf("status table has %d lines, want the header, a blank line, the column names and a row per pod:\n%s", n, stdout)
	}
	return stdout
}

// writeStatusTable writes the table to the file E2E_STATUS_TABLE names, if
// any, with the test's namespace shown as default: the README and
// docs/status.md show it.
func writeStatusTable(t *testing.T, ns, table string) {
	t.Helper()
	path := os.Getenv("E2E_STATUS_TABLE")
	if path == "" {
		return
	}
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(table, ns, "default")), 0o644); err != nil {
		t.Errorf("writing the status table: %v", err)
	}
}

// watchedCommand is a kubectl command, such as "kubectl spark-eci status
// --watch", running in the background.
type watchedCommand struct {
	stdout, stderr watchOutput
	done           chan struct{}
	argv           []string
	process        *exec.Cmd
	code           int
	err            error // other than a non-zero exit
}

// watchOutput is written by the kubectl process while the test reads it.
type watchOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *watchOutput) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *watchOutput) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startStatusWatch starts "kubectl spark-eci status APP -n NS --watch ARGS..."
// in the background (see startKubectl).
func (sc *schedulingEnv) startStatusWatch(t *testing.T, ns, app string, args ...string) *watchedCommand {
	t.Helper()
	return startKubectl(t, sc.kubeconfig, append([]string{"spark-eci", "status", app, "-n", ns, "--watch"}, args...)...)
}

// startKubectl starts kubectl with argv and the kubeconfig, as runKubectl
// runs kubectl, in the background. It is killed when the test ends, should
// it still run.
func startKubectl(t *testing.T, kubeconfig string, argv ...string) *watchedCommand {
	t.Helper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatalf("kubectl not found: %v", err)
	}
	argv = append(argv, "--kubeconfig", kubeconfig)
	ctx, cancel := context.WithCancel(context.Background())
	c := exec.CommandContext(ctx, kubectl, argv...)
	c.Env = append(environWithout("PATH", "HOME", "KUBECONFIG"),
		"PATH="+pluginBinDir(t)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+t.TempDir())
	w := &watchedCommand{done: make(chan struct{}), argv: argv, process: c}
	c.Stdout, c.Stderr = &w.stdout, &w.stderr
	c.WaitDelay = 5 * time.Second
	if err := c.Start(); err != nil {
		cancel()
		t.Fatalf("starting kubectl %s: %v", strings.Join(argv, " "), err)
	}
	go func() {
		defer close(w.done)
		err := c.Wait()
		var exitErr *exec.ExitError
		switch {
		case err == nil:
		case ctx.Err() != nil:
			w.err = ctx.Err()
		case errors.As(err, &exitErr):
			w.code = exitErr.ExitCode()
		default:
			w.err = err
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-w.done
	})
	return w
}

// wait waits for the command to end by itself, at most d, and succeed.
func (w *watchedCommand) wait(t *testing.T, d time.Duration) {
	t.Helper()
	w.waitFor(t, d, 0)
}

// waitFor waits for the command to end by itself, at most d, with exit code.
func (w *watchedCommand) waitFor(t *testing.T, d time.Duration, code int) {
	t.Helper()
	select {
	case <-w.done:
	case <-time.After(d):
		t.Fatalf("kubectl %s had not ended after %s\nstdout:\n%s\nstderr:\n%s", strings.Join(w.argv, " "), d, w.stdout.String(), w.stderr.String())
	}
	if w.err != nil || w.code != code {
		t.Fatalf("kubectl %s: exit %d (%v), want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(w.argv, " "), w.code, w.err, code, w.stdout.String(), w.stderr.String())
	}
}

// interrupt sends the command a signal, and waits for it to end, at most d,
// as interrupted by that signal: exit 128 plus its number, and stderr's last
// line saying so.
func (w *watchedCommand) interrupt(t *testing.T, signal syscall.Signal, d time.Duration) {
	t.Helper()
	if err := w.process.Process.Signal(signal); err != nil && !w.ended() {
		t.Fatalf("signal kubectl %s: %v", strings.Join(w.argv, " "), err)
	}
	w.waitFor(t, d, 128+int(signal))
	if last := lastLine(w.stderr.String()); !strings.HasPrefix(last, "error: interrupted by "+signalName(signal)) {
		t.Fatalf("kubectl %s, interrupted, ended its stderr with %q, want it to say so:\n%s", strings.Join(w.argv, " "), last, w.stderr.String())
	}
}

// lastLine is the last line of text.
func lastLine(text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	return lines[len(lines)-1]
}

// signalName names a signal as the plugin does.
func signalName(s syscall.Signal) string {
	return map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}[s]
}

// ended tells whether the watch has ended.
func (w *watchedCommand) ended() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

// checkWatchedRows checks that the last row the watch printed of each pod
// shows the node the scheduler bound it to.
func (sc *schedulingEnv) checkWatchedRows(t *testing.T, out string, pods sparkPods) {
	t.Helper()
	for _, p := range pods.all() {
		var last []string
		for _, line := range strings.Split(out, "\n") {
			if c := cells(line); len(c) > 0 && c[0] == p.Name {
				last = c
			}
		}
		kind := "ECS"
		if sc.isECI(p.Spec.NodeName) {
			kind = "ECI"
		}
		if len(last) < 5 || last[3] != p.Spec.NodeName || last[4] != kind {
			t.Errorf("the last row status --watch printed of %s is %q, want it on %s (%s)", p.Name, last, p.Spec.NodeName, kind)
		}
	}
}

// waitForOutput waits until a running command printed text.
func waitForOutput(t *testing.T, w *watchedCommand, text string) {
	t.Helper()
	waitForText(t, w, fmt.Sprintf("printed %q", text), func() bool { return strings.Contains(w.stdout.String(), text) })
}

// waitForLog waits until a running command wrote on stderr, where -v logs
// go, a line holding every one of parts.
func waitForLog(t *testing.T, w *watchedCommand, parts ...string) {
	t.Helper()
	waitForText(t, w, fmt.Sprintf("logged a line with %q", parts), func() bool {
		return slices.ContainsFunc(strings.Split(w.stderr.String(), "\n"), func(line string) bool {
			return !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(line, p) })
		})
	})
}

func waitForText(t *testing.T, w *watchedCommand, what string, written func() bool) {
	t.Helper()
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		return written(), nil
	})
	if err != nil {
		t.Fatalf("kubectl %s never %s:\n%s\nstderr:\n%s", strings.Join(w.argv, " "), what, w.stdout.String(), w.stderr.String())
	}
}

// waitForRows waits until a running cache-report --watch printed a row for
// each pod named.
func waitForRows(t *testing.T, w *watchedCommand, pods []string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		rows := rowNames(w.stdout.String())
		for _, p := range pods {
			if !slices.Contains(rows, p) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("cache-report --watch printed no row for some of %v:\n%s\nstderr:\n%s", pods, w.stdout.String(), w.stderr.String())
	}
}
