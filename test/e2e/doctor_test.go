//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/doctor"
)

// doctorJSON runs doctor -o json and returns the statuses by check name.
func doctorJSON(t *testing.T, kubeconfig string, args ...string) (map[string]doctor.Check, int) {
	t.Helper()
	stdout, stderr, code := runPluginAs(t, kubeconfig, append([]string{"doctor", "-o", "json"}, args...)...)
	var report doctor.Report
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("doctor -o json: %v\nstdout %q\nstderr %q", err, stdout, stderr)
	}
	checks := map[string]doctor.Check{}
	for _, c := range report.Checks {
		checks[c.Name] = c
	}
	return checks, code
}

var doctorCheckNames = []string{"spark-crds", "pod-webhook", "operator", "virtual-nodes", "resourcepolicy-crd", "imagecache-crd", "pinned-caches",
	"access-place", "access-cache-report", "access-timeline", "access-status", "access-resource-policy", "access-image-cache", "access-doctor", "event-reach"}

// A cluster with nothing installed: the Spark CRDs and virtual nodes FAIL,
// the optional parts WARN, and the exit code says so.
func TestDoctorBareCluster(t *testing.T) {
	kubeconfig := bareCluster(t)
	stdout, stderr, code := runPluginAs(t, kubeconfig, "doctor", "-n", "default")
	if code != 2 || stderr != "error: 2 of 14 checks failed\n" { // a failed gate
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{
		"FAIL Spark operator CRDs the server does not serve the API group sparkoperator.k8s.io",
		"fix: install the Kubeflow Spark Operator v2",
		"FAIL ECI virtual nodes no virtual nodes",
		"fix: deploy ack-virtual-node",
		"WARN Spark pod webhook",
		"WARN ResourcePolicy CRD resource-policy needs ACK's scheduler",
		"WARN ImageCache CRD image-cache needs ECI's ImageCache",
		"fix: install or update ACK's ack-virtual-node component",
		"OK Rights for place may do all that place needs in namespace default",
		"OK Rights for image-cache may do all that image-cache needs in namespace default",
		"INFO Event reach",
		"the API server's --event-ttl, 1h by default, decides how long events live",
		"WARN Spark operator no controller Deployment labelled",
		"OK Pinned image caches no application in namespace default pins an image cache",
		"OK Rights for doctor may do all that doctor needs in namespace default",
		"8 checks OK, 4 warnings, 2 failures",
	} {
		if !strings.Contains(squash(stdout), want) {
			t.Errorf("doctor output lacks %q:\n%s", want, stdout)
		}
	}

	checks, code := doctorJSON(t, kubeconfig, "-n", "default")
	if code == 0 {
		t.Error("doctor -o json: exit 0 with failures")
	}
	for name, want := range map[string]doctor.Status{
		"spark-crds": doctor.Fail, "virtual-nodes": doctor.Fail, "pod-webhook": doctor.Warn,
		"resourcepolicy-crd": doctor.Warn, "imagecache-crd": doctor.Warn, "operator": doctor.Warn, "access-resource-policy": doctor.OK, "event-reach": doctor.Info,
		"pinned-caches": doctor.OK,
	} {
		if checks[name].Status != want {
			t.Errorf("%s: %+v, want %s", name, checks[name], want)
		}
	}
	if len(checks) != len(doctorCheckNames) {
		t.Errorf("%d checks, want %v", len(checks), doctorCheckNames)
	}
}

// The shared cluster with the operator's webhook, virtual nodes and the
// ResourcePolicy CRD: every check is OK and the exit code is 0.
func TestDoctorReadyCluster(t *testing.T) {
	ensureNodes(t)
	ensureResourcePolicyCRD(t)
	ensureImageCacheCRD(t)
	ns := newNamespace(t)
	createPodWebhook(t, ns)
	createOperatorDeployment(t, ns, "2.5.2", "PartialRestart=true")
	// The oldest event tells how far back reports reach.
	created := time.Now()
	podEvent(t, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "old", UID: "old"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}}},
		"kubelet", corev1.EventTypeNormal, "Pulled", "x", created, created, 1)

	stdout, stderr, code := runPlugin(t, "doctor", "-n", ns)
	if code != 0 || stderr != "" || strings.Contains(stdout, "WARN") || strings.Contains(stdout, "FAIL") || strings.Contains(stdout, "fix:") {
		t.Errorf("exit %d, stderr %q:\n%s", code, stderr, stdout)
	}
	for _, want := range []string{
		"OK ECI virtual nodes 1 virtual node (virtual-kubelet-cn-hangzhou-i) with label type=virtual-kubelet and taint virtual-kubelet.io/provider=alibabacloud:NoSchedule",
		"OK Spark pod webhook spark-operator-webhook-" + ns,
		"OK ImageCache CRD ImageCache served at eci.alibabacloud.com/v1",
		"OK Spark operator v2.5.2 (deployment " + ns + "/spark-operator-controller): PartialRestart on",
		"INFO Event reach 1 event in namespace " + ns + ", the oldest ",
		"OK Pinned image caches no application in namespace " + ns + " pins an image cache",
		"14 checks OK, 0 warnings, 0 failures",
	} {
		if !strings.Contains(squash(stdout), want) {
			t.Errorf("doctor output lacks %q:\n%s", want, stdout)
		}
	}

	// Looking for another provider's marks, it finds ACK's and names the flags.
	checks, code := doctorJSON(t, cluster.kubeconfig, "-n", ns, "--eci-node-label=type=vk", "--eci-taint=virtual-kubelet.io/provider=azure:NoSchedule")
	vn := checks["virtual-nodes"]
	if code != 0 || vn.Status != doctor.Warn ||
		vn.Fix != "pass --eci-node-label=type=virtual-kubelet --eci-taint=virtual-kubelet.io/provider=alibabacloud:NoSchedule to place and resource-policy" {
		t.Errorf("other marks: exit %d, %+v", code, vn)
	}
}

