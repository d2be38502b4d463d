//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
	"github.com/spark-eci/kubectl-spark-eci/test/sparksubmit"
)

// A lifecycle cluster is a scheduling cluster (see schedulingEnv) that also
// runs the Spark operator's real controller, one per operator version. The
// controller submits applications with $SPARK_HOME/bin/spark-submit, which
// here is the tests' own (test/sparksubmit): it creates the driver pod and
// its properties as Spark's does. The controller's state machine, its pod
// watches, deletions and resubmissions are the operator's. What a cluster
// has besides, the tests play, in the background, for every Spark pod:
//
//   - the kubelet: a bound pod runs (phase Running, its containers started),
//     and a pod being deleted is gone once the kubelet confirms (grace 0);
//   - the driver: once it runs, it creates its executors from its properties
//     (test/sparksubmit), through the operator's webhook and the scheduler;
//   - the garbage collector: pods and ConfigMaps whose owning pod is gone go.
//
// Tests on a lifecycle cluster must not run in parallel: the nodes are shared.
var lifecycle struct {
	mu       sync.Mutex
	clusters map[string]*lifecycleOnce
}

type lifecycleOnce struct {
	once sync.Once
	env  *schedulingEnv
	err  error
}

// lifecycleCluster starts the lifecycle cluster of an operator version on
// first use and returns it.
func lifecycleCluster(t *testing.T, version operatorVersion) *schedulingEnv {
	t.Helper()
	lifecycle.mu.Lock()
	if lifecycle.clusters == nil {
		lifecycle.clusters = map[string]*lifecycleOnce{}
	}
	l := lifecycle.clusters[version.name]
	if l == nil {
		l = &lifecycleOnce{}
		lifecycle.clusters[version.name] = l
	}
	lifecycle.mu.Unlock()
	l.once.Do(func() {
		start := time.Now()
		l.env, l.err = startSparkCluster(version, true)
		if l.err == nil {
			fmt.Fprintf(os.Stderr, "e2e: lifecycle cluster of the operator %s up in %s\n", version.name, time.Since(start).Round(time.Millisecond))
		}
	})
	if l.err != nil {
		t.Fatalf("starting the lifecycle cluster of the operator %s: %v", version.name, l.err)
	}
	sc := l.env
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range sc.procs {
				t.Logf("last lines of the %s log:\n%s", p.name, p.tail(60))
			}
			players := sc.players()
			t.Logf("last lines of the %s log:\n%s", players.name, players.tail(30))
		}
	})
	return sc
}

func stopLifecycleClusters() error {
	lifecycle.mu.Lock()
	defer lifecycle.mu.Unlock()
	var errs []error
	for _, l := range lifecycle.clusters {
		if l.env != nil {
			errs = append(errs, l.env.stop())
		}
	}
	return errors.Join(errs...)
}

// startController builds the tests' spark-submit into a SPARK_HOME of its
// own, runs "operator controller start" for every namespace, and starts
// what the tests play beside it.
func (sc *schedulingEnv) startController(ctx context.Context, operator string, version operatorVersion) error {
	sparkHome, err := buildSparkHome(ctx)
	if err != nil {
		return err
	}
	server, err := url.Parse(sc.cfg.Host)
	if err != nil {
		return err
	}
	ports, err := freePorts(1)
	if err != nil {
		return err
	}
	args := []string{"controller", "start",
		"--kubeconfig", sc.kubeconfig,
		"--leader-election=false",
		"--health-probe-bind-address", "127.0.0.1:" + strconv.Itoa(ports[0]),
		"--metrics-bind-address", "0",
	}
	if version.gates != "" {
		args = append(args, "--feature-gates="+version.gates)
	}
	p, err := sc.startProcessWithEnv("spark-operator controller", []string{
		"SPARK_HOME=" + sparkHome,
		"KUBECONFIG=" + sc.kubeconfig,
		// Where spark-submit's master URL points, as in a pod.
		"KUBERNETES_SERVICE_HOST=" + server.Hostname(),
		"KUBERNETES_SERVICE_PORT=" + server.Port(),
	}, operator, args...)
	if err != nil {
		return err
	}
	if err := sc.createControllerDeployment(ctx, version); err != nil {
		return err
	}
	if err := p.waitHealthy(ctx, fmt.Sprintf("http://127.0.0.1:%d/readyz", ports[0])); err != nil {
		return err
	}
	playCtx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc.playKubeletDriverAndGC(playCtx)
	}()
	sc.stopPlayers = func() {
		stop()
		wg.Wait()
	}
	return nil
}

