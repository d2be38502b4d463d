package fromcluster

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/internal/golden"
	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
	"github.com/spark-eci/kubectl-spark-eci/pkg/timeline"
)

const (
	image   = "registry-cn-hangzhou.ack.aliyuncs.com/ack-demo/spark:3.5.2"
	eciNode = "virtual-kubelet-cn-beijing-i"
	ecsNode = "cn-beijing.192.168.0.250"
)

func isECI(node string) bool { return strings.HasPrefix(node, "virtual-kubelet") }

// sparkPod is a pod of application app's submission, created at s, on
// node (none: not bound yet).
func sparkPod(app, name, role, submission, node string, s float64) *corev1.Pod {
	container := "spark-kubernetes-" + role
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "spark", Name: name, UID: types.UID(name + "-" + submission),
			CreationTimestamp: metav1.NewTime(at(s)),
			Labels: map[string]string{sparkapp.LabelAppName: app, sparkapp.LabelSparkRole: role,
				sparkapp.LabelSubmission: submission}},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: container, Image: image}}},
	}
}

// scheduled, instance and running are what the scheduler, ECI and the
// kubelet write on a pod's status, at s.
func scheduled(p *corev1.Pod, s float64) *corev1.Pod {
	p.Status.Conditions = append(p.Status.Conditions, condition(corev1.PodScheduled, corev1.ConditionTrue, s))
	return p
}

func instance(p *corev1.Pod, s float64) *corev1.Pod {
	p.Status.Conditions = append(p.Status.Conditions, condition(eci.ConditionContainerInstanceCreated, corev1.ConditionTrue, s))
	return p
}

func running(p *corev1.Pod, started, ready float64) *corev1.Pod {
	p.Status.Phase = corev1.PodRunning
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: p.Spec.Containers[0].Name, Image: image,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(at(started))}}}}
	if ready > 0 {
		p.Status.Conditions = append(p.Status.Conditions, condition(corev1.PodReady, corev1.ConditionTrue, ready))
	}
	return p
}

// about is an event on pod, at s, from component; the kubelet's name the
// pod's container.
func about(p *corev1.Pod, component, reason, message string, s float64) *corev1.Event {
	e := event(component, reason, s, s)
	e.Message = message
	e.UID = types.UID(fmt.Sprintf("%s-%s-%g", p.UID, reason, s))
	e.InvolvedObject = corev1.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID}
	if component == "kubelet" {
		e.InvolvedObject.FieldPath = "spec.containers{" + p.Spec.Containers[0].Name + "}"
	}
	return e
}

// pulled are the kubelet's events of a pull from begun to done, the pull
// taking seconds by its own message.
func pulled(p *corev1.Pod, begun, done, seconds float64) []*corev1.Event {
	return []*corev1.Event{
		about(p, "kubelet", "Pulling", `Pulling image "`+image+`"`, begun),
		about(p, "kubelet", "Pulled", fmt.Sprintf(`Successfully pulled image "%s" in %gs (%gs including waiting). Image size: 336066994 bytes.`, image, seconds, done-begun), done),
	}
}

