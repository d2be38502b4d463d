//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// leaveOutOfWebhook narrows the operator's pod webhook, until the test
// ends, to every namespace but ns, by a namespaceSelector on the name as the
// operator's Helm chart writes one from spark.jobNamespaces (which leaves out
// every namespace it does not list).
func (sc *schedulingEnv) leaveOutOfWebhook(t *testing.T, ns string) {
	t.Helper()
	webhooks := sc.client.AdmissionregistrationV1().MutatingWebhookConfigurations()
	patch := func(ctx context.Context, selector any) error {
		cfg, err := webhooks.Get(ctx, operatorWebhookName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for i, wh := range cfg.Webhooks {
			if wh.Name != "mutate--v1-pod.sparkoperator.k8s.io" {
				continue
			}
			// A JSON patch with a test of the webhook's name: another test's
			// change in between fails it rather than being lost.
			ops, _ := json.Marshal([]map[string]any{
				{"op": "test", "path": "/webhooks/" + strconv.Itoa(i) + "/name", "value": wh.Name},
				{"op": "add", "path": "/webhooks/" + strconv.Itoa(i) + "/namespaceSelector", "value": selector},
			})
			_, err = webhooks.Patch(ctx, operatorWebhookName, types.JSONPatchType, ops, metav1.PatchOptions{})
			return err
		}
		t.Fatalf("no pod webhook in %s", operatorWebhookName)
		return nil
	}
	leftOut := map[string]any{"matchExpressions": []any{map[string]any{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": []any{ns}}}}
	if err := patch(t.Context(), leftOut); err != nil {
		t.Fatalf("narrowing the pod webhook: %v", err)
	}
	t.Cleanup(func() {
		if err := patch(context.Background(), map[string]any{}); err != nil {
			t.Errorf("widening the pod webhook again: %v", err)
		}
	})
}

// The most reported cause of a placement that did not reach the pods: the
// operator's pod webhook leaves the application's namespace out. Here with
// the real webhook and scheduler: the executors, placed on ECI, run on ECS,
// and status says so, and why.
func TestStatusTellsAPlacementTheWebhookLeftOut(t *testing.T) {
	sc := schedulingCluster(t)
	ns := sc.newNamespace(t)
	sc.leaveOutOfWebhook(t, ns)
	sc.createApp(t, ns, sparkPiManifest(t, "spark-pi", 2))
	sc.place(t, ns, "spark-pi", "--executors=eci")
	pods := sc.submitUnchanged(t, ns, "spark-pi")
	for _, p := range pods.Executors {
		if sc.isECI(p.Spec.NodeName) || len(withoutDefaultTolerations(p.Spec.Tolerations)) > 0 {
			t.Fatalf("executor %s got its placement though the webhook leaves %s out: on %q, tolerations %v", p.Name, ns, p.Spec.NodeName, p.Spec.Tolerations)
		}
	}

	stdout, _ := sc.runStatus(t, ns, "spark-pi", "-o", "json")
	s := statusJSON(t, stdout)
	if len(s.Applications) != 1 {
		t.Fatalf("status:\n%s", stdout)
	}
	a := s.Applications[0]
	leftOut := "the operator's webhook " + operatorWebhookName + "/mutate--v1-pod.sparkoperator.k8s.io leaves namespace " + ns +
		" out (its namespaceSelector kubernetes.io/metadata.name notin (" + ns + "); the chart's spark.jobNamespaces)"
	for _, p := range a.Pods {
		switch {
		case p.Role == "driver" && p.Problem != nil:
			t.Errorf("the driver, placed on ECS as its role asks, has a problem: %+v", p.Problem)
		case p.Role == "executor" && (p.Problem == nil || p.Problem.Reason != "PlacementNotApplied" ||
			!strings.HasPrefix(p.Problem.Message, "it lacks the toleration virtual-kubelet.io/provider=alibabacloud:NoSchedule") ||
			!strings.HasSuffix(p.Problem.Message, leftOut) || !strings.Contains(p.Problem.Fix, "spark.jobNamespaces")):
			t.Errorf("executor %s: problem %+v, want PlacementNotApplied ending %q", p.Name, p.Problem, leftOut)
		}
	}
	if !strings.HasPrefix(a.Verdict, "2 of 2 executors did not get their placement: PlacementNotApplied: ") {
		t.Errorf("verdict: %s", a.Verdict)
	}
}