// A user with only part of the rights: each command's check names what it
// may not do; what the user cannot read is a warning, not a failure.
func TestDoctorUserLackingRights(t *testing.T) {
	ns := newNamespace(t)
	var role rbacv1.Role
	readRBAC(t, "role.yaml", &role)
	var rules []rbacv1.PolicyRule
	for _, rule := range role.Rules {
		rule.Verbs = slicesWithout(rule.Verbs, "patch")
		rules = append(rules, rule)
	}
	user := newUser(t, ns, "doctor-reader-"+ns, rules)

	stdout, stderr, code := runPluginAs(t, user, "doctor", "-n", ns)
	if code != 0 || stderr != "" {
		t.Errorf("exit %d, stderr %q (a warning is no failure)", code, stderr)
	}
	for _, want := range []string{
		"WARN Rights for place may not patch sparkapplications.sparkoperator.k8s.io, patch scheduledsparkapplications.sparkoperator.k8s.io, patch sparkconnects.sparkoperator.k8s.io in namespace " + ns,
		"OK Rights for cache-report may do all that cache-report needs",
		"OK Rights for status may do all that status needs",
		"WARN Rights for image-cache may not patch sparkapplications.sparkoperator.k8s.io (--place), patch scheduledsparkapplications.sparkoperator.k8s.io (--place), " +
			"patch sparkconnects.sparkoperator.k8s.io (--place) in namespace " + ns + "; may not get imagecaches.eci.alibabacloud.com (cluster-wide)",
		"WARN ECI virtual nodes could not check",
		"WARN Spark pod webhook could not check",
		"WARN Spark operator could not check",
	} {
		if !strings.Contains(squash(stdout), want) {
			t.Errorf("doctor output lacks %q:\n%s", want, stdout)
		}
	}
	checks, _ := doctorJSON(t, user, "-n", ns)
	if c := checks["access-resource-policy"]; c.Status != doctor.Warn || !strings.Contains(c.Message, "patch resourcepolicies.scheduling.alibabacloud.com") {
		t.Errorf("resource-policy rights: %+v", c)
	}
}

// squash makes every run of spaces one space, so that expectations do not
// depend on the table's column widths.
func squash(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

// createOperatorDeployment records a Spark operator controller in ns as its
// Helm chart deploys it, until the test ends.
func createOperatorDeployment(t *testing.T, ns, version, gates string) {
	t.Helper()
	d := operatorDeployment(ns, version, gates)
	if _, err := cluster.client.AppsV1().Deployments(ns).Create(t.Context(), d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cluster.client.AppsV1().Deployments(ns).Delete(context.Background(), d.Name, metav1.DeleteOptions{})
	})
}