// createControllerDeployment records the controller the way its Helm chart
// deploys it, so that what reads the Deployment (place, doctor) sees the
// version and gates of the controller that runs. No controller-manager runs
// here: it stays an object, and the controller is the process above.
func (sc *schedulingEnv) createControllerDeployment(ctx context.Context, version operatorVersion) error {
	d := operatorDeployment(operatorNamespace, version.version, version.gates)
	if _, err := sc.client.AppsV1().Deployments(operatorNamespace).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("recording the controller's Deployment: %w", err)
	}
	return nil
}

// operatorDeployment is the Spark operator's controller Deployment as its
// Helm chart makes it: the chart's labels, image and arguments.
func operatorDeployment(namespace, version, gates string) *appsv1.Deployment {
	selector := map[string]string{
		"app.kubernetes.io/name": "spark-operator", "app.kubernetes.io/instance": "spark-operator",
		"app.kubernetes.io/component": "controller",
	}
	labels := maps.Clone(selector)
	maps.Copy(labels, map[string]string{
		"app.kubernetes.io/version": version, "app.kubernetes.io/managed-by": "Helm", "helm.sh/chart": "spark-operator-" + version,
	})
	args := []string{"controller", "start", "--leader-election=true"}
	if gates != "" {
		args = append(args, "--feature-gates="+gates)
	}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "spark-operator-controller", Namespace: namespace, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: selector},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "spark-operator-controller", Image: "ghcr.io/kubeflow/spark-operator/controller:" + version, Args: args,
				}}},
			},
		},
	}
}

var sparkHome struct {
	once sync.Once
	dir  string
	err  error
}

// buildSparkHome builds the tests' spark-submit, once, into a SPARK_HOME
// every lifecycle cluster's controller shares. (The operator v2.5.2 writes
// each submission's pod templates under /tmp/spark, a path of its own that it
// never cleans; they are small.)
func buildSparkHome(ctx context.Context) (string, error) {
	sparkHome.once.Do(func() {
		dir := filepath.Join(cluster.tmp, "spark-home")
		build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, "bin", "spark-submit"), "./test/sparksubmit/spark-submit")
		build.Dir = repoRoot
		if out, err := build.CombinedOutput(); err != nil {
			sparkHome.err = fmt.Errorf("building the tests' spark-submit: %v\n%s", err, out)
			return
		}
		sparkHome.dir = dir
	})
	return sparkHome.dir, sparkHome.err
}

