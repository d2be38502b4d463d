//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/pkg/imagepull"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// sparkConnectManifest is a SparkConnect as the operator's example writes
// it, with an executor template (the operator v2.3 and v2.4 need one).
const sparkConnectManifest = `
apiVersion: sparkoperator.k8s.io/v1alpha1
kind: SparkConnect
metadata: {name: spark-connect}
spec:
  sparkVersion: 4.0.4
  image: docker.io/apache/spark:4.0.4
  server:
    template:
      metadata:
        annotations: {team: ml}
  executor:
    instances: 2
    template:
      spec:
        containers:
        - name: spark-kubernetes-executor
`

// A SparkConnect on the operator's real controller, at each version: place
// changes the templates of a Ready one; the controller passes the executors'
// template on to its ConfigMap but leaves the running server as it is, as
// place says; once that pod is deleted, the controller makes it again with
// the new placement (v2.3, which drops the deletion, once it is made to look
// again as place says), which the scheduler follows onto ECI, as it does the
// executors the server makes from that template. status and cache-report
// find them all.
func TestLifecyclePlaceSparkConnect(t *testing.T) {
	for _, version := range operatorVersions {
		t.Run(version.name, func(t *testing.T) {
			t.Parallel() // each version has its own cluster
			lc := lifecycleCluster(t, version)
			ns := lc.newNamespace(t)
			conn := &unstructured.Unstructured{Object: parseYAML(t, sparkConnectManifest)}
			if _, err := lc.dyn.Resource(sparkConnectGVR).Namespace(ns).Create(t.Context(), conn, metav1.CreateOptions{}); err != nil {
				t.Fatalf("creating the SparkConnect: %v", err)
			}
			server := lc.connectServer(t, ns, "spark-connect", "")
			if !lc.isECS(server.Spec.NodeName) {
				t.Fatalf("before place, the server runs on %q, not on ECS", server.Spec.NodeName)
			}
			lc.waitForConnectState(t, ns, "spark-connect", "Ready")

			stdout, stderr, code := runKubectl(t, lc.kubeconfig, "spark-eci", "place", "-n", ns, "sparkconnect/spark-connect", "--preset=eci-only", "--image-cache=auto")
			if want := "sparkconnect.sparkoperator.k8s.io/spark-connect placed (server: eci, executors: eci)\n"; code != 0 || stdout != want {
				t.Fatalf("place: exit %d, stdout %q, stderr %q; want %q", code, stdout, stderr, want)
			}
			if want := "spark-connect: state Ready: not applied until the server restarts"; !strings.Contains(stderr, want) ||
				!strings.Contains(stderr, "delete pod spark-connect-server (its sessions end)") || !strings.HasSuffix(stderr, "again with this placement\n") {
				t.Errorf("place said %q, want %q and how to apply it", stderr, want)
			}
			if strings.Contains(stderr, "webhook") {
				t.Errorf("place warned of the pod webhook, which a SparkConnect does not need: %q", stderr)
			}
			// The controller of v2.3 and v2.4, managing every namespace as
			// here, drops the server pod's deletion: place says how to make
			// it look again, and only for those versions.
			touch := touchCommand.FindStringSubmatch(stderr)
			if missesDeletion := strings.HasPrefix(version.version, "2.3.") || strings.HasPrefix(version.version, "2.4."); missesDeletion != (touch != nil) {
				t.Errorf("the operator %s: place said %q; want the command that makes the operator look again: %v", version.version, stderr, missesDeletion)
			}

			// The controller saw the change: the executors' template it
			// keeps for the server holds the new placement...
			lc.waitForExecutorTemplate(t, ns, "spark-connect", "virtual-kubelet.io/provider", "k8s.aliyun.com/eci-image-cache")
			// ...and the server that runs is the one it started with.
			holdsFor(t, 2*time.Second, func(ctx context.Context) error {
				got, err := lc.client.CoreV1().Pods(ns).Get(ctx, server.Name, metav1.GetOptions{})
				if err != nil {
					return err
				}
				if got.UID != server.UID || !lc.isECS(got.Spec.NodeName) || len(got.Spec.Tolerations) != len(server.Spec.Tolerations) {
					return fmt.Errorf("the server was replaced or changed: on %q, tolerations %v", got.Spec.NodeName, got.Spec.Tolerations)
				}
				return nil
			})

			// Deleting the server pod, as place says, applies the placement.
			if err := lc.client.CoreV1().Pods(ns).Delete(t.Context(), server.Name, metav1.DeleteOptions{Preconditions: metav1.NewUIDPreconditions(string(server.UID))}); err != nil {
				t.Fatal(err)
			}
			if touch != nil {
				lc.waitForPodGone(t, server)
				if out, err := runShell(t, lc.kubeconfig, touch[1]); err != nil {
					t.Fatalf("%s: %v\n%s", touch[1], err, out)
				}
			}
			restarted := lc.connectServer(t, ns, "spark-connect", server.UID)
			if !lc.isECI(restarted.Spec.NodeName) {
				t.Errorf("the restarted server runs on %q, not on ECI", restarted.Spec.NodeName)
			}
			if a := restarted.Annotations; a["k8s.aliyun.com/eci-image-cache"] != "true" || a["team"] != "ml" {
				t.Errorf("the restarted server's annotations are %v", a)
			}
			executors := lc.startConnectExecutors(t, restarted, "spark-connect", 2)
			for _, e := range executors {
				if !lc.isECI(e.Spec.NodeName) || e.Annotations["k8s.aliyun.com/eci-image-cache"] != "true" {
					t.Errorf("executor %s runs on %q with annotations %v", e.Name, e.Spec.NodeName, e.Annotations)
				}
			}
			lc.waitForConnectState(t, ns, "spark-connect", "Ready")

			stdout, stderr, code = runKubectl(t, lc.kubeconfig, "spark-eci", "status", "-n", ns, "sparkconnect/spark-connect", "-o", "json")
			if code != 0 {
				t.Fatalf("status: exit %d, %q", code, stderr)
			}
			status := statusJSON(t, stdout)
			if len(status.Applications) != 1 {
				t.Fatalf("status shows %d objects, want the SparkConnect:\n%s", len(status.Applications), stdout)
			}
			a := status.Applications[0]
			if a.Kind != "SparkConnect" || a.State != "Ready" || !a.Settled || a.Placement.Driver != "eci" || a.Placement.Executor != "eci" {
				t.Errorf("status: kind %s, state %s, settled %v, placement %+v", a.Kind, a.State, a.Settled, a.Placement)
			}
			for _, r := range a.Roles {
				if want := map[string]int{"driver": 1, "executor": 2}[string(r.Role)]; r.Pods != want || r.ECIPods != want {
					t.Errorf("status: %s has %d pods, %d on ECI; want %d on ECI", r.Role, r.Pods, r.ECIPods, want)
				}
			}

			stdout, stderr, code = runKubectl(t, lc.kubeconfig, "spark-eci", "cache-report", "-n", ns, "sparkconnect/spark-connect", "-o", "json")
			if code != 0 {
				t.Fatalf("cache-report: exit %d, %q", code, stderr)
			}
			var report imagepull.Report
			if err := json.Unmarshal([]byte(stdout), &report); err != nil {
				t.Fatalf("cache-report -o json: %v\n%s", err, stdout)
			}
			if s := report.Summary; s.Pods != 3 || s.ECIPods != 3 || s.Hits != 3 {
				t.Errorf("cache-report: %d pods, %d on ECI, %d hits; want 3 of each:\n%s", s.Pods, s.ECIPods, s.Hits, stdout)
			}
		})
	}
}

