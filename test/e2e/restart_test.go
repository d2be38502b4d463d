//go:build e2e

package e2e

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// restartAPIServer stops the kube-apiserver process and starts it again, on
// the same port, with the same certificates and the same etcd.
func restartAPIServer(t *testing.T) {
	t.Helper()
	apiServer := cluster.env.ControlPlane.GetAPIServer()
	if err := apiServer.Stop(); err != nil {
		t.Fatalf("stop the API server: %v", err)
	}
	if err := apiServer.Start(); err != nil {
		t.Fatalf("start the API server again: %v", err)
	}
	if _, err := cluster.client.CoreV1().Namespaces().List(t.Context(), metav1.ListOptions{Limit: 1}); err != nil {
		t.Fatalf("the restarted API server does not answer the admin: %v", err)
	}
}
