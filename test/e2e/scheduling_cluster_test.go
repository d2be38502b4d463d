//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
)

// The scheduling cluster is a second control plane, started on first use by
// the tests that need pods to be placed for real: the Spark operator's
// webhook puts each application's affinity and tolerations on its pods, and
// kube-scheduler binds them to fake ECS nodes and ECI virtual nodes. It is
// separate from the shared cluster because a scheduler, a webhook with
// failurePolicy Fail and extra untainted nodes there would change what the
// other tests see (and their nodes and pods would skew the placements here).
//
// Use it like this:
//
//	sc := schedulingCluster(t)               // kubeconfig, clients, node names
//	ns := sc.newNamespace(t)
//	sc.createApp(t, ns, manifest)            // through the operator's webhooks
//	sc.place(t, ns, "spark-pi", "--preset=driver-on-ecs") // kubectl spark-eci place
//	pods := sc.submitPods(t, ns, "spark-pi") // as spark-submit; waits for the scheduler
//	sc.isECI(pods.Driver.Spec.NodeName)      // also isECS, zoneOf, ecsNodes, eciNodes
//
// The nodes are shared and pods hold their resources until deleted (no
// kubelet ever runs them): tests on this cluster must not run in parallel,
// and submitPods deletes the pods it made when the test ends.
type schedulingEnv struct {
	controlPlane

	ecsNodes []string          // small ordinary nodes, untainted
	eciNodes []string          // large virtual nodes with the ECI label and taint
	zoneOf   map[string]string // node name to its topology.kubernetes.io/zone

	procs       []*process // the webhook, the scheduler, the controller, in the order they started
	tmp         string
	stopPlayers func()   // stops what the tests play beside the controller
	holds       sync.Map // namespace -> func(*corev1.Pod) bool: pods whose deletion the kubelet does not end
}

// The fixed node set. Two ECS nodes of 4 CPUs and 8 GiB hold a driver of the
// example application and two of its executors, no more, so a third executor
// overflows. The ECI nodes are in two zones so that a zone term can be told
// apart from "any ECI node".
const (
	zoneI = "cn-hangzhou-i"
	zoneJ = "cn-hangzhou-j"

	// The webhook configurations' names, as the operator's Helm chart names them.
	operatorWebhookName = "spark-operator-webhook"
	operatorNamespace   = "spark-operator"
)

var scheduling struct {
	once sync.Once
	env  *schedulingEnv
	err  error
}

// schedulingCluster starts the scheduling cluster on first use and returns it;
// a failure to start fails every test that needs it.
func schedulingCluster(t *testing.T) *schedulingEnv {
	t.Helper()
	scheduling.once.Do(func() {
		start := time.Now()
		scheduling.env, scheduling.err = startSparkCluster(operatorVersions[0], false)
		if scheduling.err == nil {
			fmt.Fprintf(os.Stderr, "e2e: scheduling cluster up in %s\n", time.Since(start).Round(time.Millisecond))
		}
	})
	if scheduling.err != nil {
		t.Fatalf("starting the scheduling cluster: %v", scheduling.err)
	}
	sc := scheduling.env
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range sc.procs {
				t.Logf("last lines of the %s log:\n%s", p.name, p.tail(40))
			}
		}
	})
	return sc
}

// stopSchedulingCluster stops what startSchedulingCluster started, if
// anything, and the lifecycle clusters; TestMain calls it after the tests.
func stopSchedulingCluster() error {
	var errs []error
	if scheduling.env != nil {
		errs = append(errs, scheduling.env.stop())
	}
	errs = append(errs, stopLifecycleClusters())
	return errors.Join(errs...)
}

// operatorVersion is a version of the Spark operator the tests run: its
// binary and its CRDs, as hack/testbin.sh puts them in the test assets, and
// the feature gates its controller runs with.
type operatorVersion struct {
	name, version, binary, crds, gates string
}

// operatorVersions are the versions the project supports, oldest first.
var operatorVersions = []operatorVersion{
	{name: "v2.3.0", version: "2.3.0", binary: "spark-operator", crds: "crds"},
	{name: "v2.5.2", version: "2.5.2", binary: "spark-operator-v2.5.2", crds: "crds-v2.5.2"},
}

// partialRestart is the newest version with its PartialRestart gate on.
var partialRestart = operatorVersion{name: "v2.5.2+PartialRestart", version: "2.5.2",
	binary: "spark-operator-v2.5.2", crds: "crds-v2.5.2", gates: "PartialRestart=true"}

