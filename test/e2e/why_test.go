//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/why"
)

// setPodStatus changes a pod's status as the kubelet (or ECI's virtual
// node) writes it: through the status subresource.
func setPodStatus(t *testing.T, pod *corev1.Pod, change func(*corev1.PodStatus)) {
	t.Helper()
	pods := cluster.client.CoreV1().Pods(pod.Namespace)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		got, err := pods.Get(t.Context(), pod.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		change(&got.Status)
		_, err = pods.UpdateStatus(t.Context(), got, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("status of pod %s: %v", pod.Name, err)
	}
}

// The kubelet's states, as it writes them.
func containerWaiting(container, reason, message string) func(*corev1.PodStatus) {
	return func(s *corev1.PodStatus) {
		s.Phase = corev1.PodPending
		s.ContainerStatuses = []corev1.ContainerStatus{{Name: container, Image: sparkImage,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}}}}
	}
}

func containerTerminated(container, reason string, exit int32, at time.Time) func(*corev1.PodStatus) {
	return func(s *corev1.PodStatus) {
		s.Phase = corev1.PodFailed
		s.ContainerStatuses = []corev1.ContainerStatus{{Name: container, Image: sparkImage,
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: reason, ExitCode: exit,
				StartedAt: metav1.NewTime(at.Add(-time.Minute)), FinishedAt: metav1.NewTime(at)}}}}
	}
}

// eciCondition is ECI's ContainerInstanceCreated condition.
func eciCondition(status corev1.ConditionStatus, reason, message string, at time.Time) func(*corev1.PodStatus) {
	return func(s *corev1.PodStatus) {
		s.Conditions = append(s.Conditions, corev1.PodCondition{Type: eci.ConditionContainerInstanceCreated, Status: status,
			Reason: reason, Message: message, LastTransitionTime: metav1.NewTime(at)})
	}
}

