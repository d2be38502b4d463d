//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
)

// The "Expected behavior" of each strategy of Alibaba Cloud's guide to Spark
// on ECI, end to end: an application is created without placement, placed by
// "kubectl spark-eci place", its pods are created as spark-submit creates
// them, and the operator's webhook and kube-scheduler decide where they run.
//
// The example application has a driver of 1 CPU and 896 MiB (512m and the
// 384 MiB minimum overhead) and executors of 2 CPUs and 4505 MiB (4g and 10%):
// the two ECS nodes of the scheduling cluster hold the driver and two
// executors, never a third.

func TestSchedulingECSOnly(t *testing.T) {
	sc := schedulingCluster(t)
	ns := sc.newNamespace(t)
	// Tolerating the virtual nodes to begin with, as the guide's
	// ResourcePolicy example does: place has to take that away.
	sc.createApp(t, ns, sparkPiManifest(t, "spark-pi", 4,
		withRole("driver", tolerateECI), withRole("executor", tolerateECI)))
	sc.checkEligible(t, ns, "spark-pi", roleEligibility{driver: eligibleAnywhere, executor: eligibleAnywhere})
	sc.place(t, ns, "spark-pi", "--preset=ecs-only")
	sc.checkEligible(t, ns, "spark-pi", roleEligibility{driver: eligibleECS(2), executor: eligibleECS(2)})

	pods := sc.submitPods(t, ns, "spark-pi")
	var pending []*corev1.Pod
	for _, p := range pods.all() {
		switch node := p.Spec.NodeName; {
		case node == "":
			pending = append(pending, p)
		case !sc.isECS(node):
			t.Errorf("pod %s runs on %s, not on an ECS node", p.Name, node)
		}
	}
	if pods.Driver.Spec.NodeName == "" {
		t.Errorf("the driver was not scheduled, though ECS had room for it: %s", schedulingMessage(pods.Driver))
	}
	if len(pending) != 2 {
		t.Fatalf("%d pods are pending, want the 2 executors ECS has no room for", len(pending))
	}
	for _, p := range pending {
		// The scheduler says why it turned each node down: the ECS nodes are
		// full, the ECI nodes are tainted.
		if msg := schedulingMessage(p); !strings.Contains(msg, "Insufficient") || !strings.Contains(msg, "untolerated taint") {
			t.Errorf("pod %s is pending for another reason than a full ECS and a tainted ECI: %s", p.Name, msg)
		}
	}
	sc.staysPending(t, pending, 5*time.Second)

	a, _ := sc.checkStatus(t, ns, "spark-pi", placement.ECS, placement.ECS)
	for _, p := range a.Pods {
		if p.Node == "" && (p.Scheduler == nil || !strings.Contains(p.Scheduler.Message, "Insufficient") || !strings.Contains(p.Scheduler.Message, "untolerated taint")) {
			t.Errorf("pending pod %s: status gives the reason %+v, want the scheduler's full ECS and tainted ECI", p.Name, p.Scheduler)
		}
	}
}

func TestSchedulingECIOnly(t *testing.T) {
	sc := schedulingCluster(t)
	ns := sc.newNamespace(t)
	sc.createApp(t, ns, sparkPiManifest(t, "spark-pi", 3))
	sc.place(t, ns, "spark-pi", "--preset=eci-only")
	sc.checkEligible(t, ns, "spark-pi", roleEligibility{driver: eligibleECI(2), executor: eligibleECI(2)})

	for _, p := range sc.submitPods(t, ns, "spark-pi").all() {
		if !sc.isECI(p.Spec.NodeName) {
			t.Errorf("pod %s runs on %q, not on an ECI node: %s", p.Name, p.Spec.NodeName, schedulingMessage(p))
		}
	}
	sc.checkStatus(t, ns, "spark-pi", placement.ECI, placement.ECI)
}

