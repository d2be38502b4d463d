//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/test/sparksubmit"
)

// What spark-submit does in the Spark operator's place: it creates the driver
// pod, and the driver creates its executors. Only what spark-submit itself
// writes is set here (names, labels, annotations, resources, the owner of the
// executors); affinity, tolerations and the driver's owner come from the
// operator's real webhook, and nodes from the real scheduler.

// sparkPods are the pods of one submission of a SparkApplication, each read
// back once the scheduler has decided about it: bound to a node, or marked
// unschedulable (see scheduled).
type sparkPods struct {
	Driver    *corev1.Pod
	Executors []*corev1.Pod
}

func (p sparkPods) all() []*corev1.Pod {
	return append([]*corev1.Pod{p.Driver}, p.Executors...)
}

// createApp creates the SparkApplication of manifest in ns (through the
// operator's webhooks, as kubectl apply would) and returns it as stored.
func (sc *schedulingEnv) createApp(t *testing.T, ns, manifest string) *unstructured.Unstructured {
	t.Helper()
	app := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(manifest), &app.Object); err != nil {
		t.Fatalf("parsing manifest: %v\n%s", err, manifest)
	}
	app.SetNamespace(ns)
	created, err := sc.dyn.Resource(sparkAppGVR).Namespace(ns).Create(t.Context(), app, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating SparkApplication %s/%s: %v", ns, app.GetName(), err)
	}
	return created
}

// submitPods creates the driver pod of SparkApplication app as spark-submit
// does, waits for the scheduler to place it (the driver asks for executors
// only once it runs), then creates spec.executor.instances executor pods and
// waits for the scheduler again. The pods are deleted when the test ends.
func (sc *schedulingEnv) submitPods(t *testing.T, ns, app string) sparkPods {
	t.Helper()
	return sc.submit(t, ns, app, true)
}

// submitUnchanged is submitPods in a namespace the operator's pod webhook
// leaves out: it waits until the webhook no longer changes the pods.
func (sc *schedulingEnv) submitUnchanged(t *testing.T, ns, app string) sparkPods {
	t.Helper()
	return sc.submit(t, ns, app, false)
}

func (sc *schedulingEnv) submit(t *testing.T, ns, app string, mutated bool) sparkPods {
	t.Helper()
	obj, err := sc.dyn.Resource(sparkAppGVR).Namespace(ns).Get(t.Context(), app, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("getting SparkApplication %s/%s: %v", ns, app, err)
	}
	sub, err := newSubmission(obj)
	if err != nil {
		t.Fatalf("SparkApplication %s/%s: %v", ns, app, err)
	}

	driver := sub.driverPod()
	executor0 := sub.executorPod(1, nil)
	if mutated {
		sc.waitForWebhook(t, obj, driver, executor0)
	} else {
		sc.waitForNoWebhook(t, driver, executor0)
	}

	pods := sc.client.CoreV1().Pods(ns)
	var created []string
	t.Cleanup(func() {
		// With no kubelet to confirm a graceful deletion, only grace 0 removes
		// a bound pod, and with it the resources it holds on its node.
		for _, name := range created {
			err := pods.Delete(context.Background(), name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
			if err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("deleting pod %s/%s: %v", ns, name, err)
			}
		}
	})
	create := func(pod *corev1.Pod) *corev1.Pod {
		t.Helper()
		got, err := pods.Create(t.Context(), pod, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("creating pod %s/%s as spark-submit would: %v", ns, pod.Name, err)
		}
		created = append(created, got.Name)
		return got
	}

	result := sparkPods{Driver: create(driver)}
	result.Driver = sc.scheduled(t, result.Driver)[0]
	var executors []*corev1.Pod
	for i := 1; i <= sub.instances; i++ {
		executors = append(executors, create(sub.executorPod(i, result.Driver)))
	}
	result.Executors = sc.scheduled(t, executors...)
	return result
}

