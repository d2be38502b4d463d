//go:build e2e

// Package e2e runs kubectl spark-eci against a real kube-apiserver and etcd
// (controller-runtime's envtest) with the Spark operator's CRDs installed and
// RBAC enforced. On the shared cluster no controller runs: nothing schedules
// pods or moves a SparkApplication through its states, so those tests set
// status themselves. The scheduling and lifecycle tests start control planes
// of their own with the real kube-scheduler and the operator's real webhooks
// and, for the lifecycle, its controller (scheduling_cluster_test.go,
// lifecycle_cluster_test.go).
//
// Run with: go test -tags e2e ./test/e2e/
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// go test runs a test binary in its package's directory, so paths into the
// repository are relative to test/e2e.
const repoRoot = "../.."

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		code = 1
	}
	os.Exit(code)
}

// run sets the cluster up, runs the tests and tears everything down again; its
// defers are why TestMain does not call os.Exit itself.
func run(m *testing.M) (code int, err error) {
	start := time.Now()
	// envtest logs its errors (such as retried starts) through
	// controller-runtime's logger, which otherwise drops them and prints a
	// stack trace about it once the run is 30 s old.
	ctrllog.SetLogger(funcr.New(func(prefix, args string) {
		fmt.Fprintln(os.Stderr, prefix, args)
	}, funcr.Options{}))

	assets, err := findAssets()
	if err != nil {
		return 0, err
	}

	tmp, err := os.MkdirTemp("", "spark-eci-e2e-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)

	certDir := filepath.Join(tmp, "apiserver")
	if err := os.Mkdir(certDir, 0o700); err != nil {
		return 0, err
	}
	cp, err := startControlPlane(controlPlaneSpec{assets: assets, crds: "crds", dir: tmp, certDir: certDir})
	if err != nil {
		return 0, err
	}
	defer func() {
		if stopErr := cp.env.Stop(); stopErr != nil && err == nil {
			err = fmt.Errorf("stopping the control plane: %w", stopErr)
		}
	}()
	disco, err := discovery.NewDiscoveryClientForConfig(cp.cfg)
	if err != nil {
		return 0, err
	}
	cluster.controlPlane = *cp
	cluster.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disco))
	cluster.assets = assets
	cluster.tmp = tmp

	if err := checkRBAC(cp.env); err != nil {
		return 0, err
	}
	fmt.Fprintf(os.Stderr, "e2e: control plane up in %s (assets %s)\n", time.Since(start).Round(time.Millisecond), assets)
	// Started by the first test that needs it, if any.
	defer func() {
		if stopErr := stopSchedulingCluster(); stopErr != nil && err == nil {
			err = stopErr
		}
	}()

	return m.Run(), nil
}

// findAssets returns the directory holding kube-apiserver and etcd, with the
// Spark operator's CRDs in its crds/ folder: $KUBEBUILDER_ASSETS, or what
// hack/testbin.sh builds.
func findAssets() (string, error) {
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	if dir == "" {
		// envtest prefers the variable to BinaryAssetsDirectory even when it is
		// empty, and would then look for the binaries in the working directory.
		os.Unsetenv("KUBEBUILDER_ASSETS")

		script := filepath.Join(repoRoot, "hack", "testbin.sh")
		var stderr bytes.Buffer
		c := exec.Command(script)
		c.Stderr = &stderr
		out, err := c.Output()
		if err != nil {
			return "", fmt.Errorf("%s: %v\n%s", script, err, stderr.Bytes())
		}
		dir = strings.TrimSpace(string(out))
		if dir == "" || strings.Contains(dir, "\n") {
			return "", fmt.Errorf("%s printed %q, want one directory", script, out)
		}
	}
	for _, name := range []string{"kube-apiserver", "etcd", "crds"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return "", fmt.Errorf("test assets incomplete (set KUBEBUILDER_ASSETS or run hack/testbin.sh): %w", err)
		}
	}
	return dir, nil
}

// checkRBAC makes sure the API server authorizes requests: with AlwaysAllow
// every permission test would pass vacuously. envtest defaults to
// --authorization-mode=RBAC; this guards against that changing.
func checkRBAC(env *envtest.Environment) error {
	nobody, err := env.AddUser(envtest.User{Name: "e2e-nobody"}, nil)
	if err != nil {
		return fmt.Errorf("adding a user without rights: %w", err)
	}
	client, err := kubernetes.NewForConfig(nobody.Config())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	switch {
	case err == nil:
		return errors.New("a user without rights may list namespaces: the API server does not enforce RBAC")
	case !apierrors.IsForbidden(err):
		return fmt.Errorf("checking RBAC: want Forbidden, got %w", err)
	}
	return nil
}