// playKubeletDriverAndGC does, every tenth of a second until ctx ends, what
// the kubelet, the drivers and the garbage collector would. What fails is
// written to the players' log (see logf), and tried again next time.
func (sc *schedulingEnv) playKubeletDriverAndGC(ctx context.Context) {
	launched := map[types.UID]bool{} // drivers whose executors are made
	for ctx.Err() == nil {
		sc.playOnce(ctx, launched)
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// playOnce is one pass of playKubeletDriverAndGC over the pods. Each
// request has a deadline of its own (the list, each pod's step), so that one
// that hangs (a connection the API server dropped) is logged and holds up
// nothing else: the other pods are played in the same pass.
func (sc *schedulingEnv) playOnce(ctx context.Context, launched map[types.UID]bool) {
	const stepDeadline = 5 * time.Second
	listCtx, cancel := context.WithTimeout(ctx, stepDeadline)
	list, err := sc.client.CoreV1().Pods("").List(listCtx, metav1.ListOptions{LabelSelector: "sparkoperator.k8s.io/launched-by-spark-operator=true"})
	cancel()
	if err != nil {
		sc.logf("list pods: %v", err)
		return
	}
	exists := map[types.UID]bool{}
	for _, p := range list.Items {
		exists[p.UID] = true
	}
	appsCtx, cancel := context.WithTimeout(ctx, stepDeadline)
	apps := sc.liveApps(appsCtx, list.Items)
	cancel()
	for i := range list.Items {
		pod := &list.Items[i]
		podCtx, cancel := context.WithTimeout(ctx, stepDeadline)
		switch {
		case pod.DeletionTimestamp != nil || ownerGone(pod.OwnerReferences, exists) || !apps.own(pod):
			sc.end(podCtx, pod)
		case pod.Spec.NodeName != "" && pod.Status.Phase == corev1.PodPending && unpullable(pod):
			if !waitingToPull(pod) {
				sc.failPull(podCtx, pod)
			}
		case pod.Spec.NodeName != "" && pod.Status.Phase == corev1.PodPending:
			sc.run(podCtx, pod)
		case pod.Labels["spark-role"] == "driver" && pod.Status.Phase == corev1.PodRunning && !launched[pod.UID]:
			if err := sc.launchExecutors(podCtx, pod); err != nil {
				sc.logf("launch the executors of %s/%s: %v", pod.Namespace, pod.Name, err)
			} else {
				launched[pod.UID] = true
			}
		case pod.Labels["spark-role"] == "executor" && driverEnded(pod, list.Items):
			// A driver that ends stops its executors.
			sc.end(podCtx, pod)
		}
		cancel()
	}
	gcCtx, cancel := context.WithTimeout(ctx, stepDeadline)
	defer cancel()
	sc.collectConfigMaps(gcCtx, exists)
}

// liveApps are the SparkApplications that own pods, by namespace/name and
// UID, as they exist now.
type liveApps map[string]types.UID

// liveApps reads the applications the pods name as owners.
func (sc *schedulingEnv) liveApps(ctx context.Context, pods []corev1.Pod) liveApps {
	apps := liveApps{}
	for _, p := range pods {
		for _, o := range p.OwnerReferences {
			key := p.Namespace + "/" + o.Name
			if o.Kind != sparkapp.KindSparkApplication {
				continue
			}
			if _, seen := apps[key]; seen {
				continue
			}
			app, err := sc.dyn.Resource(sparkAppGVR).Namespace(p.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(err):
				apps[key] = ""
			case err != nil:
				sc.logf("get application %s: %v", key, err)
				apps[key] = o.UID // unknown: keep the pod
			default:
				apps[key] = app.GetUID()
			}
		}
	}
	return apps
}

// own tells whether every application that owns pod still exists, as the
// same object.
func (a liveApps) own(pod *corev1.Pod) bool {
	for _, o := range pod.OwnerReferences {
		if uid, ok := a[pod.Namespace+"/"+o.Name]; ok && o.Kind == sparkapp.KindSparkApplication && uid != o.UID {
			return false
		}
	}
	return true
}

// stalled fails the test on a step that did not come to pass: it names the
// step and what was last seen; the end of the players' log, where each
// player says what it did, follows (lifecycleCluster prints it).
func (sc *schedulingEnv) stalled(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Fatalf("stalled: %s", fmt.Sprintf(format, args...))
}

// players is the log of the tests' kubelet, drivers and garbage collector,
// as a process's log is read.
func (sc *schedulingEnv) players() process {
	return process{name: "tests' kubelet, driver and garbage collector", log: filepath.Join(sc.tmp, "players.log")}
}

// logf writes what went wrong in the players' log, whose end a stalled test
// shows.
func (sc *schedulingEnv) logf(format string, args ...any) {
	f, err := os.OpenFile(filepath.Join(sc.tmp, "players.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

// driverEnded tells whether the driver that owns an executor has ended.
func driverEnded(executor *corev1.Pod, pods []corev1.Pod) bool {
	for _, o := range executor.OwnerReferences {
		for _, p := range pods {
			if p.UID == o.UID {
				return p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
			}
		}
	}
	return false
}

func ownerGone(owners []metav1.OwnerReference, exists map[types.UID]bool) bool {
	for _, o := range owners {
		if o.Kind == "Pod" && !exists[o.UID] {
			return true
		}
	}
	return false
}

// holdDeletions keeps the pods of namespace ns that hold tells from being
// deleted, as a kubelet that does not confirm their end would: a deletion
// starts (the pod is Terminating) and does not end. A nil hold lets them go;
// so does the end of the test.
func (sc *schedulingEnv) holdDeletions(t *testing.T, ns string, hold func(*corev1.Pod) bool) {
	if hold == nil {
		sc.holds.Delete(ns)
		return
	}
	sc.holds.Store(ns, hold)
	t.Cleanup(func() { sc.holds.Delete(ns) })
}

// end ends a pod as the kubelet does once its containers stopped, or, for
// a pod held (see holdDeletions), only starts its deletion.
func (sc *schedulingEnv) end(ctx context.Context, pod *corev1.Pod) {
	hold, ok := sc.holds.Load(pod.Namespace)
	if !ok || !hold.(func(*corev1.Pod) bool)(pod) {
		sc.deleteNow(ctx, pod)
		return
	}
	if pod.DeletionTimestamp != nil {
		return
	}
	err := sc.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{Preconditions: metav1.NewUIDPreconditions(string(pod.UID))})
	switch {
	case err == nil:
		sc.logf("started deleting pod %s/%s (uid %s), held", pod.Namespace, pod.Name, pod.UID)
	case !apierrors.IsNotFound(err) && !apierrors.IsConflict(err):
		sc.logf("start deleting pod %s/%s (uid %s): %v", pod.Namespace, pod.Name, pod.UID, err)
	}
}

// deleteNow ends a deletion as a kubelet does once the containers stopped:
// at once, and only of the pod seen. A pod made since under the same name
// (a SparkConnect's server, made again by the operator) is another pod, and
// the UID precondition keeps it: a list a moment old must not delete it.
func (sc *schedulingEnv) deleteNow(ctx context.Context, pod *corev1.Pod) {
	err := sc.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		GracePeriodSeconds: ptr.To[int64](0),
		Preconditions:      metav1.NewUIDPreconditions(string(pod.UID)),
	})
	switch {
	case err == nil:
		sc.logf("ended pod %s/%s (uid %s)", pod.Namespace, pod.Name, pod.UID)
	case apierrors.IsNotFound(err) || apierrors.IsConflict(err):
		// Conflict: the precondition failed, the pod of that UID is gone.
		sc.logf("ended pod %s/%s (uid %s): gone already", pod.Namespace, pod.Name, pod.UID)
	default:
		sc.logf("delete pod %s/%s (uid %s): %v", pod.Namespace, pod.Name, pod.UID, err)
	}
}

// run starts a bound pod as the kubelet does: Running, every container
// running and ready.
func (sc *schedulingEnv) run(ctx context.Context, pod *corev1.Pod) {
	now := metav1.Now()
	pod.Status.Phase = corev1.PodRunning
	pod.Status.StartTime = &now
	pod.Status.PodIP = "10.0.0." + strconv.Itoa(1+int(pod.UID[0])%250)
	pod.Status.Conditions = []corev1.PodCondition{
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now},
		{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: now},
	}
	pod.Status.ContainerStatuses = nil
	for _, c := range pod.Spec.Containers {
		pod.Status.ContainerStatuses = append(pod.Status.ContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, Ready: true, Started: ptr.To(true),
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
		})
	}
	updated, err := sc.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
	if err != nil {
		sc.logf("run pod %s/%s (uid %s): %v", pod.Namespace, pod.Name, pod.UID, err)
		return
	}
	sc.logf("ran pod %s/%s (uid %s) on %s", pod.Namespace, pod.Name, pod.UID, pod.Spec.NodeName)
	sc.postImageEvents(ctx, updated)
}

