//go:build e2e

package e2e

import (
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
)

// sparkPi is a minimal SparkApplication the CRD accepts.
const sparkPi = `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: spark-pi}
spec:
  type: Scala
  mode: cluster
  image: spark:3.5.2
  mainClass: org.apache.spark.examples.SparkPi
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples_2.12-3.5.2.jar
  sparkVersion: 3.5.2
  driver: {cores: 1, memory: 512m}
  executor: {instances: 2, cores: 1, memory: 512m}
`

// TestHarness checks the harness itself: the real CRDs, status updates, RBAC,
// and the plugin binary run through kubectl.
func TestHarness(t *testing.T) {
	ns := newNamespace(t)
	createFromYAML(t, ns, strings.Replace(sparkPi, "driver: {cores: 1,", "driver: {noSuchField: x, cores: 1,", 1))

	t.Run("crd schema", func(t *testing.T) {
		app := getObject(t, sparkAppGVR, ns, "spark-pi")
		if cores, _, _ := unstructured.NestedInt64(app.Object, "spec", "driver", "cores"); cores != 1 {
			t.Errorf("spec.driver.cores = %d, want 1", cores)
		}
		// Only a structural schema prunes unknown fields.
		if _, found, _ := unstructured.NestedFieldNoCopy(app.Object, "spec", "driver", "noSuchField"); found {
			t.Errorf("spec.driver.noSuchField was not pruned: the CRD has no structural schema")
		}
	})

	t.Run("status", func(t *testing.T) {
		setAppState(t, ns, "spark-pi", "RUNNING")
		app := getObject(t, sparkAppGVR, ns, "spark-pi")
		if state, _, _ := unstructured.NestedString(app.Object, "status", "applicationState", "state"); state != "RUNNING" {
			t.Errorf("status.applicationState.state = %q, want RUNNING", state)
		}
	})

	t.Run("rbac", func(t *testing.T) {
		kubeconfig := newUser(t, ns, "reader", []rbacv1.PolicyRule{{
			APIGroups: []string{sparkAppGVR.Group},
			Resources: []string{sparkAppGVR.Resource},
			Verbs:     []string{"get"},
		}})
		apps := dynFor(t, kubeconfig).Resource(sparkAppGVR).Namespace(ns)
		if _, err := apps.Get(t.Context(), "spark-pi", metav1.GetOptions{}); err != nil {
			t.Fatalf("get as reader: %v", err)
		}
		patch := []byte(`{"metadata":{"labels":{"e2e":"patched"}}}`)
		_, err := apps.Patch(t.Context(), "spark-pi", types.MergePatchType, patch, metav1.PatchOptions{})
		if !apierrors.IsForbidden(err) {
			t.Errorf("patch as reader: got %v, want Forbidden", err)
		}
	})

	t.Run("plugin in-process", func(t *testing.T) {
		stdout, stderr, code := runPlugin(t, "version")
		if code != 0 || !strings.Contains(stdout, "kubectl spark-eci") {
			t.Errorf("version: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})

	t.Run("plugin through kubectl", func(t *testing.T) {
		stdout, stderr, code := runKubectl(t, cluster.kubeconfig, "spark-eci", "version")
		if code != 0 || !strings.Contains(stdout, "kubectl spark-eci") {
			t.Errorf("kubectl spark-eci version: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})
}
