package doctor

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/spark-eci/kubectl-spark-eci/internal/golden"
	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/imagecache"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

func TestSparkCRDs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		served Served
		status Status
		msg    string
	}{
		{"served", Served{"v1beta2": {"sparkapplications", "scheduledsparkapplications", "sparkapplications/status"}, "v1alpha1": {"sparkconnects"}}, OK,
			"SparkApplication and ScheduledSparkApplication served at sparkoperator.k8s.io/v1beta2, SparkConnect at sparkoperator.k8s.io/v1alpha1"},
		{"no SparkConnect (before v2.3)", Served{"v1beta2": {"sparkapplications", "scheduledsparkapplications"}}, Warn,
			"SparkConnect is not served at sparkoperator.k8s.io/v1alpha1 (an operator before v2.3)"},
		{"absent", nil, Fail, "does not serve the API group sparkoperator.k8s.io"},
		{"old operator", Served{"v1beta1": {"sparkapplications"}}, Fail, "served at v1beta1 only, not v1beta2"},
		{"half", Served{"v1beta2": {"sparkapplications"}}, Fail, "does not serve scheduledsparkapplications"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := SparkCRDs(tc.served)
			if c.Status != tc.status || !strings.Contains(c.Message, tc.msg) || (c.Status != OK && c.Fix == "") {
				t.Errorf("got %+v, want %s %q", c, tc.status, tc.msg)
			}
		})
	}
}

func TestResourcePolicyCRD(t *testing.T) {
	if c := ResourcePolicyCRD(Served{"v1alpha1": {"resourcepolicies"}}); c.Status != OK {
		t.Errorf("served: %+v", c)
	}
	c := ResourcePolicyCRD(nil)
	if c.Status != Warn || !strings.Contains(c.Message, "needs ACK's scheduler") || !strings.Contains(c.Message, "resourcepolicies.scheduling.alibabacloud.com") {
		t.Errorf("absent: %+v", c)
	}
}

func podWebhookConfig(name string, selector map[string]string) admissionregistrationv1.MutatingWebhookConfiguration {
	return admissionregistrationv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Webhooks: []admissionregistrationv1.MutatingWebhook{{
			Name: "mutate--v1-pod.sparkoperator.k8s.io",
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}},
			}},
			ObjectSelector: &metav1.LabelSelector{MatchLabels: selector},
		}},
	}
}

func withNamespaces(cfg admissionregistrationv1.MutatingWebhookConfiguration, names ...string) admissionregistrationv1.MutatingWebhookConfiguration {
	cfg.Webhooks[0].NamespaceSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
		{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpIn, Values: names}}}
	return cfg
}

func ignoringFailures(cfg admissionregistrationv1.MutatingWebhookConfiguration) admissionregistrationv1.MutatingWebhookConfiguration {
	ignore := admissionregistrationv1.Ignore
	cfg.Webhooks[0].FailurePolicy = &ignore
	return cfg
}