// touchCommand finds, in what place says of a Ready SparkConnect, the
// command that makes the operator look at it again.
var touchCommand = regexp.MustCompile(`have it look again \((kubectl annotate \S+ -n \S+ \S+="\$\(date \+%s\)" --overwrite)\)`)

// waitForPodGone waits until a pod, of that UID, no longer exists.
func (sc *schedulingEnv) waitForPodGone(t *testing.T, pod *corev1.Pod) {
	t.Helper()
	var last *corev1.Pod
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		got, err := sc.client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, nil
		}
		last = got
		return got.UID != pod.UID, nil
	})
	if err != nil {
		sc.stalled(t, "waiting for pod %s/%s (uid %s) to be gone: last seen %s", pod.Namespace, pod.Name, pod.UID, podSummary(last))
	}
}

// connectServer waits until the server pod of a SparkConnect, other than
// the one of UID old, runs on a node, and returns it.
func (sc *schedulingEnv) connectServer(t *testing.T, ns, name string, old types.UID) *corev1.Pod {
	t.Helper()
	var pod *corev1.Pod
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		got, err := sc.client.CoreV1().Pods(ns).Get(ctx, name+"-server", metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		pod = got
		return got.UID != old && got.DeletionTimestamp == nil && got.Status.Phase == corev1.PodRunning, nil
	})
	if err != nil {
		sc.stalled(t, "waiting for the server of %s/%s to run: last seen %s", ns, name, podSummary(pod))
	}
	return pod
}