// status says why each pod does not run as its application asks, from
// what ECI, the kubelet, the scheduler and the operator write, as they
// write it, and sums it up per application and across them.
func TestStatusSaysWhy(t *testing.T) {
	ns := newNamespace(t)
	nodes := newStatusNodes(t, ns)
	at := time.Now().Add(-time.Minute).Truncate(time.Second)
	noStock := "Create ECI failed because the specified instance is out of stock. cn-hangzhou-i"

	// spark-pi runs; its executors wait, fail and are at risk for every
	// reason ECI and the kubelet give.
	createZonedApp(t, ns, "spark-pi", nodes.zone, 12, "team: why")
	setAppState(t, ns, "spark-pi", "RUNNING")
	driver := pendingPod(t, ns, "spark-pi", "spark-pi-driver", "driver")
	bind(t, driver, nodes.ecs1)
	setPodStatus(t, driver, func(s *corev1.PodStatus) { s.Phase = corev1.PodRunning })

	executor := func(n string, node string) *corev1.Pod {
		p := pendingPod(t, ns, "spark-pi", "spark-pi-exec-"+n, "executor")
		if node != "" {
			bind(t, p, node)
		}
		return p
	}
	const container = "spark-kubernetes-executor"
	type want struct {
		pod                            *corev1.Pod
		reason, source, message, inFix string
	}
	var wants []want

	// ECI's stock: told by its condition (the event has expired)...
	p := executor("1", nodes.eci1)
	setPodStatus(t, p, eciCondition(corev1.ConditionFalse, why.ReasonNoStock, noStock, at))
	wants = append(wants, want{p, "NoStock", "ECI", noStock, "--vswitches="})
	// ...and by its event alone (a virtual node that writes no condition).
	p = executor("2", nodes.eci1)
	podEvent(t, p, "EciService", corev1.EventTypeWarning, why.ReasonNoStock, noStock, at, at, 4)
	wants = append(wants, want{p, "NoStock", "ECI", noStock, "--vswitches="})
	p = executor("3", nodes.eci1)
	podEvent(t, p, "EciService", corev1.EventTypeWarning, why.ReasonStockClose,
		"Create ECI failed because current zone closed or limited without living instance. cn-hangzhou-i", at, at, 1)
	wants = append(wants, want{p, "StockClose", "ECI", "Create ECI failed because current zone closed or limited without living instance. cn-hangzhou-i", "--zone-strategy=VSwitchRandom"})
	p = executor("4", nodes.eci1)
	podEvent(t, p, "EciService", corev1.EventTypeWarning, "FailedScheduling", "Schedule eci failed:no available resource", at, at, 1)
	wants = append(wants, want{p, "FailedScheduling", "ECI", "Schedule eci failed:no available resource", "ticket"})
	// The kubelet's.
	p = executor("5", nodes.eci1)
	setPodStatus(t, p, containerWaiting(container, "ImagePullBackOff", `Back-off pulling image "`+sparkImage+`"`))
	wants = append(wants, want{p, "ImagePullBackOff", "kubelet", "container " + container + `: Back-off pulling image "` + sparkImage + `"`, "imagePullSecrets"})
	p = executor("6", nodes.ecs1)
	setPodStatus(t, p, containerWaiting(container, "CreateContainerConfigError", `secret "s3-credentials" not found`))
	wants = append(wants, want{p, "CreateContainerConfigError", "kubelet", "container " + container + `: secret "s3-credentials" not found`, "reference"})
	p = executor("7", nodes.eci1)
	setPodStatus(t, p, containerTerminated(container, "OOMKilled", 137, at))
	wants = append(wants, want{p, "OOMKilled", "kubelet", "container " + container + " was killed for memory (exit 137)", "spec.executor.memoryOverhead"})
	p = executor("8", nodes.eci1)
	setPodStatus(t, p, func(s *corev1.PodStatus) {
		s.Phase, s.Reason, s.Message = corev1.PodFailed, "Evicted", "The node was low on resource: ephemeral-storage."
	})
	wants = append(wants, want{p, "Evicted", "kubelet", "The node was low on resource: ephemeral-storage.", "--ephemeral-storage=50Gi"})
	// A spot instance ECI releases, and one it released.
	p = executor("9", nodes.eci1)
	setPodStatus(t, p, func(s *corev1.PodStatus) { s.Phase = corev1.PodRunning })
	podEvent(t, p, "EciService", corev1.EventTypeWarning, why.ReasonSpotToBeReleased, "Spot ECI will be released in 3 minutes", at, at, 1)
	wants = append(wants, want{p, "SpotToBeReleased", "ECI", "Spot ECI will be released in 3 minutes", "--spot-fallback"})
	p = executor("10", nodes.eci1)
	setPodStatus(t, p, containerTerminated(container, "Error", 143, at))
	podEvent(t, p, "EciService", corev1.EventTypeWarning, why.ReasonSpotToBeReleased, "Spot ECI will be released in 3 minutes", at.Add(-5*time.Minute), at.Add(-5*time.Minute), 1)
	wants = append(wants, want{p, "SpotToBeReleased", "ECI", "its spot instance was released: Spot ECI will be released in 3 minutes", "--spot-duration=1"})
	// The image cache it pins is gone: it runs, but pulled without it.
	p = executor("11", nodes.eci1)
	setPodStatus(t, p, func(s *corev1.PodStatus) { s.Phase = corev1.PodRunning })
	podEvent(t, p, "EciService", corev1.EventTypeWarning, why.ReasonImageCacheNotFound, "The specified image cache imc-2ze0gone does not exist.", at, at, 1)
	wants = append(wants, want{p, "ImageCacheNotFound", "ECI", "The specified image cache imc-2ze0gone does not exist.", "--image-cache=auto"})
	// The scheduler's.
	p = executor("12", "")
	failedScheduling(t, p, "0/5 nodes are available: 5 Insufficient cpu.", at, 2)
	wants = append(wants, want{p, "Unschedulable", "scheduler", "0/5 nodes are available: 5 Insufficient cpu.", "status spark-pi -n " + ns + " -o wide"})
	// Events that tell nothing are let go: the kubelet's pull of a pod that runs.
	podEvent(t, driver, "kubelet", corev1.EventTypeNormal, "Pulled", `Container image "`+sparkImage+`" already present on machine`, at, at, 1)

	// stuck sits in SUBMITTED while its driver cannot pull its image
	// (kubeflow/spark-operator#2667).
	createZonedApp(t, ns, "stuck", nodes.zone, 1, "team: why")
	setAppState(t, ns, "stuck", "SUBMITTED")
	stuck := pendingPod(t, ns, "stuck", "stuck-driver", "driver")
	bind(t, stuck, nodes.ecs1)
	setPodStatus(t, stuck, containerWaiting("spark-kubernetes-driver", "ErrImagePull", `failed to pull and unpack image "`+sparkImage+`": not found`))

	// failed: the operator's error.
	createZonedApp(t, ns, "failed", nodes.zone, 1, "team: why")
	setAppStatus(t, ns, "failed", "FAILED", "driver container failed with ExitCode: 1, Reason: Error")

	stdout, stderr, code := runPlugin(t, "status", "-n", ns, "-l", "team=why", "-o", "json")
	if code != 0 {
		t.Fatalf("status: exit %d: %s", code, stderr)
	}
	s := statusJSON(t, stdout)
	apps := map[string]int{}
	for i, a := range s.Applications {
		apps[a.Name] = i
	}
	if len(s.Applications) != 3 {
		t.Fatalf("status shows %d applications, want 3:\n%s", len(s.Applications), stdout)
	}
	pi := s.Applications[apps["spark-pi"]]
	for _, w := range wants {
		var got *why.Problem
		for _, p := range pi.Pods {
			if p.Name == w.pod.Name {
				got = p.Problem
			}
		}
		if got == nil || got.Reason != w.reason || string(got.Source) != w.source || got.Message != w.message || !strings.Contains(got.Fix, w.inFix) {
			t.Errorf("%s: problem %+v, want %s from %s: %q, a fix with %q", w.pod.Name, got, w.reason, w.source, w.message, w.inFix)
		}
	}
	for _, p := range pi.Pods {
		if p.Name == driver.Name && p.Problem != nil {
			t.Errorf("the running driver has a problem: %+v", p.Problem)
		}
	}
	if want := "2 of 12 executors wait on ECI: NoStock: " + noStock + "; give ECI vSwitches in other zones: kubectl spark-eci place spark-pi -n " + ns +
		" --vswitches=VSW,VSW --zone-strategy=VSwitchRandom and more specs: --instance-types=2-4Gi,4-8Gi; 10 more pods have other problems"; pi.Verdict != want {
		t.Errorf("spark-pi's verdict:\n%s\nwant\n%s", pi.Verdict, want)
	}
	if v := s.Applications[apps["stuck"]].Verdict; !strings.HasPrefix(v, "SUBMITTED, but the driver cannot pull its image: ErrImagePull: container spark-kubernetes-driver: failed to pull") {
		t.Errorf("stuck's verdict: %s", v)
	}
	if v := s.Applications[apps["failed"]].Verdict; v != "FAILED: driver container failed with ExitCode: 1, Reason: Error; read the driver's log: kubectl logs failed-driver -n "+ns {
		t.Errorf("failed's verdict: %s", v)
	}
	counts := map[string]int{}
	for _, c := range s.Problems {
		counts[c.Reason] = c.Pods
	}
	if counts["NoStock"] != 2 || counts["SpotToBeReleased"] != 2 || counts["ErrImagePull"] != 1 || counts["OOMKilled"] != 1 || len(counts) != 11 {
		t.Errorf("problems summed up: %+v", s.Problems)
	}

	// The table says the same: the reason beside the message, the verdict
	// under the header, the problems summed up at the end.
	stdout, _, _ = runPlugin(t, "status", "-n", ns, "-l", "team=why")
	if row := rowOf(stdout, "spark-pi-exec-7"); len(row) < 2 || strings.Join(row[len(row)-2:], "|") != "OOMKilled|container "+container+" was killed for memory (exit 137)" {
		t.Errorf("exec-7's row %q", row)
	}
	if !strings.Contains(stdout, "\nWHY "+pi.Verdict+"\n") || !strings.Contains(stdout, "\nPROBLEMS 2 NoStock, 2 SpotToBeReleased, 1 CreateContainerConfigError, ") {
		t.Errorf("table:\n%s", stdout)
	}
	// -o wide adds the fix.
	stdout, _, _ = runPlugin(t, "status", "-n", ns, "stuck", "-o", "wide")
	if row := rowOf(stdout, "stuck-driver"); len(row) == 0 || !strings.HasSuffix(strings.Join(row, " "), "check the image's name and tag, and the pull secret (spec.imagePullSecrets)") {
		t.Errorf("stuck-driver's wide row %q", row)
	}
}