func TestPodWebhook(t *testing.T) {
	for _, tc := range []struct {
		name    string
		configs []admissionregistrationv1.MutatingWebhookConfiguration
		status  Status
		msg     string
	}{
		{"operator's", []admissionregistrationv1.MutatingWebhookConfiguration{
			podWebhookConfig("istio-sidecar-injector", map[string]string{"sidecar": "true"}),
			podWebhookConfig("spark-operator-webhook", map[string]string{"sparkoperator.k8s.io/launched-by-spark-operator": "true"}),
		}, OK, "spark-operator-webhook (webhook mutate--v1-pod.sparkoperator.k8s.io) mutates Spark pods"},
		{"none", nil, Warn, "no mutating webhook of the Spark operator selects Spark pods"},
		{"selects other pods", []admissionregistrationv1.MutatingWebhookConfiguration{
			podWebhookConfig("spark-operator-webhook", map[string]string{"team": "x"}),
		}, Warn, "spark-operator-webhook has no webhook that selects Spark pods"},
		// The chart's namespaceSelector from spark.jobNamespaces: [default].
		{"leaves this namespace out", []admissionregistrationv1.MutatingWebhookConfiguration{
			withNamespaces(podWebhookConfig("spark-operator-webhook", map[string]string{"sparkoperator.k8s.io/launched-by-spark-operator": "true"}), "default"),
		}, Warn, "the operator's webhook spark-operator-webhook/mutate--v1-pod.sparkoperator.k8s.io leaves namespace spark out (its namespaceSelector kubernetes.io/metadata.name in (default); the chart's spark.jobNamespaces): the tolerations"},
		{"selects this namespace", []admissionregistrationv1.MutatingWebhookConfiguration{
			withNamespaces(podWebhookConfig("spark-operator-webhook", map[string]string{"sparkoperator.k8s.io/launched-by-spark-operator": "true"}), "default", "spark"),
		}, OK, "mutates Spark pods on create"},
		{"lets pods through when it cannot be reached", []admissionregistrationv1.MutatingWebhookConfiguration{
			ignoringFailures(podWebhookConfig("spark-operator-webhook", map[string]string{"sparkoperator.k8s.io/launched-by-spark-operator": "true"})),
		}, OK, "; its failurePolicy is Ignore"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := PodWebhook(tc.configs, "spark", labels.Set{"kubernetes.io/metadata.name": "spark"})
			if c.Status != tc.status || !strings.Contains(c.Message, tc.msg) {
				t.Errorf("got %+v, want %s %q", c, tc.status, tc.msg)
			}
			if c.Status != OK && !strings.Contains(c.Fix, "--via=template") {
				t.Errorf("fix = %q", c.Fix)
			}
		})
	}
}

func node(name string, labels map[string]string, taints ...corev1.Taint) corev1.Node {
	return corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Spec: corev1.NodeSpec{Taints: taints}}
}

var (
	ecsNode  = node("cn-hangzhou.192.168.0.10", map[string]string{"kubernetes.io/arch": "amd64"})
	eciTaint = corev1.Taint{Key: "virtual-kubelet.io/provider", Value: "alibabacloud", Effect: corev1.TaintEffectNoSchedule}
)

func TestVirtualNodes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		nodes  []corev1.Node
		status Status
		msg    string
		fix    string
	}{
		{"ack-virtual-node", []corev1.Node{ecsNode, node("virtual-kubelet-cn-hangzhou-i", map[string]string{"type": "virtual-kubelet"}, eciTaint)},
			OK, "1 virtual node (virtual-kubelet-cn-hangzhou-i) with label type=virtual-kubelet and taint virtual-kubelet.io/provider=alibabacloud:NoSchedule", ""},
		{"none", []corev1.Node{ecsNode}, Fail, "no virtual nodes", "deploy ack-virtual-node"},
		{"no nodes at all", nil, Fail, "no virtual nodes", "--eci-node-label and --eci-taint"},
		{"other provider's taint value", []corev1.Node{node("vk-1", map[string]string{"type": "virtual-kubelet"},
			corev1.Taint{Key: "virtual-kubelet.io/provider", Value: "azure", Effect: corev1.TaintEffectNoSchedule})},
			Warn, "vk-1 with label type=virtual-kubelet carry the taint virtual-kubelet.io/provider=azure:NoSchedule", "pass --eci-taint=virtual-kubelet.io/provider=azure:NoSchedule"},
		{"labelled, not tainted", []corev1.Node{node("vk-1", map[string]string{"type": "virtual-kubelet"})},
			Warn, "carry no taint", "kubectl taint node NAME virtual-kubelet.io/provider=alibabacloud:NoSchedule"},
		{"other label value", []corev1.Node{node("vk-1", map[string]string{"type": "vk"}, eciTaint)},
			Warn, "no node carries the label type=virtual-kubelet; vk-1 look virtual, with label type=vk, taint virtual-kubelet.io/provider=alibabacloud:NoSchedule", "pass --eci-node-label=type=vk to place"},
		{"other label and taint", []corev1.Node{node("virtual-kubelet-x", map[string]string{"kubernetes.io/role": "virtual-kubelet"},
			corev1.Taint{Key: "virtual-kubelet.io/provider", Value: "acme", Effect: corev1.TaintEffectNoExecute})},
			Warn, "with label kubernetes.io/role=virtual-kubelet, taint virtual-kubelet.io/provider=acme:NoExecute",
			"pass --eci-node-label=kubernetes.io/role=virtual-kubelet --eci-taint=virtual-kubelet.io/provider=acme:NoExecute"},
		{"tainted, no label", []corev1.Node{node("vk-9", nil, eciTaint)},
			Warn, "vk-9 look virtual, with no label type=virtual-kubelet", "kubectl label node vk-9 type=virtual-kubelet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := VirtualNodes(tc.nodes, placement.AlibabaCloudECI)
			if c.Status != tc.status || !strings.Contains(c.Message, tc.msg) || !strings.Contains(c.Fix, tc.fix) {
				t.Errorf("got %+v\nwant %s %q fix %q", c, tc.status, tc.msg, tc.fix)
			}
		})
	}
}

