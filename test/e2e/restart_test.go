//go:build e2e

package e2e

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
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

// compactEtcd compacts etcd's history up to its current revision, through
// etcd's JSON gateway: a watch from a version older than that (once the
// restarted API server's cache no longer holds it) gets 410 Gone.
func compactEtcd(t *testing.T) {
	t.Helper()
	etcd := cluster.env.ControlPlane.Etcd.URL
	post := func(path, body string) map[string]interface{} {
		t.Helper()
		resp, err := http.Post(etcd.String()+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatalf("etcd %s: %v", path, err)
		}
		defer resp.Body.Close()
		var out map[string]interface{}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("etcd %s: %s, %v", path, resp.Status, err)
		}
		return out
	}
	// Any key will do: the answer's header carries the revision.
	revision := post("/v3/kv/range", `{"key":"`+base64.StdEncoding.EncodeToString([]byte("/"))+`"}`)["header"].(map[string]interface{})["revision"].(string)
	post("/v3/kv/compaction", `{"revision":"`+revision+`","physical":true}`)
}