func TestSchedulingECSFirst(t *testing.T) {
	sc := schedulingCluster(t)
	ns := sc.newNamespace(t)
	sc.createApp(t, ns, sparkPiManifest(t, "spark-pi", 4))
	sc.place(t, ns, "spark-pi", "--preset=ecs-first")
	sc.checkEligible(t, ns, "spark-pi", roleEligibility{driver: eligibleAnywhere, executor: eligibleAnywhere})

	// status --watch, started before the pods exist, must end by itself once
	// the scheduler has bound the driver and the 4 executors of
	// spec.executor.instances, not at the driver or an executor before.
	watch := sc.startStatusWatch(t, ns, "spark-pi", "--timeout", "2m")
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		return strings.Contains(watch.stdout.String(), "No pods.") || watch.ended(), nil
	})
	if err != nil || watch.ended() {
		t.Fatalf("status --watch did not print the application without pods and go on: %v\nstdout:\n%s\nstderr:\n%s",
			err, watch.stdout.String(), watch.stderr.String())
	}

	pods := sc.submitPods(t, ns, "spark-pi")
	watch.wait(t, 2*time.Minute)
	t.Logf("status --watch:\n%s", watch.stdout.String())
	sc.checkWatchedRows(t, watch.stdout.String(), pods)
	if !strings.Contains(watch.stderr.String(), "Every expected pod has a node.") {
		t.Errorf("status --watch ended without saying every expected pod has a node: %q", watch.stderr.String())
	}
	sc.checkStatus(t, ns, "spark-pi", placement.ECSFirst, placement.ECSFirst)

	if !sc.isECS(pods.Driver.Spec.NodeName) {
		t.Errorf("the driver runs on %q, not on an ECS node, though ECS had room for it", pods.Driver.Spec.NodeName)
	}
	var onECS, onECI int
	for _, p := range pods.Executors {
		switch node := p.Spec.NodeName; {
		case sc.isECS(node):
			onECS++
		case sc.isECI(node):
			onECI++
			// Pods only take room, so an ECS node with room now had it when
			// this one went to ECI.
			for _, ecs := range sc.ecsNodes {
				if sc.hasRoomFor(t, ecs, p) {
					t.Errorf("executor %s runs on ECI though ECS node %s has room for it", p.Name, ecs)
				}
			}
		default:
			t.Errorf("executor %s was not scheduled: %s", p.Name, schedulingMessage(p))
		}
	}
	if onECS != 2 || onECI != 2 {
		t.Errorf("%d executors on ECS and %d on ECI, want the 2 that fit on ECS and the overflow of 2 on ECI", onECS, onECI)
	}
}

func TestSchedulingDriverOnECSExecutorsOnECI(t *testing.T) {
	sc := schedulingCluster(t)
	ns := sc.newNamespace(t)
	sc.createApp(t, ns, sparkPiManifest(t, "spark-pi", 3))
	sc.place(t, ns, "spark-pi", "--preset=driver-on-ecs")
	sc.checkEligible(t, ns, "spark-pi", roleEligibility{driver: eligibleECS(2), executor: eligibleECI(2)})

	pods := sc.submitPods(t, ns, "spark-pi")
	if !sc.isECS(pods.Driver.Spec.NodeName) {
		t.Errorf("the driver runs on %q, not on an ECS node: %s", pods.Driver.Spec.NodeName, schedulingMessage(pods.Driver))
	}
	for _, p := range pods.Executors {
		if !sc.isECI(p.Spec.NodeName) {
			t.Errorf("executor %s runs on %q, not on an ECI node: %s", p.Name, p.Spec.NodeName, schedulingMessage(p))
		}
	}
	sc.checkStatus(t, ns, "spark-pi", placement.ECS, placement.ECI)
	table := sc.checkStatusTable(t, ns, "spark-pi", pods, placement.ECS, placement.ECI)
	t.Logf("status:\n%s", table)
	writeStatusTable(t, ns, table)
}