func TestAccess(t *testing.T) {
	var place Command
	for _, c := range Commands {
		if c.Name == "place" {
			place = c
		}
	}
	all := make([]bool, len(place.Needs))
	for i := range all {
		all[i] = true
	}
	if c := Access(place, "ml", all); c.Status != OK || c.Message != "may do all that place needs in namespace ml" {
		t.Errorf("all allowed: %+v", c)
	}
	all[2] = false // patch sparkapplications
	c := Access(place, "ml", all)
	if c.Status != Warn || c.Message != "may not patch sparkapplications.sparkoperator.k8s.io in namespace ml" || c.Fix == "" {
		t.Errorf("without patch: %+v", c)
	}
	if strings.Contains(c.Fix, "ClusterRole") {
		t.Errorf("a namespaced need sends the user to a ClusterRole: %s", c.Fix)
	}

	imageCache := commandNamed(t, "image-cache")
	allowed := make([]bool, len(imageCache.Needs))
	for i, n := range imageCache.Needs {
		allowed[i] = !n.Cluster
	}
	c = Access(imageCache, "ml", allowed)
	want := "may not get imagecaches.eci.alibabacloud.com (cluster-wide), list imagecaches.eci.alibabacloud.com (cluster-wide), " +
		"watch imagecaches.eci.alibabacloud.com (cluster-wide), create imagecaches.eci.alibabacloud.com (cluster-wide), " +
		"delete imagecaches.eci.alibabacloud.com (cluster-wide, image-cache delete)"
	if c.Status != Warn || c.Message != want || !strings.Contains(c.Fix, "deploy/rbac/imagecache-clusterrole.yaml") || strings.Contains(c.Fix, "role.yaml;") {
		t.Errorf("without the ClusterRole: %+v", c)
	}
	allowed[0] = false // get sparkapplications: both kinds of rights missing
	c = Access(imageCache, "ml", allowed)
	if !strings.HasPrefix(c.Message, "may not get sparkapplications.sparkoperator.k8s.io in namespace ml; may not get imagecaches") ||
		!strings.Contains(c.Fix, "deploy/rbac/role.yaml") || !strings.Contains(c.Fix, "imagecache-clusterrole.yaml") {
		t.Errorf("without both: %+v", c)
	}
}

func TestOperator(t *testing.T) {
	deployment := func(image string, args ...string) appsv1.Deployment {
		return appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "spark-operator-controller", Namespace: "spark-operator"},
			Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{
				{Name: "controller", Image: image, Args: args},
			}}}},
		}
	}
	for _, tc := range []struct {
		deployments []appsv1.Deployment
		status      Status
		message     string
	}{
		{nil, Warn, "no controller Deployment labelled app.kubernetes.io/component=controller,app.kubernetes.io/name=spark-operator"},
		{[]appsv1.Deployment{deployment("ghcr.io/kubeflow/spark-operator/controller:2.5.2", "--feature-gates=PartialRestart=true")}, OK,
			"v2.5.2 (deployment spark-operator/spark-operator-controller): PartialRestart on: place changes the executors' placement of a running application without a restart"},
		{[]appsv1.Deployment{deployment("ghcr.io/kubeflow/spark-operator/controller:2.5.2")}, OK, "PartialRestart off: every placement change restarts"},
		{[]appsv1.Deployment{deployment("ghcr.io/kubeflow/spark-operator/controller:2.3.0")}, OK, "v2.3.0 (deployment spark-operator/spark-operator-controller): every placement change restarts a running application"},
	} {
		c := Operator(tc.deployments)
		if c.Status != tc.status || !strings.HasPrefix(c.Message, tc.message) && !strings.Contains(c.Message, tc.message) {
			t.Errorf("Operator(%d deployments) = %+v, want %s with %q", len(tc.deployments), c, tc.status, tc.message)
		}
	}
	if c := Operator([]appsv1.Deployment{deployment("ghcr.io/kubeflow/spark-operator/controller:2.4.0")}); !strings.Contains(c.Message, "stays suspended") {
		t.Errorf("v2.4.0: %s", c.Message)
	}
}