// scheduled waits until the scheduler has bound each pod or marked it
// unschedulable, and returns them as they are then.
func (sc *schedulingEnv) scheduled(t *testing.T, pods ...*corev1.Pod) []*corev1.Pod {
	t.Helper()
	out := make([]*corev1.Pod, len(pods))
	var pending string
	// Generous: the scheduler shares two cores with everything else.
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, 2*time.Minute, true,
		func(ctx context.Context) (bool, error) {
			for i, p := range pods {
				if out[i] != nil && decided(out[i]) {
					continue
				}
				got, err := sc.client.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
				if err != nil {
					return false, err
				}
				out[i] = got
				if !decided(got) {
					pending = got.Name
					return false, nil
				}
			}
			return true, nil
		})
	if err != nil {
		t.Fatalf("waiting for the scheduler to place pod %s: %v", pending, err)
	}
	return out
}

// decided tells whether the scheduler has bound pod, or tried and found no
// node for it.
func decided(pod *corev1.Pod) bool {
	if pod.Spec.NodeName != "" {
		return true
	}
	c := podScheduledCondition(pod)
	return c != nil && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable
}

func podScheduledCondition(pod *corev1.Pod) *corev1.PodCondition {
	for i, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}

// waitForWebhook waits until the webhook mutates pods with the application's
// current spec. It reads applications from an informer, so right after a
// place it may still hold the old spec (or, right after a create, none and
// deny the pod); spark-submit never races it like this because the operator
// submits from that same informer. Server-side dry runs of the pods show what
// the webhook would do, with nothing stored.
func (sc *schedulingEnv) waitForWebhook(t *testing.T, app *unstructured.Unstructured, pods ...*corev1.Pod) {
	t.Helper()
	sc.waitForAdmission(t, "to mutate pods with the current spec of "+app.GetNamespace()+"/"+app.GetName(), pods,
		func(pod, got *corev1.Pod) (string, error) {
			role := got.Labels["spark-role"]
			want, err := roleScheduling(app, role)
			if err != nil {
				return "", err
			}
			if !apiequality.Semantic.DeepEqual(got.Spec.Affinity, want.Affinity) ||
				!apiequality.Semantic.DeepEqual(withoutDefaultTolerations(got.Spec.Tolerations), want.Tolerations) {
				return fmt.Sprintf("the %s pod got affinity %v and tolerations %v, the spec has %v and %v",
					role, got.Spec.Affinity, got.Spec.Tolerations, want.Affinity, want.Tolerations), nil
			}
			return "", nil
		})
}

// waitForNoWebhook waits until the API server no longer sends pods to the
// operator's webhook (its configuration changed): a dry run creates them
// as they are.
func (sc *schedulingEnv) waitForNoWebhook(t *testing.T, pods ...*corev1.Pod) {
	t.Helper()
	sc.waitForAdmission(t, "to leave the pods of "+pods[0].Namespace+" alone", pods,
		func(pod, got *corev1.Pod) (string, error) {
			if got.Spec.Affinity != nil || len(withoutDefaultTolerations(got.Spec.Tolerations)) != len(withoutDefaultTolerations(pod.Spec.Tolerations)) {
				return fmt.Sprintf("pod %s still got affinity %v and tolerations %v", pod.Name, got.Spec.Affinity, got.Spec.Tolerations), nil
			}
			return "", nil
		})
}

// waitForAdmission dry-runs the creation of pods until check finds each as
// admitted what it wants ("", or what it found instead).
func (sc *schedulingEnv) waitForAdmission(t *testing.T, what string, pods []*corev1.Pod, check func(pod, got *corev1.Pod) (string, error)) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, time.Minute, true,
		func(ctx context.Context) (bool, error) {
			for _, pod := range pods {
				got, err := sc.client.CoreV1().Pods(pod.Namespace).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
				if err != nil {
					last = err.Error()
					return false, nil
				}
				if last, err = check(pod, got); last != "" || err != nil {
					return false, err
				}
			}
			return true, nil
		})
	if err != nil {
		t.Fatalf("waiting for the operator's webhook %s: %v (last: %s)", what, err, last)
	}
}

