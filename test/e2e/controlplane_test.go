//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// controlPlane is a kube-apiserver and etcd that envtest started from the
// test assets, and an administrator's clients of it. The shared cluster, the
// scheduling cluster, each lifecycle cluster and a bare API server are each
// one.
type controlPlane struct {
	env        *envtest.Environment
	kubeconfig string       // the administrator's kubeconfig file
	cfg        *rest.Config // the administrator (system:masters)
	client     kubernetes.Interface
	dyn        dynamic.Interface
}

// controlPlaneSpec says what a control plane holds.
type controlPlaneSpec struct {
	assets string // the test assets: binaries, and the CRD folders
	crds   string // the folder of assets with the CRDs to install; "" for none
	dir    string // where the administrator's kubeconfig is written
	// certDir, when set, holds the API server's certificates: envtest
	// removes only the directories it made, so a restarted API server keeps
	// its certificates and port, and clients keep working.
	certDir string
}

// startControlPlane starts a control plane. When it fails half way it stops
// what did start; else the caller stops it (env.Stop).
func startControlPlane(spec controlPlaneSpec) (cp *controlPlane, err error) {
	cp = &controlPlane{env: &envtest.Environment{BinaryAssetsDirectory: spec.assets}}
	if spec.crds != "" {
		cp.env.CRDDirectoryPaths = []string{filepath.Join(spec.assets, spec.crds)}
		cp.env.ErrorIfCRDPathMissing = true
	}
	if spec.certDir != "" {
		cp.env.ControlPlane.GetAPIServer().CertDir = spec.certDir
	}
	defer func() {
		if err != nil {
			if stopErr := cp.env.Stop(); stopErr != nil {
				err = fmt.Errorf("%w (and stopping what had started: %v)", err, stopErr)
			}
			cp = nil
		}
	}()
	if _, err := cp.env.Start(); err != nil {
		return cp, fmt.Errorf("starting the control plane from %s: %w", spec.assets, err)
	}
	admin, err := cp.env.AddUser(envtest.User{Name: "e2e-admin", Groups: []string{"system:masters"}},
		&rest.Config{QPS: 1000, Burst: 2000})
	if err != nil {
		return cp, fmt.Errorf("adding the admin user: %w", err)
	}
	if cp.kubeconfig, err = writeKubeconfig(admin, filepath.Join(spec.dir, "admin.kubeconfig")); err != nil {
		return cp, err
	}
	cp.cfg = admin.Config()
	if cp.client, err = kubernetes.NewForConfig(cp.cfg); err != nil {
		return cp, err
	}
	if cp.dyn, err = dynamic.NewForConfig(cp.cfg); err != nil {
		return cp, err
	}
	return cp, nil
}

func writeKubeconfig(user *envtest.AuthenticatedUser, path string) (string, error) {
	b, err := user.KubeConfig()
	if err != nil {
		return "", fmt.Errorf("kubeconfig for %s: %w", path, err)
	}
	return path, os.WriteFile(path, b, 0o600)
}

// newNamespace creates a namespace named after the test and deletes it when
// the test ends. envtest runs no namespace controller, so deleted namespaces
// stay Terminating; their unique names keep that harmless.
func (cp *controlPlane) newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: dnsLabel(t.Name()) + "-"}}
	ns, err := cp.client.CoreV1().Namespaces().Create(t.Context(), ns, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating namespace: %v", err)
	}
	t.Cleanup(func() {
		// t.Context() is already canceled when cleanups run.
		err := cp.client.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{})
		if err != nil {
			t.Errorf("deleting namespace %s: %v", ns.Name, err)
		}
	})
	return ns.Name
}

// addUser provisions a user that holds only the given rules, through a Role
// and RoleBinding in ns (plus what RBAC grants every authenticated user, such
// as discovery), waits until the API server grants the first rule, and
// returns the path of a kubeconfig for the user. Roles are bound by user
// name: two calls with the same name share their grants.
func (cp *controlPlane) addUser(t *testing.T, ns, name string, rules []rbacv1.PolicyRule) string {
	t.Helper()
	user, err := cp.env.AddUser(envtest.User{Name: name}, nil)
	if err != nil {
		t.Fatalf("adding user %s: %v", name, err)
	}
	path, err := writeKubeconfig(user, filepath.Join(t.TempDir(), name+".kubeconfig"))
	if err != nil {
		t.Fatal(err)
	}

	rbac := cp.client.RbacV1()
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}
	if _, err := rbac.Roles(ns).Create(t.Context(), role, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating role %s/%s: %v", ns, name, err)
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
	}
	if _, err := rbac.RoleBindings(ns).Create(t.Context(), binding, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating rolebinding %s/%s: %v", ns, name, err)
	}
	if len(rules) > 0 {
		waitForGrantIn(t, cp.client, ns, name, rules[0])
	}
	return path
}