// startSparkCluster starts a control plane with the CRDs of an operator
// version, the fixed nodes, that version's webhook and kube-scheduler; with
// controller, also its controller, a spark-submit of the tests' own, and the
// kubelet, driver and garbage collector the tests play (see lifecycle).
func startSparkCluster(version operatorVersion, controller bool) (sc *schedulingEnv, err error) {
	operator := filepath.Join(cluster.assets, version.binary)
	if _, err := os.Stat(operator); err != nil {
		return nil, fmt.Errorf("the Spark operator %s is missing from the test assets (run hack/testbin.sh): %w", version.name, err)
	}
	tmp, err := os.MkdirTemp(cluster.tmp, "scheduling-")
	if err != nil {
		return nil, err
	}
	sc = &schedulingEnv{tmp: tmp, zoneOf: map[string]string{}}
	// Whatever did start must stop even when a later step fails; TestMain
	// stops it only once it has been handed out.
	defer func() {
		if err != nil {
			if stopErr := sc.stop(); stopErr != nil {
				err = fmt.Errorf("%w (and stopping what had started: %v)", err, stopErr)
			}
			sc = nil
		}
	}()

	cp, err := startControlPlane(controlPlaneSpec{assets: cluster.assets, crds: version.crds, dir: tmp})
	if err != nil {
		return sc, err
	}
	sc.controlPlane = *cp

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := sc.createNodes(ctx); err != nil {
		return sc, err
	}
	if err := sc.startWebhook(ctx, operator); err != nil {
		return sc, err
	}
	if err := sc.startScheduler(ctx); err != nil {
		return sc, err
	}
	if controller {
		if err := sc.startController(ctx, operator, version); err != nil {
			return sc, err
		}
	}
	return sc, nil
}

// stop deletes the webhook configurations first: left behind with
// failurePolicy Fail, they would block every Spark pod and application.
func (sc *schedulingEnv) stop() error {
	var errs []error
	if sc.client != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admission := sc.client.AdmissionregistrationV1()
		err := admission.MutatingWebhookConfigurations().Delete(ctx, operatorWebhookName, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting the mutating webhook configuration: %w", err))
		}
		err = admission.ValidatingWebhookConfigurations().Delete(ctx, operatorWebhookName, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting the validating webhook configuration: %w", err))
		}
	}
	if sc.stopPlayers != nil {
		sc.stopPlayers()
	}
	for i := len(sc.procs) - 1; i >= 0; i-- {
		if err := sc.procs[i].stop(); err != nil {
			errs = append(errs, err)
		}
	}
	if sc.env != nil {
		if err := sc.env.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stopping the scheduling control plane: %w", err))
		}
	}
	return errors.Join(errs...)
}

// createNodes creates the fixed node set, Ready.
func (sc *schedulingEnv) createNodes(ctx context.Context) error {
	for _, n := range []fakeNode{
		{name: "cn-hangzhou.192.168.0.10", zone: zoneI},
		{name: "cn-hangzhou.192.168.0.11", zone: zoneI},
		{name: "virtual-kubelet-cn-hangzhou-i", zone: zoneI, eci: true},
		{name: "virtual-kubelet-cn-hangzhou-j", zone: zoneJ, eci: true},
	} {
		n.labels = map[string]string{corev1.LabelTopologyRegion: "cn-hangzhou"}
		if err := createNode(ctx, sc.client, n); err != nil {
			return err
		}
		if n.eci {
			sc.eciNodes = append(sc.eciNodes, n.name)
		} else {
			sc.ecsNodes = append(sc.ecsNodes, n.name)
		}
		sc.zoneOf[n.name] = n.zone
	}
	return nil
}

// startWebhook runs the operator's webhooks ("operator webhook start", no
// controller) and registers them the way its Helm chart does, but by URL:
// there is no Service on loopback. With no Secret the operator makes its own
// CA and a certificate for DNS:localhost, and writes the CA into the
// configurations' caBundle; until it has, calls to the webhook fail, so this
// waits for that.
//
// It watches every namespace (no --namespaces), as the chart does when
// spark.jobNamespaces holds "": tests make their namespaces as they go.
func (sc *schedulingEnv) startWebhook(ctx context.Context, operator string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: operatorNamespace}}
	if _, err := sc.client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating the operator's namespace: %w", err)
	}
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	webhookPort, healthPort, metricsPort := ports[0], ports[1], ports[2]
	if err := sc.registerWebhooks(ctx, webhookPort); err != nil {
		return err
	}

	certDir := filepath.Join(sc.tmp, "webhook-certs")
	p, err := sc.startProcess("spark-operator webhook", operator, "webhook", "start",
		"--kubeconfig", sc.kubeconfig,
		"--webhook-port", strconv.Itoa(webhookPort),
		"--webhook-cert-dir", certDir,
		"--webhook-svc-name", "spark-operator-webhook-svc",
		"--webhook-svc-namespace", operatorNamespace,
		"--webhook-secret-namespace", operatorNamespace,
		"--mutating-webhook-name", operatorWebhookName,
		"--validating-webhook-name", operatorWebhookName,
		"--health-probe-bind-address", "127.0.0.1:"+strconv.Itoa(healthPort),
		"--metrics-bind-address", "127.0.0.1:"+strconv.Itoa(metricsPort),
		"--leader-election=false",
	)
	if err != nil {
		return err
	}
	if err := p.waitHealthy(ctx, fmt.Sprintf("http://127.0.0.1:%d/readyz", healthPort)); err != nil {
		return err
	}
	err = wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		return sc.webhooksHaveCABundle(ctx)
	})
	if err != nil {
		return fmt.Errorf("waiting for the webhook to write its CA into the configurations: %w\n%s", err, p.tail(20))
	}
	return nil
}