func TestImageCacheCRD(t *testing.T) {
	if c := ImageCacheCRD(Served{"v1": {"imagecaches", "imagecaches/status"}}); c.Status != OK {
		t.Errorf("served: %+v", c)
	}
	for _, served := range []Served{{}, {"v1": {"other"}}, {"v2": {"imagecaches"}}} {
		if c := ImageCacheCRD(served); c.Status != Warn || !strings.Contains(c.Fix, "ack-virtual-node") {
			t.Errorf("%v: %+v", served, c)
		}
	}
}

// Every command the doctor speaks of needs something, and names no verb twice.
func TestCommandsNeeds(t *testing.T) {
	want := []string{"place", "cache-report", "timeline", "status", "resource-policy", "image-cache", "doctor"}
	if len(Commands) != len(want) {
		t.Fatalf("%d commands", len(Commands))
	}
	for i, c := range Commands {
		if c.Name != want[i] || len(c.Needs) == 0 {
			t.Errorf("command %d: %+v", i, c)
		}
		seen := map[string]bool{}
		for _, n := range c.Needs {
			if seen[n.String()] {
				t.Errorf("%s needs %s twice", c.Name, n)
			}
			seen[n.String()] = true
		}
	}
}

func commandNamed(t *testing.T, name string) Command {
	t.Helper()
	i := slices.IndexFunc(Commands, func(c Command) bool { return c.Name == name })
	if i < 0 {
		t.Fatalf("no command %s", name)
	}
	return Commands[i]
}

// What image-cache list's PINNED BY and doctor's pinned-caches read is in
// the rights table: every Spark kind listed in the namespace, and doctor the
// image caches cluster-wide.
func TestRightsCoverPinReads(t *testing.T) {
	for _, name := range []string{"image-cache", "doctor"} {
		cmd := commandNamed(t, name)
		for _, resource := range []string{"sparkapplications", "scheduledsparkapplications", "sparkconnects"} {
			if !slices.ContainsFunc(cmd.Needs, func(n Need) bool {
				return n.Verb == "list" && n.Resource == resource && n.Group == "sparkoperator.k8s.io" && !n.Cluster
			}) {
				t.Errorf("%s: no need to list %s", name, resource)
			}
		}
	}
	if !slices.ContainsFunc(commandNamed(t, "doctor").Needs, func(n Need) bool {
		return n.Verb == "list" && n.Resource == "imagecaches" && n.Cluster
	}) {
		t.Error("doctor: no need to list image caches cluster-wide")
	}
}

// pinning is an application of namespace spark whose roles pin ids.
func pinning(kind, name string, ids ...string) imagecache.Pinning {
	p := imagecache.Pinning{Kind: kind, Namespace: "spark", Name: name}
	for i, id := range ids {
		role := sparkapp.Roles[i]
		p.Pins = append(p.Pins, imagecache.Pin{Role: role, ID: id, Annotation: eci.AnnotationImageSnapshotID, Path: sparkapp.PodAnnotationsPath(kind, role)})
	}
	return p
}

var pinTestCaches = []imagecache.Cache{
	{Name: "ready", ID: "imc-ready", Phase: "Ready"},
	{Name: "soon", ID: "imc-soon", Phase: "Ready", Expires: reportTime.Add(3 * 24 * time.Hour)},
	{Name: "later", ID: "imc-later", Phase: "Ready", Expires: reportTime.Add(8 * 24 * time.Hour)},
	{Name: "broken", ID: "imc-broken", Phase: "Failed", Message: "Failed to pull image \"x:1\""},
}