// unpullableTag marks an image no registry has: the tests' kubelet
// cannot pull it.
const unpullableTag = ":not-in-any-registry"

func unpullable(pod *corev1.Pod) bool {
	return strings.HasSuffix(pod.Spec.Containers[0].Image, unpullableTag)
}

func waitingToPull(pod *corev1.Pod) bool {
	for _, c := range pod.Status.ContainerStatuses {
		if c.State.Waiting != nil && c.State.Waiting.Reason == "ImagePullBackOff" {
			return true
		}
	}
	return false
}

// failPull leaves a pod whose image cannot be pulled as the kubelet does:
// Pending, its container waiting in ImagePullBackOff, and the kubelet's
// events of the failed pull.
func (sc *schedulingEnv) failPull(ctx context.Context, pod *corev1.Pod) {
	now := metav1.Now()
	image := pod.Spec.Containers[0].Image
	pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now}}
	pod.Status.ContainerStatuses = nil
	for _, c := range pod.Spec.Containers {
		pod.Status.ContainerStatuses = append(pod.Status.ContainerStatuses, corev1.ContainerStatus{Name: c.Name, Image: c.Image,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: `Back-off pulling image "` + c.Image + `"`}}})
	}
	if _, err := sc.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		sc.logf("fail the pull of pod %s/%s (uid %s): %v", pod.Namespace, pod.Name, pod.UID, err)
		return
	}
	sc.logf("failed the pull of pod %s/%s (uid %s)", pod.Namespace, pod.Name, pod.UID)
	for _, e := range []*corev1.Event{
		newPodEvent(pod, "kubelet", corev1.EventTypeWarning, "Failed", `Failed to pull image "`+image+`": not found`, now.Time, now.Time, 1),
		newPodEvent(pod, "kubelet", corev1.EventTypeNormal, "BackOff", `Back-off pulling image "`+image+`"`, now.Time, now.Time, 1),
	} {
		if _, err := sc.client.CoreV1().Events(pod.Namespace).Create(ctx, e, metav1.CreateOptions{}); err != nil {
			sc.logf("post event %s of %s/%s: %v", e.Reason, pod.Namespace, pod.Name, err)
		}
	}
}

