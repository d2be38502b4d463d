//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
)

// Ctrl-C ends place at once, in the middle of the write, and the write is
// not applied: the patch place sends waits in an admission webhook that
// answers late, as a busy API server would.
func TestInterruptedPlaceWritesNothing(t *testing.T) {
	ns := newNamespace(t)
	createPodWebhook(t, ns)
	created := createSeedApp(t, ns, "spark-pi")
	slow := newSlowWebhook(t, ns)

	w := startKubectl(t, cluster.kubeconfig, "spark-eci", "place", "-n", ns, "spark-pi", "--executors=eci")
	select {
	case <-slow.held:
	case <-w.done:
		t.Fatalf("place ended before its write reached the webhook: exit %d\n%s%s", w.code, w.stdout.String(), w.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("place's write never reached the webhook:\n%s%s", w.stdout.String(), w.stderr.String())
	}
	if err := w.process.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.done:
	case <-time.After(3 * time.Second):
		t.Fatal("place did not end within 3s of Ctrl-C")
	}
	stderr := w.stderr.String()
	if w.code != 130 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "error: interrupted: ") {
		t.Errorf("interrupted place: exit %d, stderr %q; want 130 and one line", w.code, stderr)
	}

	// Let the webhook answer now: the write was called off, nothing lands.
	close(slow.release)
	holdsFor(t, 2*time.Second, func(ctx context.Context) error {
		app, err := cluster.dyn.Resource(sparkAppGVR).Namespace(ns).Get(ctx, "spark-pi", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if app.GetGeneration() != created.GetGeneration() || app.GetResourceVersion() != created.GetResourceVersion() {
			return fmt.Errorf("the interrupted place wrote the application: generation %d, was %d", app.GetGeneration(), created.GetGeneration())
		}
		return nil
	})
}

// slowWebhook is a validating webhook on the SparkApplications of one
// namespace that holds each update (but dry runs) until released.
type slowWebhook struct {
	held    chan struct{} // an update is being held
	release chan struct{}
}

func newSlowWebhook(t *testing.T, ns string) *slowWebhook {
	t.Helper()
	h := &slowWebhook{held: make(chan struct{}, 1), release: make(chan struct{})}
	probed := make(chan struct{}, 1)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var review admissionv1.AdmissionReview
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil || review.Request == nil {
			http.Error(w, "not an AdmissionReview", http.StatusBadRequest)
			return
		}
		if ptr.Deref(review.Request.DryRun, false) {
			select {
			case probed <- struct{}{}:
			default:
			}
		} else {
			select {
			case h.held <- struct{}{}:
			default:
			}
			select {
			case <-h.release:
			case <-r.Context().Done():
			case <-time.After(25 * time.Second):
			}
		}
		review.Response = &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: true}
		review.Request = nil
		_ = json.NewEncoder(w).Encode(review)
	}))
	t.Cleanup(srv.Close)

	url := srv.URL + "/validate"
	none, fail := admissionregistrationv1.SideEffectClassNone, admissionregistrationv1.Fail
	config := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "slow-" + ns},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name: "slow.spark-eci.test",
			ClientConfig: admissionregistrationv1.WebhookClientConfig{
				URL:      &url,
				CABundle: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}),
			},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Update},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{"sparkoperator.k8s.io"}, APIVersions: []string{"*"}, Resources: []string{"sparkapplications"}},
			}},
			NamespaceSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": ns}},
			SideEffects:             &none,
			FailurePolicy:           &fail,
			TimeoutSeconds:          ptr.To[int32](30),
			AdmissionReviewVersions: []string{"v1"},
		}},
	}
	webhooks := cluster.client.AdmissionregistrationV1().ValidatingWebhookConfigurations()
	if _, err := webhooks.Create(t.Context(), config, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The test's context is cancelled by the time cleanups run.
		_ = webhooks.Delete(context.Background(), config.Name, metav1.DeleteOptions{})
	})

	// The API server takes up a new webhook in a moment: dry runs tell when.
	apps := cluster.dyn.Resource(sparkAppGVR).Namespace(ns)
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, _ = apps.Patch(ctx, "spark-pi", types.MergePatchType, []byte(`{"metadata":{"labels":{"probe":"x"}}}`), metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}})
		select {
		case <-probed:
			return true, nil
		default:
			return false, nil
		}
	})
	if err != nil {
		t.Fatalf("the slow webhook was never called: %v", err)
	}
	return h
}