// roleScheduling reads the affinity and tolerations of a role of app, typed.
func roleScheduling(app *unstructured.Unstructured, role string) (corev1.PodSpec, error) {
	var spec corev1.PodSpec
	roleSpec, _, _ := unstructured.NestedMap(app.Object, "spec", role)
	if a, ok := roleSpec["affinity"].(map[string]interface{}); ok {
		spec.Affinity = &corev1.Affinity{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(a, spec.Affinity); err != nil {
			return spec, fmt.Errorf("spec.%s.affinity: %w", role, err)
		}
	}
	if tols, ok := roleSpec["tolerations"].([]interface{}); ok {
		for i, tol := range tols {
			m, _ := tol.(map[string]interface{})
			var typed corev1.Toleration
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &typed); err != nil {
				return spec, fmt.Errorf("spec.%s.tolerations[%d]: %w", role, i, err)
			}
			spec.Tolerations = append(spec.Tolerations, typed)
		}
	}
	return spec, nil
}

// withoutDefaultTolerations drops what the API server's
// DefaultTolerationSeconds admission adds to every pod.
func withoutDefaultTolerations(tols []corev1.Toleration) []corev1.Toleration {
	var out []corev1.Toleration
	for _, tol := range tols {
		if tol.Effect == corev1.TaintEffectNoExecute && tol.TolerationSeconds != nil &&
			(tol.Key == corev1.TaintNodeNotReady || tol.Key == corev1.TaintNodeUnreachable) {
			continue
		}
		out = append(out, tol)
	}
	return out
}

// submission is one spark-submit of an application: what it reads from the
// SparkApplication (the operator turns the spec into spark-submit options)
// and the identifiers it makes up.
type submission struct {
	namespace, app, sparkVersion, image string
	submissionID, appID, execPrefix     string
	driver, executor                    podRole
	instances                           int
}

// podRole is what spark-submit puts on the pods of one role.
type podRole struct {
	labels, annotations map[string]string
	cpuRequest          resource.Quantity
	cpuLimit            *resource.Quantity
	memory              resource.Quantity // request and limit: heap plus overhead
	serviceAccount      string
	image               string
}

func newSubmission(app *unstructured.Unstructured) (*submission, error) {
	spec, _, _ := unstructured.NestedMap(app.Object, "spec")
	s := &submission{
		namespace:    app.GetNamespace(),
		app:          app.GetName(),
		sparkVersion: stringAt(spec, "sparkVersion"),
		image:        stringAt(spec, "image"),
		submissionID: string(uuid.NewUUID()),
		appID:        "spark-" + randomHex(16),
		// Spark names executors after the application and a random id.
		execPrefix: app.GetName() + "-" + randomHex(8),
		instances:  1,
	}
	if n, ok, _ := unstructured.NestedInt64(spec, "executor", "instances"); ok {
		s.instances = int(n)
	}
	// Spark's default overhead is 10% of the heap for the JVM, 40% for
	// Python and R, at least 384 MiB.
	factor := 0.1
	if t := stringAt(spec, "type"); t == "Python" || t == "R" {
		factor = 0.4
	}
	if f := stringAt(spec, "memoryOverheadFactor"); f != "" {
		var err error
		if factor, err = strconv.ParseFloat(f, 64); err != nil {
			return nil, fmt.Errorf("spec.memoryOverheadFactor: %w", err)
		}
	}
	var err error
	if s.driver, err = newRole(spec, "driver", factor); err != nil {
		return nil, err
	}
	if s.executor, err = newRole(spec, "executor", factor); err != nil {
		return nil, err
	}
	return s, nil
}

func newRole(spec map[string]interface{}, name string, overheadFactor float64) (podRole, error) {
	roleSpec, _, _ := unstructured.NestedMap(spec, name)
	r := podRole{
		labels:         stringMap(roleSpec, "labels"),
		annotations:    stringMap(roleSpec, "annotations"),
		serviceAccount: stringAt(roleSpec, "serviceAccount"),
		image:          stringAt(roleSpec, "image"),
	}
	cores := int64(1)
	if n, ok, _ := unstructured.NestedInt64(roleSpec, "cores"); ok {
		cores = n
	}
	r.cpuRequest = *resource.NewQuantity(cores, resource.DecimalSI)
	if q := stringAt(roleSpec, "coreRequest"); q != "" {
		parsed, err := resource.ParseQuantity(q)
		if err != nil {
			return r, fmt.Errorf("spec.%s.coreRequest: %w", name, err)
		}
		r.cpuRequest = parsed
	}
	if q := stringAt(roleSpec, "coreLimit"); q != "" {
		parsed, err := resource.ParseQuantity(q)
		if err != nil {
			return r, fmt.Errorf("spec.%s.coreLimit: %w", name, err)
		}
		r.cpuLimit = &parsed
	}

	heap := int64(1024) // Spark's default for both roles: 1g
	if m := stringAt(roleSpec, "memory"); m != "" {
		var err error
		if heap, err = sparksubmit.JVMMiB(m); err != nil {
			return r, fmt.Errorf("spec.%s.memory: %w", name, err)
		}
	}
	overhead := max(int64(overheadFactor*float64(heap)), 384)
	if m := stringAt(roleSpec, "memoryOverhead"); m != "" {
		var err error
		if overhead, err = sparksubmit.JVMMiB(m); err != nil {
			return r, fmt.Errorf("spec.%s.memoryOverhead: %w", name, err)
		}
	}
	r.memory = *resource.NewQuantity((heap+overhead)<<20, resource.BinarySI)
	return r, nil
}