// Kubernetes ORs required node selector terms: pinning a user's zone-bound
// executors to ECI must AND the ECI expression into the user's term. Were it
// ORed in as a term of its own, the executors could go to ECS nodes of the
// zone, or to ECI nodes of any zone, and spreading would send some to both
// ECI nodes.
func TestSchedulingKeepsTheUsersZoneWithECI(t *testing.T) {
	sc := schedulingCluster(t)
	ns := sc.newNamespace(t)
	sc.createApp(t, ns, sparkPiManifest(t, "spark-pi", 4, withRole("executor", `
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
      - matchExpressions:
        - key: topology.kubernetes.io/zone
          operator: In
          values: [`+zoneI+`]
`)))
	sc.place(t, ns, "spark-pi", "--executors=eci")
	// The driver, left alone, may use either ECS node; the executors only
	// the ECI node of their zone.
	sc.checkEligible(t, ns, "spark-pi", roleEligibility{driver: eligibleECS(2), executor: eligibleECI(1)})

	pods := sc.submitPods(t, ns, "spark-pi")
	for _, p := range pods.Executors {
		node := p.Spec.NodeName
		if !sc.isECI(node) || sc.zoneOf[node] != zoneI {
			t.Errorf("executor %s runs on %q (zone %q), want an ECI node in zone %s: %s",
				p.Name, node, sc.zoneOf[node], zoneI, schedulingMessage(p))
		}
	}
	if !sc.isECS(pods.Driver.Spec.NodeName) {
		t.Errorf("the driver, which place left alone, runs on %q, not on ECS", pods.Driver.Spec.NodeName)
	}
	sc.checkStatus(t, ns, "spark-pi", placement.ECS, placement.ECI)
}

// ECI reads its annotations from the pod when it is created: they must be on
// the pods spark-submit creates, not only in the application.
func TestSchedulingECIAnnotationsReachThePods(t *testing.T) {
	sc := schedulingCluster(t)
	ns := sc.newNamespace(t)
	sc.createApp(t, ns, sparkPiManifest(t, "spark-pi", 2))
	sc.place(t, ns, "spark-pi", "--preset=eci-only", "--image-cache=auto", "--spot", "--spot-duration=0",
		"--ephemeral-storage=50Gi", "--instance-types=2-4Gi,ecs.c6.xlarge")
	sc.checkEligible(t, ns, "spark-pi", roleEligibility{driver: eligibleECI(2), executor: eligibleECI(2)})

	pods := sc.submitPods(t, ns, "spark-pi")
	check := func(p *corev1.Pod, want map[string]string) {
		t.Helper()
		for key, value := range want {
			got, ok := p.Annotations[key]
			switch {
			case value == "" && ok:
				t.Errorf("pod %s has annotation %s=%q, want none", p.Name, key, got)
			case value != "" && got != value:
				t.Errorf("pod %s has annotation %s=%q, want %q", p.Name, key, got, value)
			}
		}
		if !sc.isECI(p.Spec.NodeName) {
			t.Errorf("pod %s runs on %q, not on an ECI node", p.Name, p.Spec.NodeName)
		}
	}
	// Spot is for executors only: a reclaimed driver fails the whole job.
	check(pods.Driver, map[string]string{
		"k8s.aliyun.com/eci-image-cache":             "true",
		"k8s.aliyun.com/eci-extra-ephemeral-storage": "50Gi",
		"k8s.aliyun.com/eci-use-specs":               "2-4Gi,ecs.c6.xlarge",
		"k8s.aliyun.com/eci-spot-strategy":           "",
		"k8s.aliyun.com/eci-spot-duration":           "",
	})
	for _, p := range pods.Executors {
		check(p, map[string]string{
			"k8s.aliyun.com/eci-image-cache":             "true",
			"k8s.aliyun.com/eci-extra-ephemeral-storage": "50Gi",
			"k8s.aliyun.com/eci-use-specs":               "2-4Gi,ecs.c6.xlarge",
			"k8s.aliyun.com/eci-spot-strategy":           "SpotAsPriceGo",
			"k8s.aliyun.com/eci-spot-duration":           "0",
		})
	}
	sc.checkStatus(t, ns, "spark-pi", placement.ECI, placement.ECI)
}