// lifecycleCacheID is the ECI image cache every pod on ECI hits.
const lifecycleCacheID = "imc-lifecycle"

// postImageEvents reports the image of a pod that started as the kubelet
// reports an image already there, and on ECI, first, the cache hit that put
// it there.
func (sc *schedulingEnv) postImageEvents(ctx context.Context, pod *corev1.Pod) {
	now := time.Now()
	var events []*corev1.Event
	if sc.isECI(pod.Spec.NodeName) {
		events = append(events, newPodEvent(pod, "EciService", corev1.EventTypeNormal, "SuccessfulHitImageCache",
			"[eci.imagecache]Successfully hit image cache "+lifecycleCacheID+", eci will be scheduled with this image cache.", now, now, 1))
	}
	events = append(events, newPodEvent(pod, "kubelet", corev1.EventTypeNormal, "Pulled",
		`Container image "`+pod.Spec.Containers[0].Image+`" already present on machine`, now, now, 1))
	for _, e := range events {
		if _, err := sc.client.CoreV1().Events(pod.Namespace).Create(ctx, e, metav1.CreateOptions{}); err != nil {
			sc.logf("post event %s of pod %s/%s: %v", e.Reason, pod.Namespace, pod.Name, err)
		}
	}
}

// endDriver ends a running driver as the kubelet reports it: Succeeded when
// Spark's container exits 0, else Failed.
func (sc *schedulingEnv) endDriver(t *testing.T, driver *corev1.Pod, exitCode int32) {
	t.Helper()
	pod, err := sc.client.CoreV1().Pods(driver.Namespace).Get(t.Context(), driver.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	now := metav1.Now()
	pod.Status.Phase = corev1.PodSucceeded
	if exitCode != 0 {
		pod.Status.Phase = corev1.PodFailed
	}
	for i := range pod.Status.ContainerStatuses {
		cs := &pod.Status.ContainerStatuses[i]
		cs.Ready, cs.Started = false, ptr.To(false)
		cs.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: exitCode, FinishedAt: now, Reason: "Completed"}}
		if exitCode != 0 {
			cs.State.Terminated.Reason = "Error"
		}
	}
	if _, err := sc.client.CoreV1().Pods(pod.Namespace).UpdateStatus(t.Context(), pod, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("ending driver %s: %v", pod.Name, err)
	}
}

// waitForState waits until the application is in one of states.
func (sc *schedulingEnv) waitForState(t *testing.T, ns, app string, states ...string) string {
	t.Helper()
	var state string
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		state, _, _ = sc.readAppState(ctx, ns, app)
		return slices.Contains(states, state), nil
	})
	if err != nil {
		sc.stalled(t, "waiting for %s/%s to be %v: it is %q", ns, app, states, state)
	}
	return state
}