func TestPinnedCaches(t *testing.T) {
	app, connect, scheduled := sparkapp.KindSparkApplication, sparkapp.KindSparkConnect, sparkapp.KindScheduledSparkApplication
	for _, tc := range []struct {
		name   string
		apps   []imagecache.Pinning
		served bool
		status Status
		lines  []string // the message's lines, each a prefix of the line
		fixes  []string // the fix's lines, each contained in the line
	}{
		{"nothing pinned", []imagecache.Pinning{pinning(app, "etl")}, true, OK,
			[]string{"no application in namespace spark pins an image cache"}, nil},
		{"nothing at all, nothing served", nil, false, OK,
			[]string{"no application in namespace spark pins an image cache"}, nil},
		{"all fine", []imagecache.Pinning{pinning(app, "etl", "imc-ready", "imc-later"), pinning(connect, "sc", "imc-ready"), pinning(app, "none")}, true, OK,
			[]string{"2 applications in namespace spark pin 2 image caches, all fine: none is gone, failed or expiring within 7 days"}, nil},
		{"one application, one cache", []imagecache.Pinning{pinning(app, "etl", "imc-ready")}, true, OK,
			[]string{"1 application in namespace spark pins 1 image cache, all fine"}, nil},
		{"gone, failed, expiring; two apps on one cache", []imagecache.Pinning{
			pinning(app, "etl", "imc-ready", "imc-gone"),
			pinning(connect, "sc", "imc-broken"),
			pinning(scheduled, "nightly", "imc-soon", "imc-broken"),
			pinning(app, "fine", "imc-later"),
		}, true, Warn, []string{
			"4 applications in namespace spark pin 5 image caches, 2 fine; 3 are gone, failed or expiring within 7 days:",
			"spark/etl: executor pins image cache imc-gone, which no ImageCache has",
			"spark/sparkconnect/sc: server pins image cache imc-broken (broken), which failed (Failed: Failed to pull image \"x:1\")",
			"spark/scheduledsparkapplication/nightly: driver pins image cache imc-soon (soon), which expires at 2026-12-05T10:00:00Z, in 3 days",
			"spark/scheduledsparkapplication/nightly: executor pins image cache imc-broken (broken), which failed",
		}, []string{
			"spark/etl: make a cache and pin it: kubectl spark-eci image-cache create -n spark sparkapplication/etl --place",
			"spark/sparkconnect/sc: delete it and make another: kubectl spark-eci image-cache delete broken, then kubectl spark-eci image-cache create -n spark sparkconnect/sc --place",
			"spark/scheduledsparkapplication/nightly: make another before then: kubectl spark-eci image-cache create -n spark scheduledsparkapplication/nightly --name=NEW-NAME --place",
			"spark/scheduledsparkapplication/nightly: delete it and make another: kubectl spark-eci image-cache delete broken",
		}},
		{"pinned, the CRD not served", []imagecache.Pinning{pinning(app, "etl", "imc-b", "imc-a")}, false, Info,
			[]string{"1 application in namespace spark pins 2 image caches (imc-a, imc-b), not checked: the server does not serve imagecaches.eci.alibabacloud.com (see the imagecache-crd check)"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := PinnedCaches("spark", tc.apps, pinTestCaches, tc.served, reportTime)
			if c.Name != "pinned-caches" || c.Title != "Pinned image caches" || c.Status != tc.status {
				t.Fatalf("got %+v, want %s", c, tc.status)
			}
			lines := strings.Split(c.Message, "\n")
			if len(lines) != len(tc.lines) {
				t.Fatalf("message %q, want %d lines", c.Message, len(tc.lines))
			}
			for i, want := range tc.lines {
				if !strings.HasPrefix(lines[i], want) {
					t.Errorf("line %d: %q, want it to start %q", i, lines[i], want)
				}
			}
			var fixes []string
			if c.Fix != "" {
				fixes = strings.Split(c.Fix, "\n")
			}
			if len(fixes) != len(tc.fixes) {
				t.Fatalf("fix %q, want %d lines", c.Fix, len(tc.fixes))
			}
			for i, want := range tc.fixes {
				if !strings.HasPrefix(fixes[i], want) || !strings.Contains(fixes[i], "--image-cache=auto") {
					t.Errorf("fix %d: %q, want it to start %q and name --image-cache=auto", i, fixes[i], want)
				}
			}
		})
	}
}