// tolerateECI is the guide's toleration of the ECI taint, as a user writes it.
const tolerateECI = `
tolerations:
- key: virtual-kubelet.io/provider
  operator: Equal
  value: alibabacloud
  effect: NoSchedule
`

// sparkPiManifest is examples/spark-pi.yaml named name, with instances
// executors, changed by edits of its spec.
func sparkPiManifest(t *testing.T, name string, instances int64, edits ...func(t *testing.T, spec map[string]interface{})) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "examples", "spark-pi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	obj := parseYAML(t, string(b))
	obj["metadata"].(map[string]interface{})["name"] = name
	spec := obj["spec"].(map[string]interface{})
	spec["executor"].(map[string]interface{})["instances"] = instances
	for _, edit := range edits {
		edit(t, spec)
	}
	out, err := yaml.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// withRole sets the fields of fieldsYAML in spec.ROLE.
func withRole(role, fieldsYAML string) func(*testing.T, map[string]interface{}) {
	return func(t *testing.T, spec map[string]interface{}) {
		t.Helper()
		roleSpec := spec[role].(map[string]interface{})
		for k, v := range parseYAML(t, fieldsYAML) {
			roleSpec[k] = v
		}
	}
}

// place runs "kubectl spark-eci place" in ns as a user would, and checks that
// it found the operator's webhook.
func (sc *schedulingEnv) place(t *testing.T, ns string, args ...string) {
	t.Helper()
	stdout, stderr, code := runKubectl(t, sc.kubeconfig, append([]string{"spark-eci", "place", "-n", ns}, args...)...)
	if code != 0 {
		t.Fatalf("kubectl spark-eci place %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout, stderr)
	}
	if strings.Contains(stderr, "no mutating webhook") {
		t.Errorf("place did not recognise the operator's webhook:\n%s", stderr)
	}
}

// schedulingMessage is what the scheduler last said about pod, if anything.
func schedulingMessage(pod *corev1.Pod) string {
	if c := podScheduledCondition(pod); c != nil && c.Message != "" {
		return c.Message
	}
	return "(no message from the scheduler)"
}

// staysPending checks for a while that the pods remain unbound: the
// scheduler retries unschedulable pods whenever the cluster changes.
func (sc *schedulingEnv) staysPending(t *testing.T, pods []*corev1.Pod, d time.Duration) {
	t.Helper()
	holdsFor(t, d, func(ctx context.Context) error {
		for _, p := range pods {
			got, err := sc.client.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
			if err != nil {
				return fmt.Errorf("getting pod %s: %w", p.Name, err)
			}
			if got.Spec.NodeName != "" {
				return fmt.Errorf("pod %s, pending at first, was bound to %s", p.Name, got.Spec.NodeName)
			}
		}
		return nil
	})
}

// hasRoomFor tells whether node's allocatable CPU and memory, less the
// requests of the pods bound to it, fit pod's requests.
func (sc *schedulingEnv) hasRoomFor(t *testing.T, node string, pod *corev1.Pod) bool {
	t.Helper()
	n, err := sc.client.CoreV1().Nodes().Get(t.Context(), node, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("getting node %s: %v", node, err)
	}
	bound, err := sc.client.CoreV1().Pods(metav1.NamespaceAll).List(t.Context(), metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("spec.nodeName", node).String(),
	})
	if err != nil {
		t.Fatalf("listing the pods on node %s: %v", node, err)
	}
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		free := n.Status.Allocatable[name].DeepCopy()
		for _, p := range bound.Items {
			free.Sub(requestOf(&p, name))
		}
		if free.Cmp(requestOf(pod, name)) < 0 {
			return false
		}
	}
	return true
}

func requestOf(pod *corev1.Pod, name corev1.ResourceName) resource.Quantity {
	var sum resource.Quantity
	for _, c := range pod.Spec.Containers {
		sum.Add(c.Resources.Requests[name])
	}
	return sum
}