func object(t *testing.T, doc string) map[string]interface{} {
	t.Helper()
	var obj map[string]interface{}
	if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

// spark-pi's second submission, read as a command reads it: its ECS driver,
// an executor that hit ECI's cache, one that missed it, one still pulling
// (two of three running: the executors phase is open), a pod of the first
// submission being gone but for one executor, and a SparkConnect's server.
func reading(t *testing.T) *Reading {
	r := New(isECI)
	driver := running(scheduled(sparkPod("spark-pi", "spark-pi-driver", "driver", "s2", ecsNode, 0), 1), 10, 11)
	hit := running(instance(scheduled(sparkPod("spark-pi", "spark-pi-exec-1", "executor", "s2", eciNode, 14), 14), 30), 32, 33)
	missed := running(instance(scheduled(sparkPod("spark-pi", "spark-pi-exec-2", "executor", "s2", eciNode, 14), 15), 29), 81, 82)
	pulling := instance(scheduled(sparkPod("spark-pi", "spark-pi-exec-10", "executor", "s2", eciNode, 14), 15), 31)
	old := running(scheduled(sparkPod("spark-pi", "spark-pi-exec-1", "executor", "s1", eciNode, -300), -299), -250, -249)
	server := running(scheduled(sparkPod("", "spark-connect-server", sparkapp.RoleConnectServer, "", ecsNode, 40), 41), 50, 0)
	server.Labels[sparkapp.LabelConnectName] = "spark-connect"
	delete(server.Labels, sparkapp.LabelAppName)
	for _, p := range []*corev1.Pod{pulling, missed, server, old, hit, driver} {
		r.PutPod(p)
	}
	if left := r.Keep(false); left != 1 {
		t.Errorf("left out %d pods of earlier submissions, want 1", left)
	}
	var events []*corev1.Event
	events = append(events, pulled(driver, 1, 9, 7.5)...)
	events = append(events,
		about(hit, "EciService", eci.ReasonImageCacheHit, "[eci.imagecache]Successfully hit image cache imc-2ze1, eci will be scheduled with this image cache.", 29),
		about(hit, "kubelet", "Pulled", `Container image "`+image+`" already present on machine`, 30),
		about(missed, "EciService", eci.ReasonImageCacheMissed, "[eci.imagecache]Missed image cache.", 28),
		about(pulling, "EciService", eci.ReasonImageCacheMissed, "[eci.imagecache]Missed image cache.", 30),
		about(pulling, "kubelet", "Pulling", `Pulling image "`+image+`"`, 31),
		about(old, "kubelet", "Pulling", `Pulling image "`+image+`"`, -298),
	)
	events = append(events, pulled(missed, 29, 79, 49.6)...)
	events = append(events, pulled(server, 41, 48, 6)...)
	for _, e := range events {
		r.PutEvent(e)
	}
	r.PutApp(object(t, `{kind: SparkApplication, metadata: {namespace: spark, name: spark-pi},
spec: {executor: {instances: 3}}, status: {submissionID: s2, lastSubmissionAttemptTime: "2026-12-06T09:59:57Z"}}`))
	r.PutApp(object(t, `{kind: SparkConnect, metadata: {namespace: spark, name: spark-connect}, spec: {server: {}, executor: {instances: 1}}, status: {state: Ready}}`))
	return r
}

func TestReading(t *testing.T) {
	tl := reading(t).Timeline(at(100))
	var apps []string
	for _, a := range tl.Applications {
		apps = append(apps, fmt.Sprintf("%s %s/%s %s: %s", a.Kind, a.Namespace, a.Name, a.Submission, brief(a.Phases)))
	}
	// spark-pi's submission at -3 s; its driver started at 10 s, its first
	// executor at 14 s; two of three executors run. SparkConnect's server
	// is not submitted, and asks for no executor yet.
	want := []string{
		"SparkApplication spark/spark-pi s2: submit:done:3 request:done:4 executors:open:86",
		"SparkConnect spark/spark-connect : request:open:50",
	}
	if strings.Join(apps, "\n") != strings.Join(want, "\n") {
		t.Errorf("applications\n%s\nwant\n%s", strings.Join(apps, "\n"), strings.Join(want, "\n"))
	}
	var pods []string
	for _, p := range tl.Pods {
		pull := "-"
		if p.PullSeconds != nil {
			pull = fmt.Sprint(*p.PullSeconds)
		}
		pods = append(pods, fmt.Sprintf("%s %s %s cache=%s pull=%s app=%s/%s: %s", p.Name, p.Role, p.NodeKind, p.Cache, pull, p.Application, p.Submission, brief(p.Phases)))
	}
	wantPods := []string{
		"spark-pi-driver driver ECS cache= pull=7.5 app=spark-pi/s2: scheduling:done:1 pull:done:8 start:done:1 ready:done:1",
		"spark-pi-exec-1 executor ECI cache=hit pull=- app=spark-pi/s2: scheduling:done:0 instance:done:16 pull:done:0 start:done:2 ready:done:1",
		"spark-pi-exec-2 executor ECI cache=missed pull=49.6 app=spark-pi/s2: scheduling:done:1 instance:done:14 pull:done:50 start:done:2 ready:done:1",
		"spark-pi-exec-10 executor ECI cache=missed pull=- app=spark-pi/s2: scheduling:done:1 instance:done:16 pull:open:69",
		"spark-connect-server connect-server ECS cache= pull=6 app=spark-connect/: scheduling:done:1 pull:done:7 start:done:2 ready:open:50",
	}
	if strings.Join(pods, "\n") != strings.Join(wantPods, "\n") {
		t.Errorf("pods\n%s\nwant\n%s", strings.Join(pods, "\n"), strings.Join(wantPods, "\n"))
	}

	var b bytes.Buffer
	if err := timeline.WriteChart(&b, tl, timeline.ChartOptions{Width: 100}); err != nil {
		t.Fatal(err)
	}
	if err := timeline.WriteSummary(&b, timeline.Summarize(tl), 100); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "chart-app-100.txt", b.String())
	lines := strings.Split(b.String(), "\n")
	if !strings.HasPrefix(lines[1], "app/spark-pi ") || !strings.HasPrefix(lines[2], "spark-pi-driver ") ||
		!strings.HasPrefix(lines[6], "sparkconnect/spark-connect ") || !strings.HasPrefix(lines[7], "spark-connect-server ") {
		t.Errorf("an application's row is not above its pods:\n%s", b.String())
	}
}