// launchExecutors creates a running driver's executors as the driver does,
// from the properties spark-submit gave it.
func (sc *schedulingEnv) launchExecutors(ctx context.Context, driver *corev1.Pod) error {
	cm, err := sc.client.CoreV1().ConfigMaps(driver.Namespace).Get(ctx, sparksubmit.ConfigMapName(driver), metav1.GetOptions{})
	if err != nil {
		return err
	}
	conf := sparksubmit.DriverConf(cm)
	for id := 1; id <= sparksubmit.Executors(conf); id++ {
		pod, err := sparksubmit.ExecutorPod(conf, driver, id)
		if err != nil {
			return err
		}
		if _, err := sc.client.CoreV1().Pods(pod.Namespace).Create(ctx, pod, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}

// collectConfigMaps deletes the driver properties whose driver is gone. A
// driver created since pods were listed is not gone: each owner is read
// again before its ConfigMap goes.
func (sc *schedulingEnv) collectConfigMaps(ctx context.Context, pods map[types.UID]bool) {
	list, err := sc.client.CoreV1().ConfigMaps("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return
	}
	for _, cm := range list.Items {
		if !ownerGone(cm.OwnerReferences, pods) {
			continue
		}
		owner := cm.OwnerReferences[0]
		pod, err := sc.client.CoreV1().Pods(cm.Namespace).Get(ctx, owner.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) || err == nil && pod.UID != owner.UID {
			_ = sc.client.CoreV1().ConfigMaps(cm.Namespace).Delete(ctx, cm.Name, metav1.DeleteOptions{})
		}
	}
}

// appState reads an application's state as the operator wrote it.
func (sc *schedulingEnv) appState(t *testing.T, ns, name string) (state, submission string) {
	t.Helper()
	state, submission, err := sc.readAppState(t.Context(), ns, name)
	if err != nil {
		t.Fatalf("reading SparkApplication %s/%s: %v", ns, name, err)
	}
	return state, submission
}

// appGeneration is the application's metadata.generation: it moves with
// every write of its spec, and with nothing the controller writes (status).
func (sc *schedulingEnv) appGeneration(t *testing.T, ns, name string) int64 {
	t.Helper()
	app, err := sc.dyn.Resource(sparkAppGVR).Namespace(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("reading SparkApplication %s/%s: %v", ns, name, err)
	}
	return app.GetGeneration()
}

// readAppState is appState for polls, which try again after an error.
func (sc *schedulingEnv) readAppState(ctx context.Context, ns, name string) (state, submission string, err error) {
	app, err := sc.dyn.Resource(sparkAppGVR).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return "", "", err
	}
	state, _, _ = unstructured.NestedString(app.Object, "status", "applicationState", "state")
	submission, _, _ = unstructured.NestedString(app.Object, "status", "submissionID")
	return state, submission, nil
}

// runningPods waits until the application is RUNNING with its driver and
// every executor of one submission running, and returns them; not is a
// submission they must not be of (the one before a restart), or "".
func (sc *schedulingEnv) runningPods(t *testing.T, ns, app, not string) (submission string, pods sparkPods) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		state, id, err := sc.readAppState(ctx, ns, app)
		if err != nil {
			return false, nil // try again; the last word stays
		}
		seen := fmt.Sprintf("state %q, submission %q", state, id)
		if id == not {
			seen += " (not resubmitted yet)"
		}
		if state != "RUNNING" || id == "" || id == not {
			last = seen
			return false, nil
		}
		list, err := sc.client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "sparkoperator.k8s.io/submission-id=" + id})
		if err != nil {
			return false, nil // the deadline may cut a list short: keep the last word
		}
		pods = sparkPods{}
		for i := range list.Items {
			p := &list.Items[i]
			if p.Status.Phase != corev1.PodRunning || p.DeletionTimestamp != nil {
				last = fmt.Sprintf("%s, pod %s %s on %q: %s", seen, p.Name, p.Status.Phase, p.Spec.NodeName, schedulingMessage(p))
				return false, nil
			}
			if p.Labels["spark-role"] == "driver" {
				pods.Driver = p
			} else {
				pods.Executors = append(pods.Executors, p)
			}
		}
		submission = id
		last = fmt.Sprintf("%s, %d executors running", seen, len(pods.Executors))
		return pods.Driver != nil && len(pods.Executors) == expectedExecutors(t, sc, ns, app), nil
	})
	if err != nil {
		sc.stalled(t, "waiting for %s/%s to run (%s): %v", ns, app, last, err)
	}
	return submission, pods
}

// runningSparkPi starts the lifecycle cluster of version, runs spark-pi (a
// driver, two executors) in a namespace of its own, deleted with the test,
// and returns them once they run, with the submission.
func runningSparkPi(t *testing.T, version operatorVersion) (lc *schedulingEnv, ns, submission string, pods sparkPods) {
	t.Helper()
	lc = lifecycleCluster(t, version)
	ns = lc.newNamespace(t)
	lc.createApp(t, ns, sparkPiManifest(t, "spark-pi", 2))
	lc.deleteAppWhenDone(t, ns, "spark-pi")
	submission, pods = lc.runningPods(t, ns, "spark-pi", "")
	return lc, ns, submission, pods
}