// The findings of pinned-caches are imagecache.PinFindings', one line each,
// in the order of the applications: the rule is written once.
func TestPinnedCachesSaysWhatPinFindingsFinds(t *testing.T) {
	apps := []imagecache.Pinning{pinning(sparkapp.KindSparkApplication, "a", "imc-gone"), pinning(sparkapp.KindSparkApplication, "b", "imc-soon", "imc-later")}
	var want []string
	for _, app := range apps {
		for _, f := range imagecache.PinFindings(app, pinTestCaches, reportTime) {
			want = append(want, app.Key()+": "+f.Message)
		}
	}
	c := PinnedCaches("spark", apps, pinTestCaches, true, reportTime)
	if got := strings.Split(c.Message, "\n")[1:]; !slices.Equal(got, want) || len(want) != 2 {
		t.Errorf("lines %q, want %q", got, want)
	}
}

func sampleReport() Report {
	return NewReport("spark", []Check{
		SparkCRDs(Served{"v1beta2": {"sparkapplications", "scheduledsparkapplications"}, "v1alpha1": {"sparkconnects"}}),
		PodWebhook(nil, "spark", nil),
		VirtualNodes([]corev1.Node{ecsNode}, placement.AlibabaCloudECI),
		ResourcePolicyCRD(Served{"v1alpha1": {"resourcepolicies"}}),
		PinnedCaches("spark", []imagecache.Pinning{
			pinning(sparkapp.KindSparkApplication, "etl", "imc-ready", "imc-gone"),
			pinning(sparkapp.KindSparkConnect, "sc", "imc-soon"),
		}, pinTestCaches, true, reportTime),
		NotChecked("access-status", "Rights for status", errors.New("selfsubjectaccessreviews is forbidden"), "ask for create on selfsubjectaccessreviews"),
		EventReach("spark", EventAges{Count: 1234, Oldest: reportTime.Add(-52 * time.Minute)}, reportTime),
	})
}

var reportTime = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

func TestReportTable(t *testing.T) {
	r := sampleReport()
	if !r.Failed() || r.Summary != (Summary{OK: 2, Warn: 3, Fail: 1}) {
		t.Errorf("summary = %+v", r.Summary)
	}
	var b bytes.Buffer
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "report.txt", b.String())
}

// Event reach is told, never judged: INFO, with no fix, outside the counts.
func TestEventReach(t *testing.T) {
	for _, tc := range []struct {
		ages EventAges
		want string
	}{
		{EventAges{Count: 3, Oldest: reportTime.Add(-90 * time.Second)}, "3 events in namespace spark, the oldest 2m old: cache-report, timeline and status see that far back"},
		{EventAges{}, "no events in namespace spark yet"},
		{EventAges{Err: errors.New("events is forbidden")}, "cannot list the events of namespace spark (events is forbidden)"},
	} {
		c := EventReach("spark", tc.ages, reportTime)
		if c.Status != Info || c.Fix != "" || !strings.HasPrefix(c.Message, tc.want) || !strings.Contains(c.Message, "--event-ttl, 1h by default") {
			t.Errorf("%+v: got %+v, want INFO %q", tc.ages, c, tc.want)
		}
		if s := NewReport("spark", []Check{c}).Summary; s != (Summary{}) {
			t.Errorf("INFO counted: %+v", s)
		}
	}
}

func TestReportJSON(t *testing.T) {
	b, err := json.MarshalIndent(sampleReport(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "report.json", string(b)+"\n")
	empty, err := json.Marshal(NewReport("x", nil))
	if err != nil || !strings.Contains(string(empty), `"checks":[]`) {
		t.Errorf("empty report: %v %s", err, empty)
	}
}