// registerWebhooks creates the operator's webhook configurations, entry for
// entry as its Helm chart does, with a URL in place of the Service and an
// empty caBundle for the operator to fill in.
func (sc *schedulingEnv) registerWebhooks(ctx context.Context, port int) error {
	url := func(path string) admissionregistrationv1.WebhookClientConfig {
		return admissionregistrationv1.WebhookClientConfig{URL: ptr.To(fmt.Sprintf("https://localhost:%d%s", port, path))}
	}
	rule := func(group, version, resource string, ops ...admissionregistrationv1.OperationType) []admissionregistrationv1.RuleWithOperations {
		return []admissionregistrationv1.RuleWithOperations{{
			Operations: ops,
			Rule:       admissionregistrationv1.Rule{APIGroups: []string{group}, APIVersions: []string{version}, Resources: []string{resource}},
		}}
	}
	create, update := admissionregistrationv1.Create, admissionregistrationv1.Update
	sideEffects := ptr.To(admissionregistrationv1.SideEffectClassNoneOnDryRun)
	fail := ptr.To(admissionregistrationv1.Fail)
	// The default of 10 s is tight for a webhook sharing two cores with a
	// control plane and a compiler.
	timeout := ptr.To[int32](30)
	reviews := []string{"v1"}
	mutating := func(name, path string, rules []admissionregistrationv1.RuleWithOperations, selector *metav1.LabelSelector) admissionregistrationv1.MutatingWebhook {
		return admissionregistrationv1.MutatingWebhook{
			Name: name, ClientConfig: url(path), Rules: rules, ObjectSelector: selector,
			SideEffects: sideEffects, FailurePolicy: fail, TimeoutSeconds: timeout, AdmissionReviewVersions: reviews,
		}
	}
	validating := func(name, path string, rules []admissionregistrationv1.RuleWithOperations) admissionregistrationv1.ValidatingWebhook {
		return admissionregistrationv1.ValidatingWebhook{
			Name: name, ClientConfig: url(path), Rules: rules,
			SideEffects: sideEffects, FailurePolicy: fail, TimeoutSeconds: timeout, AdmissionReviewVersions: reviews,
		}
	}
	sparkPods := &metav1.LabelSelector{MatchLabels: map[string]string{"sparkoperator.k8s.io/launched-by-spark-operator": "true"}}

	admission := sc.client.AdmissionregistrationV1()
	_, err := admission.MutatingWebhookConfigurations().Create(ctx, &admissionregistrationv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: operatorWebhookName},
		Webhooks: []admissionregistrationv1.MutatingWebhook{
			mutating("mutate--v1-pod.sparkoperator.k8s.io", "/mutate--v1-pod",
				rule("", "v1", "pods", create), sparkPods),
			mutating("mutate-sparkoperator-k8s-io-v1beta2-sparkapplication.sparkoperator.k8s.io",
				"/mutate-sparkoperator-k8s-io-v1beta2-sparkapplication",
				rule("sparkoperator.k8s.io", "v1beta2", "sparkapplications", create, update), nil),
			mutating("mutate-sparkoperator-k8s-io-v1beta2-scheduledsparkapplication.sparkoperator.k8s.io",
				"/mutate-sparkoperator-k8s-io-v1beta2-scheduledsparkapplication",
				rule("sparkoperator.k8s.io", "v1beta2", "scheduledsparkapplications", create, update), nil),
		},
	}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("creating the mutating webhook configuration: %w", err)
	}
	_, err = admission.ValidatingWebhookConfigurations().Create(ctx, &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: operatorWebhookName},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{
			validating("validate-sparkoperator-k8s-io-v1beta2-sparkapplication.sparkoperator.k8s.io",
				"/validate-sparkoperator-k8s-io-v1beta2-sparkapplication",
				rule("sparkoperator.k8s.io", "v1beta2", "sparkapplications", create, update)),
			validating("validate-sparkoperator-k8s-io-v1beta2-scheduledsparkapplication.sparkoperator.k8s.io",
				"/validate-sparkoperator-k8s-io-v1beta2-scheduledsparkapplication",
				rule("sparkoperator.k8s.io", "v1beta2", "scheduledsparkapplications", create, update)),
		},
	}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("creating the validating webhook configuration: %w", err)
	}
	return nil
}