// With every submission, the earlier one has a row of its own, whose
// submission time the operator no longer keeps: unknown, not zero.
func TestReadingEverySubmission(t *testing.T) {
	r := New(isECI)
	for _, p := range []*corev1.Pod{
		running(scheduled(sparkPod("spark-pi", "spark-pi-driver", "driver", "s2", ecsNode, 0), 1), 10, 11),
		running(scheduled(sparkPod("spark-pi", "spark-pi-exec-1", "executor", "s1", ecsNode, -290), -289), -280, -279),
		running(scheduled(sparkPod("spark-pi", "spark-pi-driver", "driver", "s1", ecsNode, -300), -299), -295, -294),
	} {
		r.PutPod(p)
	}
	if left := r.Keep(true); left != 0 {
		t.Errorf("left out %d", left)
	}
	r.PutApp(object(t, `{kind: SparkApplication, metadata: {namespace: spark, name: spark-pi},
spec: {executor: {instances: 1}}, status: {submissionID: s2, lastSubmissionAttemptTime: "2026-12-06T09:59:58Z"}}`))
	tl := r.Timeline(at(100))
	var got []string
	for _, a := range tl.Applications {
		got = append(got, a.Submission+": "+brief(a.Phases))
	}
	if want := "s1: submit:unknown request:done:5 executors:done:10\ns2: submit:done:2 request:open:90"; strings.Join(got, "\n") != want {
		t.Errorf("submissions\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
	var order []string
	for _, p := range tl.Pods {
		order = append(order, p.Submission+"/"+p.Name)
	}
	if want := "s1/spark-pi-driver s1/spark-pi-exec-1 s2/spark-pi-driver"; strings.Join(order, " ") != want {
		t.Errorf("pods in order %v, want %s", order, want)
	}
}

// An application that ended: the operator deleted its executors, its
// driver Succeeded; no phase of it goes on. Its executors alone (-l
// spark-role=executor) give no row: its start is told from the driver on.
func TestReadingAnEndedApplication(t *testing.T) {
	r := New(isECI)
	driver := running(scheduled(sparkPod("spark-pi", "spark-pi-driver", "driver", "s1", ecsNode, 0), 1), 10, 11)
	driver.Status.Phase = corev1.PodSucceeded
	driver.Status.Conditions[1] = condition(corev1.PodReady, corev1.ConditionFalse, 90)
	r.PutPod(driver)
	r.Keep(false)
	r.PutApp(object(t, `{kind: SparkApplication, metadata: {namespace: spark, name: spark-pi},
spec: {executor: {instances: 2}}, status: {submissionID: s1, lastSubmissionAttemptTime: "2026-12-06T09:59:58Z", applicationState: {state: COMPLETED}}}`))
	tl := r.Timeline(at(100))
	if len(tl.Applications) != 1 || brief(tl.Applications[0].Phases) != "submit:done:2 request:unknown" {
		t.Errorf("applications %+v", tl.Applications)
	}
	if got := brief(tl.Pods[0].Phases); got != "scheduling:done:1 pull:unknown start:unknown ready:unknown" {
		t.Errorf("the driver's phases %s", got)
	}

	r = New(isECI)
	r.PutPod(running(scheduled(sparkPod("spark-pi", "spark-pi-exec-1", "executor", "s1", ecsNode, 12), 13), 20, 21))
	r.Keep(false)
	if tl := r.Timeline(at(100)); len(tl.Applications) != 0 || tl.Pods[0].Application != "spark-pi" {
		t.Errorf("executors alone: applications %+v, pod %+v", tl.Applications, tl.Pods[0])
	}
}

// Without the application (a user who may not read it), the row still
// comes from the pods: the submission time unknown, the executors shown
// standing for those asked for.
func TestReadingWithoutTheApplication(t *testing.T) {
	r := New(isECI)
	r.PutPod(running(scheduled(sparkPod("spark-pi", "spark-pi-driver", "driver", "s2", ecsNode, 0), 1), 10, 11))
	r.PutPod(running(scheduled(sparkPod("spark-pi", "spark-pi-exec-1", "executor", "s2", ecsNode, 12), 13), 20, 21))
	r.Keep(false)
	tl := r.Timeline(at(100))
	if len(tl.Applications) != 1 || brief(tl.Applications[0].Phases) != "submit:unknown request:done:2 executors:done:8" {
		t.Errorf("applications %+v", tl.Applications)
	}
}

func TestPermute(t *testing.T) {
	for _, index := range [][]int{{}, {0}, {2, 0, 1}, {1, 0, 3, 2}, {0, 1, 2}, {3, 2, 1, 0, 4}} {
		pods := make([]timeline.Pod, len(index))
		for i := range pods {
			pods[i].Name = fmt.Sprint(i)
		}
		want := make([]string, len(index))
		for i, j := range index {
			want[i] = fmt.Sprint(j)
		}
		permute(pods, slices.Clone(index))
		var got []string
		for _, p := range pods {
			got = append(got, p.Name)
		}
		if !slices.Equal(got, want) && len(index) > 0 {
			t.Errorf("permute by %v = %v, want %v", index, got, want)
		}
	}
}