// Every reason of the table is a case: a pod played the way ECI or the
// kubelet writes that reason, one pod per reason, and status gives each
// its reason. The scheduler's, the operator's and the placement's are the
// cases of the tests above and of the scheduling and lifecycle clusters.
func TestStatusSaysWhyForEveryReason(t *testing.T) {
	ns := newNamespace(t)
	nodes := newStatusNodes(t, ns)
	at := time.Now().Add(-time.Minute).Truncate(time.Second)
	const container = "spark-kubernetes-executor"
	var played []why.Reason
	for _, r := range why.Reasons() {
		if r.Source == why.SourceECI || r.Source == why.SourceKubelet {
			played = append(played, r)
		}
	}
	createZonedApp(t, ns, "every", nodes.zone, len(played), "team: every")
	setAppState(t, ns, "every", "RUNNING")
	want := map[string]why.Reason{}
	for i, r := range played {
		p := pendingPod(t, ns, "every", fmt.Sprintf("every-exec-%d", i+1), "executor")
		bind(t, p, nodes.eci1)
		want[p.Name] = r
		switch {
		case r.Source == why.SourceECI && r.Name == why.ReasonOOMKilled:
			setPodStatus(t, p, func(s *corev1.PodStatus) { s.Phase = corev1.PodFailed })
			podEvent(t, p, "EciService", corev1.EventTypeWarning, r.Name, "Out of memory", at, at, 1)
		case r.Source == why.SourceECI && r.Name == why.ReasonSpotToBeReleased:
			setPodStatus(t, p, func(s *corev1.PodStatus) { s.Phase = corev1.PodRunning })
			podEvent(t, p, "EciService", corev1.EventTypeWarning, r.Name, "Spot ECI will be released in 3 minutes", at, at, 1)
		case r.Source == why.SourceECI && r.Name == why.ReasonECIFailedScheduling:
			podEvent(t, p, "EciService", corev1.EventTypeWarning, r.Name, "Unknown error occurred.", at, at, 1)
		case r.Source == why.SourceECI && r.Name == why.ReasonImageCacheNotComplete:
			podEvent(t, p, "EciService", corev1.EventTypeNormal, r.Name, "The production for specified image cache imc-1 is not yet complete.", at, at, 1)
		case r.Source == why.SourceECI && r.Name == why.ReasonImageCacheNotFound:
			podEvent(t, p, "EciService", corev1.EventTypeWarning, r.Name, "The specified image cache imc-1 does not exist.", at, at, 1)
		case r.Source == why.SourceECI:
			// The instance reasons, as ECI writes them in its condition (the
			// event may have expired) and, for half of them, its event too.
			setPodStatus(t, p, eciCondition(corev1.ConditionFalse, r.Name, "ECI says "+r.Name, at))
			if i%2 == 0 {
				podEvent(t, p, "EciService", corev1.EventTypeWarning, r.Name, "ECI says "+r.Name, at, at, 1)
			}
		case r.Name == why.ReasonOOMKilled:
			setPodStatus(t, p, containerTerminated(container, r.Name, 137, at))
		case r.Name == why.ReasonError:
			setPodStatus(t, p, containerTerminated(container, r.Name, 1, at))
		case r.Name == why.ReasonEvicted:
			setPodStatus(t, p, func(s *corev1.PodStatus) {
				s.Phase, s.Reason, s.Message = corev1.PodFailed, r.Name, "The node was low on resource: memory."
			})
		default: // the waiting reasons
			setPodStatus(t, p, containerWaiting(container, r.Name, "the kubelet says "+r.Name))
		}
	}

	stdout, stderr, code := runPlugin(t, "status", "-n", ns, "every", "-o", "json")
	if code != 0 {
		t.Fatalf("status: exit %d: %s", code, stderr)
	}
	a := statusJSON(t, stdout).Applications[0]
	if len(a.Pods) != len(played) {
		t.Fatalf("status shows %d pods, want %d", len(a.Pods), len(played))
	}
	for _, p := range a.Pods {
		r := want[p.Name]
		if p.Problem == nil || p.Problem.Reason != r.Name || p.Problem.Source != r.Source || p.Problem.Fix == "" {
			t.Errorf("%s, played as %s from %s: problem %+v", p.Name, r.Name, r.Source, p.Problem)
		}
	}
}