func (sc *schedulingEnv) webhooksHaveCABundle(ctx context.Context) (bool, error) {
	admission := sc.client.AdmissionregistrationV1()
	m, err := admission.MutatingWebhookConfigurations().Get(ctx, operatorWebhookName, metav1.GetOptions{})
	if err != nil {
		return false, err
	}
	for _, wh := range m.Webhooks {
		if len(wh.ClientConfig.CABundle) == 0 {
			return false, nil
		}
	}
	v, err := admission.ValidatingWebhookConfigurations().Get(ctx, operatorWebhookName, metav1.GetOptions{})
	if err != nil {
		return false, err
	}
	for _, wh := range v.Webhooks {
		if len(wh.ClientConfig.CABundle) == 0 {
			return false, nil
		}
	}
	return true, nil
}

// startScheduler runs kube-scheduler with its default profile, the one ACK's
// scheduler extends: the scores that decide between a small ECS node and a
// large virtual node are the real ones.
func (sc *schedulingEnv) startScheduler(ctx context.Context) error {
	ports, err := freePorts(1)
	if err != nil {
		return err
	}
	p, err := sc.startProcess("kube-scheduler", filepath.Join(cluster.assets, "kube-scheduler"),
		"--kubeconfig", sc.kubeconfig,
		"--authentication-kubeconfig", sc.kubeconfig,
		"--authorization-kubeconfig", sc.kubeconfig,
		"--leader-elect=false",
		"--bind-address", "127.0.0.1",
		"--secure-port", strconv.Itoa(ports[0]),
	)
	if err != nil {
		return err
	}
	return p.waitHealthy(ctx, fmt.Sprintf("https://127.0.0.1:%d/healthz", ports[0]))
}

// freePorts returns n loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		// Held open until all are chosen, so the n ports differ.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// process is a binary the scheduling cluster runs, its output kept in a file.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{} // closed when it has exited
	err  error         // why it exited, once done is closed
}

func (sc *schedulingEnv) startProcess(name, binary string, args ...string) (*process, error) {
	return sc.startProcessWithEnv(name, nil, binary, args...)
}

// startProcessWithEnv starts binary with the test's environment and env
// added to it.
func (sc *schedulingEnv) startProcessWithEnv(name string, env []string, binary string, args ...string) (*process, error) {
	logPath := filepath.Join(sc.tmp, strings.ReplaceAll(name, " ", "-")+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	cmd := exec.Command(binary, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	sc.procs = append(sc.procs, p)
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// waitHealthy polls a health endpoint until it answers 200, and gives up
// early when the process exits.
func (p *process) waitHealthy(ctx context.Context, url string) error {
	client := &http.Client{
		Timeout: 5 * time.Second,
		// The endpoints serve self-signed certificates; only liveness is checked.
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
	}
	var last string
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		select {
		case <-p.done:
			return false, fmt.Errorf("%s exited: %v", p.name, p.err)
		default:
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return false, err
		}
		resp, err := client.Do(req)
		if err != nil {
			last = err.Error()
			return false, nil
		}
		resp.Body.Close()
		last = resp.Status
		return resp.StatusCode == http.StatusOK, nil
	})
	if err != nil {
		return fmt.Errorf("waiting for %s at %s (last: %s): %w\n%s", p.name, url, last, err, p.tail(20))
	}
	return nil
}

// stop asks the process to end and kills it if it has not within a while.
func (p *process) stop() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stopping %s: %w", p.name, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(10 * time.Second):
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("killing %s: %w", p.name, err)
	}
	<-p.done
	return nil
}

// tail returns the last n lines of the process's output.
func (p *process) tail(n int) string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return fmt.Sprintf("(reading %s: %v)", p.log, err)
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	return string(bytes.Join(lines[max(0, len(lines)-n):], []byte("\n")))
}

// isECS and isECI tell the kind of a node of the fixed set; "" (not
// scheduled) is neither.
func (sc *schedulingEnv) isECS(node string) bool {
	return node != "" && slices.Contains(sc.ecsNodes, node)
}
func (sc *schedulingEnv) isECI(node string) bool {
	return node != "" && slices.Contains(sc.eciNodes, node)
}