func (s *submission) driverPod() *corev1.Pod {
	labels := s.labels(s.driver, "driver")
	return s.pod(s.app+"-driver", "spark-kubernetes-driver", s.driver, labels,
		[]string{"driver", "--properties-file", "/opt/spark/conf/spark.properties", "spark-internal"})
}

// executorPod is executor id of the submission. Spark makes the driver pod
// the controller of its executors, so that they go when it goes.
func (s *submission) executorPod(id int, driver *corev1.Pod) *corev1.Pod {
	labels := s.labels(s.executor, "executor")
	labels["spark-exec-id"] = strconv.Itoa(id)
	labels["spark-exec-resourceprofile-id"] = "0"
	pod := s.pod(fmt.Sprintf("%s-exec-%d", s.execPrefix, id), "spark-kubernetes-executor", s.executor, labels,
		[]string{"executor"})
	if driver != nil {
		pod.OwnerReferences = []metav1.OwnerReference{{
			APIVersion: "v1", Kind: "Pod", Name: driver.Name, UID: driver.UID, Controller: ptr.To(true),
		}}
	}
	return pod
}

// labels are the role's labels from the spec, then the operator's (through
// spark.kubernetes.*.label.*), then Spark's own, each winning over the one
// before.
func (s *submission) labels(r podRole, sparkRole string) map[string]string {
	labels := map[string]string{}
	for k, v := range r.labels {
		labels[k] = v
	}
	for k, v := range map[string]string{
		"sparkoperator.k8s.io/app-name":                   s.app,
		"sparkoperator.k8s.io/launched-by-spark-operator": "true",
		"sparkoperator.k8s.io/submission-id":              s.submissionID,
		"spark-app-selector":                              s.appID,
		"spark-app-name":                                  s.app,
		"spark-role":                                      sparkRole,
		"spark-version":                                   s.sparkVersion,
	} {
		labels[k] = v
	}
	return labels
}

func (s *submission) pod(name, container string, r podRole, labels map[string]string, args []string) *corev1.Pod {
	image := s.image
	if r.image != "" {
		image = r.image
	}
	resources := corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: r.cpuRequest, corev1.ResourceMemory: r.memory},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: r.memory},
	}
	if r.cpuLimit != nil {
		resources.Limits[corev1.ResourceCPU] = *r.cpuLimit
	}
	var annotations map[string]string
	if len(r.annotations) > 0 {
		annotations = map[string]string{}
		for k, v := range r.annotations {
			annotations[k] = v
		}
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: s.namespace, Labels: labels, Annotations: annotations},
		Spec: corev1.PodSpec{
			RestartPolicy:      corev1.RestartPolicyNever,
			ServiceAccountName: r.serviceAccount,
			Containers: []corev1.Container{{
				Name: container, Image: image, ImagePullPolicy: corev1.PullIfNotPresent,
				Args: args, Resources: resources,
			}},
		},
	}
}

func stringAt(m map[string]interface{}, key string) string {
	s, _ := m[key].(string)
	return s
}

func stringMap(m map[string]interface{}, key string) map[string]string {
	out := map[string]string{}
	in, _ := m[key].(map[string]interface{})
	for k, v := range in {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

func randomHex(bytes int) string {
	b := make([]byte, bytes)
	rand.Read(b) // never fails
	return hex.EncodeToString(b)
}