// An application pinned to an image cache that is gone is told so before
// its pods miss it, in status's verdict as in doctor's check.
func TestStatusSaysAPinnedCacheIsGone(t *testing.T) {
	ensureImageCacheCRD(t)
	ns := newNamespace(t)
	createFromYAML(t, ns, `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: pinned}
spec:
  type: Scala
  mode: cluster
  image: `+sparkImage+`
  mainClass: org.apache.spark.examples.SparkPi
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  sparkVersion: 3.5.2
  driver: {cores: 1, memory: 512m}
  executor: {instances: 2, cores: 1, memory: 512m, annotations: {k8s.aliyun.com/eci-imc-id: imc-`+ns+`}}
`)
	stdout, stderr, code := runPlugin(t, "status", "-n", ns, "pinned", "-o", "json")
	if code != 0 {
		t.Fatalf("status: exit %d: %s", code, stderr)
	}
	v := statusJSON(t, stdout).Applications[0].Verdict
	if want := "executor pins image cache imc-" + ns + ", which no ImageCache has: its pods miss it (ImageCacheNotFound) and pull their images; " +
		"make a cache and pin it: kubectl spark-eci image-cache create -n " + ns + " sparkapplication/pinned --place"; !strings.HasPrefix(v, want) {
		t.Errorf("verdict\n%s\nwant it to start\n%s", v, want)
	}
}