// waitForConnectState waits until the controller says a SparkConnect is in state.
func (sc *schedulingEnv) waitForConnectState(t *testing.T, ns, name, state string) {
	t.Helper()
	var got string
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		conn, err := sc.dyn.Resource(sparkConnectGVR).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		got, _, _ = unstructured.NestedString(conn.Object, "status", "state")
		return got == state, nil
	})
	if err != nil {
		sc.stalled(t, "waiting for %s/%s to be %s: it is %q", ns, name, state, got)
	}
}

// waitForExecutorTemplate waits until the executor pod template the
// controller keeps in the SparkConnect's ConfigMap holds every one of parts.
func (sc *schedulingEnv) waitForExecutorTemplate(t *testing.T, ns, name string, parts ...string) {
	t.Helper()
	var template string
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		cm, err := sc.client.CoreV1().ConfigMaps(ns).Get(ctx, name+"-conf", metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		template = cm.Data["executor-pod-template.yaml"]
		for _, p := range parts {
			if !strings.Contains(template, p) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		sc.stalled(t, "waiting for the executor template of %s/%s to hold %q; it is:\n%s", ns, name, parts, template)
	}
}

// startConnectExecutors does what the Spark of a SparkConnect's server does
// once it runs: it creates n executors from the pod template the operator
// keeps for it in the SparkConnect's ConfigMap, labelled as the operator has
// Spark label them, and owned by the server. It returns them once they run.
func (sc *schedulingEnv) startConnectExecutors(t *testing.T, server *corev1.Pod, conn string, n int) []*corev1.Pod {
	t.Helper()
	cm, err := sc.client.CoreV1().ConfigMaps(server.Namespace).Get(t.Context(), conn+"-conf", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var template corev1.PodTemplateSpec
	if err := yaml.Unmarshal([]byte(cm.Data["executor-pod-template.yaml"]), &template); err != nil {
		t.Fatalf("the executor template of %s: %v", conn, err)
	}
	var executors []*corev1.Pod
	for i := 1; i <= n; i++ {
		pod := &corev1.Pod{ObjectMeta: *template.ObjectMeta.DeepCopy(), Spec: *template.Spec.DeepCopy()}
		pod.Name = fmt.Sprintf("%s-exec-%d", conn, i)
		pod.Labels = maps.Clone(pod.Labels)
		if pod.Labels == nil {
			pod.Labels = map[string]string{}
		}
		maps.Copy(pod.Labels, map[string]string{
			sparkapp.LabelLaunchedBy: "true", sparkapp.LabelConnectName: conn,
			sparkapp.LabelSparkRole: "executor", "spark-exec-id": strconv.Itoa(i),
		})
		pod.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Pod", Name: server.Name, UID: server.UID}}
		if len(pod.Spec.Containers) == 0 {
			pod.Spec.Containers = []corev1.Container{{Name: "spark-kubernetes-executor"}}
		}
		pod.Spec.Containers[0].Image = server.Spec.Containers[0].Image
		created, err := sc.client.CoreV1().Pods(server.Namespace).Create(t.Context(), pod, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("creating executor %s: %v", pod.Name, err)
		}
		executors = append(executors, created)
	}
	for i, e := range executors {
		err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			got, err := sc.client.CoreV1().Pods(e.Namespace).Get(ctx, e.Name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			executors[i] = got
			return got.Status.Phase == corev1.PodRunning, nil
		})
		if err != nil {
			sc.stalled(t, "waiting for executor %s to run: last seen %s: %v", e.Name, podSummary(executors[i]), err)
		}
	}
	return executors
}

// podSummary is what a stalled wait says of the pod it last saw.
func podSummary(pod *corev1.Pod) string {
	if pod == nil {
		return "no pod"
	}
	deleting := ""
	if pod.DeletionTimestamp != nil {
		deleting = ", deleting"
	}
	return fmt.Sprintf("pod %s (uid %s) %s on %q%s", pod.Name, pod.UID, pod.Status.Phase, pod.Spec.NodeName, deleting)
}
