//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
)

// SIGINT and SIGTERM end place at once, in the middle of the write, and the
// write is not applied: the patch place sends waits in an admission webhook
// that answers late, as a busy API server would.
func TestInterruptedPlaceWritesNothing(t *testing.T) {
	for _, signal := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(signalName(signal), func(t *testing.T) {
			ns := newNamespace(t)
			createPodWebhook(t, ns)
			created := createSeedApp(t, ns, "spark-pi")
			slow := newSlowWebhook(t, ns, sparkAppGVR, admissionregistrationv1.Update, func(ctx context.Context) error {
				_, err := cluster.dyn.Resource(sparkAppGVR).Namespace(ns).Patch(ctx, "spark-pi", types.MergePatchType,
					[]byte(`{"metadata":{"labels":{"probe":"x"}}}`), metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}})
				return err
			})
			w := startKubectl(t, cluster.kubeconfig, "spark-eci", "place", "-n", ns, "spark-pi", "--executors=eci")
			slow.interruptHeld(t, w, signal, "error: interrupted by "+signalName(signal)+": place spark-pi: patch request called off")

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
		})
	}
}

// slowWebhook is a validating webhook on the writes of one operation to one
// resource, made in one namespace or, for a cluster-scoped resource, to
// objects named after it, that holds each write (but dry runs) until
// released.
type slowWebhook struct {
	held      chan struct{} // a write is being held
	calledOff chan struct{} // the API server gave up the call of a write held
	release   chan struct{}
}

// newSlowWebhook installs the webhook, and waits until the API server calls
// it: probe sends a dry run that it selects.
func newSlowWebhook(t *testing.T, ns string, gvr schema.GroupVersionResource, op admissionregistrationv1.OperationType, probe func(context.Context) error) *slowWebhook {
	t.Helper()
	h := &slowWebhook{held: make(chan struct{}, 1), calledOff: make(chan struct{}, 1), release: make(chan struct{})}
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
				h.calledOff <- struct{}{}
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
				Operations: []admissionregistrationv1.OperationType{op},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{gvr.Group}, APIVersions: []string{"*"}, Resources: []string{gvr.Resource}},
			}},
			// A namespace selector does not narrow cluster-scoped objects.
			MatchConditions: []admissionregistrationv1.MatchCondition{{
				Name:       "this-test",
				Expression: fmt.Sprintf("request.namespace == %q || request.name.startsWith(%q)", ns, ns+"-"),
			}},
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
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_ = probe(ctx)
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

// interruptHeld waits until the webhook holds the write of w, sends w the
// signal, and checks that w ends at once, interrupted by it, its one error
// the last line of stderr: want; then that the API server calls the write
// off, which it does when the client does (a write the client gave up that
// the API server went on with could still land).
func (h *slowWebhook) interruptHeld(t *testing.T, w *watchedCommand, signal syscall.Signal, want string) {
	t.Helper()
	defer close(h.release)
	select {
	case <-h.held:
	case <-w.done:
		t.Fatalf("kubectl %s ended before its write reached the webhook: exit %d\n%s%s", strings.Join(w.argv, " "), w.code, w.stdout.String(), w.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("the write of kubectl %s never reached the webhook:\n%s%s", strings.Join(w.argv, " "), w.stdout.String(), w.stderr.String())
	}
	if err := w.process.Process.Signal(signal); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.done:
	case <-time.After(3 * time.Second):
		t.Fatalf("kubectl %s did not end within 3s of %s", strings.Join(w.argv, " "), signalName(signal))
	}
	stderr := w.stderr.String()
	if w.code != 128+int(signal) || lastLine(stderr) != want || strings.Count(stderr, "error:") != 1 {
		t.Errorf("kubectl %s, sent %s while writing: exit %d, stderr %q; want %d and one error line, %q", strings.Join(w.argv, " "), signalName(signal), w.code, stderr, 128+int(signal), want)
	}
	select {
	case <-h.calledOff:
	case <-time.After(10 * time.Second):
		t.Fatalf("the API server did not call off the write of kubectl %s after it ended", strings.Join(w.argv, " "))
	}
}