// executorsOnECI checks that every executor of pods (of which: a run, a
// submission) runs on an ECI virtual node.
func (sc *schedulingEnv) executorsOnECI(t *testing.T, pods sparkPods, of string) {
	t.Helper()
	for _, p := range pods.Executors {
		if !sc.isECI(p.Spec.NodeName) {
			t.Errorf("executor %s of %s runs on %q, not on ECI: %s", p.Name, of, p.Spec.NodeName, schedulingMessage(p))
		}
	}
}

func expectedExecutors(t *testing.T, sc *schedulingEnv, ns, app string) int {
	obj, err := sc.dyn.Resource(sparkAppGVR).Namespace(ns).Get(t.Context(), app, metav1.GetOptions{})
	if err != nil {
		return -1
	}
	n, _, _ := unstructured.NestedInt64(obj.Object, "spec", "executor", "instances")
	return int(n)
}

// deleteAppWhenDone deletes the application first, so that the controller
// submits it no more, then its pods, so that they free their nodes.
func (sc *schedulingEnv) deleteAppWhenDone(t *testing.T, ns, app string) {
	t.Cleanup(func() {
		ctx := context.Background()
		_ = sc.dyn.Resource(sparkAppGVR).Namespace(ns).Delete(ctx, app, metav1.DeleteOptions{})
		list, err := sc.client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "sparkoperator.k8s.io/app-name=" + app})
		if err != nil {
			return
		}
		for _, p := range list.Items {
			sc.deleteNow(ctx, &p)
		}
	})
}

// createScheduled creates a ScheduledSparkApplication, and deletes it, its
// runs and their pods when the test ends.
func (sc *schedulingEnv) createScheduled(t *testing.T, ns string, manifest map[string]interface{}) {
	t.Helper()
	obj := &unstructured.Unstructured{Object: manifest}
	if _, err := sc.dyn.Resource(scheduledSparkAppGVR).Namespace(ns).Create(t.Context(), obj, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating ScheduledSparkApplication %s: %v", obj.GetName(), err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		_ = sc.dyn.Resource(scheduledSparkAppGVR).Namespace(ns).Delete(ctx, obj.GetName(), metav1.DeleteOptions{})
		runs, err := sc.dyn.Resource(sparkAppGVR).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: labelScheduledApp + "=" + obj.GetName()})
		if err != nil {
			return
		}
		for _, run := range runs.Items {
			_ = sc.dyn.Resource(sparkAppGVR).Namespace(ns).Delete(ctx, run.GetName(), metav1.DeleteOptions{})
			pods, err := sc.client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "sparkoperator.k8s.io/app-name=" + run.GetName()})
			if err != nil {
				continue
			}
			for _, p := range pods.Items {
				sc.deleteNow(ctx, &p)
			}
		}
	})
}

// labelScheduledApp is the label the operator puts on each run of a
// ScheduledSparkApplication.
const labelScheduledApp = "sparkoperator.k8s.io/scheduled-app-name"

// latestRun waits for a run of the scheduled application other than not,
// and returns the newest one's name.
func (sc *schedulingEnv) latestRun(t *testing.T, ns, scheduled, not string) string {
	t.Helper()
	var name string
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		runs, err := sc.dyn.Resource(sparkAppGVR).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: labelScheduledApp + "=" + scheduled})
		if err != nil {
			return false, err
		}
		name = ""
		var newest time.Time
		for _, run := range runs.Items {
			if run.GetName() != not && !run.GetCreationTimestamp().Time.Before(newest) {
				name, newest = run.GetName(), run.GetCreationTimestamp().Time
			}
		}
		return name != "", nil
	})
	if err != nil {
		sc.stalled(t, "waiting for a run of %s/%s other than %q: %v", ns, scheduled, not, err)
	}
	return name
}

// holdsFor checks, again and again for d, that what should not happen has
// not: check returns an error when it has.
func holdsFor(t *testing.T, d time.Duration, check func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	// The checks get the test's context: one cut short by the end of d
	// would fail for that alone.
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(context.Context) (bool, error) {
		return false, check(t.Context())
	})
	if err != nil && ctx.Err() == nil {
		t.Fatal(err)
	}
}
