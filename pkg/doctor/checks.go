package doctor

import (
	"fmt"
	"slices"
	"strings"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/spark-eci/kubectl-spark-eci/pkg/imagecache"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/resourcepolicy"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
	"github.com/spark-eci/kubectl-spark-eci/pkg/why"
)

// Served maps each version of an API group the server serves to the
// resources it serves at that version; no entry means the group is not served.
type Served map[string][]string

// Serves tells whether resource is served at version.
func (s Served) Serves(version, resource string) bool {
	return slices.Contains(s[version], resource)
}

// SparkCRDs checks that the operator's kinds are served at the version the
// plugin speaks.
func SparkCRDs(served Served) Check {
	c := Check{Name: "spark-crds", Title: "Spark operator CRDs"}
	gv := sparkapp.GroupVersion
	want := []string{"sparkapplications", "scheduledsparkapplications"}
	resources, ok := served[gv.Version]
	switch {
	case len(served) == 0:
		c.Status, c.Message = Fail, fmt.Sprintf("the server does not serve the API group %s", gv.Group)
		c.Fix = "install the Kubeflow Spark Operator v2 (Helm chart spark-operator/spark-operator), which installs its CRDs"
		return c
	case !ok:
		c.Status, c.Message = Fail, fmt.Sprintf("%s is served at %s only, not %s", gv.Group, strings.Join(sortedKeys(served), ", "), gv.Version)
		c.Fix = "upgrade to the Kubeflow Spark Operator v2, whose CRDs serve " + gv.String()
		return c
	}
	var missing []string
	for _, r := range want {
		if !slices.Contains(resources, r) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		c.Status, c.Message = Fail, fmt.Sprintf("%s does not serve %s", gv, strings.Join(missing, ", "))
		c.Fix = "reinstall the CRDs of the Kubeflow Spark Operator v2 (its Helm chart's crds/)"
		return c
	}
	c.Status, c.Message = OK, fmt.Sprintf("SparkApplication and ScheduledSparkApplication served at %s", gv)
	connect := sparkapp.ConnectGroupVersion
	if !slices.Contains(served[connect.Version], "sparkconnects") {
		c.Status = Warn
		c.Message += fmt.Sprintf("; SparkConnect is not served at %s (an operator before v2.3): place, status and cache-report of sparkconnect/NAME cannot work", connect)
		c.Fix = "upgrade to the Kubeflow Spark Operator v2.3 or later, whose CRDs serve SparkConnect, if you run Spark Connect servers"
		return c
	}
	c.Message += fmt.Sprintf(", SparkConnect at %s", connect)
	return c
}

// ResourcePolicyCRD checks for ACK's ResourcePolicy, which only
// resource-policy needs.
func ResourcePolicyCRD(served Served) Check {
	c := Check{Name: "resourcepolicy-crd", Title: "ResourcePolicy CRD"}
	gv := resourcepolicy.GroupVersion
	if slices.Contains(served[gv.Version], resourcepolicy.Resource.Resource) {
		c.Status, c.Message = OK, fmt.Sprintf("ResourcePolicy served at %s", gv)
		return c
	}
	c.Status = Warn
	c.Message = fmt.Sprintf("resource-policy needs ACK's scheduler: the server does not serve %s.%s at %s",
		resourcepolicy.Resource.Resource, gv.Group, gv.Version)
	c.Fix = "use an ACK Pro cluster (its kube-scheduler brings the ResourcePolicy CRD); the other commands do not need it"
	return c
}

// Operator reports the Spark operator's controller, read from its
// Deployment (nil when none was found), and what its version and feature
// gates mean for place.
func Operator(deployments []appsv1.Deployment) Check {
	c := Check{Name: "operator", Title: "Spark operator"}
	if len(deployments) == 0 {
		c.Status = Warn
		c.Message = fmt.Sprintf("no controller Deployment labelled %s: place cannot tell the operator's version and feature gates, and assumes no PartialRestart",
			sparkapp.ControllerSelector)
		c.Fix = "install the operator with its Helm chart, or tell place its gates with --operator-feature-gates"
		return c
	}
	op := sparkapp.OperatorOfAll(deployments)
	version := op.Version
	if version == "" {
		version = "of unknown version"
	}
	c.Status = OK
	c.Message = fmt.Sprintf("%s (%s): ", version, op.From)
	switch {
	case op.PartialRestart:
		c.Message += "PartialRestart on: place changes the executors' placement of a running application without a restart; other changes restart it"
	case op.AtLeast(2, 5):
		c.Message += "PartialRestart off: every placement change restarts a running application"
	default:
		c.Message += "every placement change restarts a running application"
	}
	if op.AtLeast(2, 4) {
		c.Message += "; a suspended application stays suspended and runs with the new placement when resumed"
	}
	return c
}

// ImageCacheCRD checks for ECI's ImageCache, which only image-cache needs.
func ImageCacheCRD(served Served) Check {
	c := Check{Name: "imagecache-crd", Title: "ImageCache CRD"}
	gv := imagecache.GroupVersion
	if served.Serves(gv.Version, imagecache.Resource.Resource) {
		c.Status, c.Message = OK, fmt.Sprintf("ImageCache served at %s", gv)
		return c
	}
	c.Status = Warn
	c.Message = fmt.Sprintf("image-cache needs ECI's ImageCache: the server does not serve %s at %s", imagecache.CRDName, gv.Version)
	c.Fix = fmt.Sprintf("install or update ACK's %s component (ACK console, Add-ons), which brings the CRD; the other commands do not need it", imagecache.Component)
	return c
}

// PinnedCaches judges the image caches the Spark applications of namespace
// pin (apps, read with imagecache.PinningOf), against the caches there are
// (caches, read with imagecache.CacheOf; none are needed when nothing is
// pinned): OK when nothing is pinned, or every cache pinned is fine; WARN,
// a line and a fix per finding of imagecache.PinFindings, when a cache is
// gone, has failed, or expires within imagecache.ExpiryWarning. When the
// server does not serve ECI's ImageCache (cachesServed false), the pins
// cannot be judged: INFO, as the imagecache-crd check warns already.
func PinnedCaches(namespace string, apps []imagecache.Pinning, caches []imagecache.Cache, cachesServed bool, now time.Time) Check {
	c := Check{Name: PinnedCachesName, Title: PinnedCachesTitle}
	var pinning []imagecache.Pinning
	var ids []string
	for _, app := range apps {
		if len(app.Pins) > 0 {
			pinning = append(pinning, app)
			ids = append(ids, app.IDs()...)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	pinned := fmt.Sprintf("%s in namespace %s %s %s",
		plural(len(pinning), "application", "applications"), namespace, verb(len(pinning), "pins", "pin"), plural(len(ids), "image cache", "image caches"))
	switch {
	case len(pinning) == 0:
		c.Status, c.Message = OK, fmt.Sprintf("no application in namespace %s pins an image cache", namespace)
		return c
	case !cachesServed:
		c.Status = Info
		c.Message = fmt.Sprintf("%s (%s), not checked: the server does not serve %s (see the imagecache-crd check)",
			pinned, strings.Join(ids, ", "), imagecache.CRDName)
		return c
	}
	var lines, fixes []string
	missed := map[string]bool{}
	for _, app := range pinning {
		for _, f := range imagecache.PinFindings(app, caches, now) {
			lines = append(lines, app.Key()+": "+f.Message)
			fixes = append(fixes, app.Key()+": "+f.Fix)
			missed[f.ID] = true
		}
	}
	days := imagecache.ExpiryWarningDays
	if len(lines) == 0 {
		c.Status = OK
		c.Message = fmt.Sprintf("%s, all fine: none is gone, failed or expiring within %d days", pinned, days)
		return c
	}
	c.Status = Warn
	c.Message = fmt.Sprintf("%s, %d fine; %s gone, failed or expiring within %d days:\n%s",
		pinned, len(ids)-len(missed), plural(len(missed), "is", "are"), days, strings.Join(lines, "\n"))
	c.Fix = strings.Join(fixes, "\n")
	return c
}

// The pinned-caches check's name and title, for the command that reports
// it could not be made.
const (
	PinnedCachesName  = "pinned-caches"
	PinnedCachesTitle = "Pinned image caches"
)

// verb is one or many's form of a verb.
func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// PodWebhook checks that the operator's mutating webhook selects Spark pods:
// only it copies the tolerations and affinity place writes onto the pods.
func PodWebhook(configs []admissionregistrationv1.MutatingWebhookConfiguration, namespace string, labels labels.Set) Check {
	c := Check{Name: "pod-webhook", Title: "Spark pod webhook"}
	if config, webhook, found := sparkapp.FindPodWebhook(configs); found {
		c.Status, c.Message = OK, fmt.Sprintf("%s (webhook %s) mutates Spark pods on create", config, webhook)
		// The rule status tells a PlacementNotApplied by (package why).
		switch wh := why.WebhookOf(configs); {
		case wh.LeavesOut(labels):
			c.Status = Warn
			c.Message = wh.LeftOut(labels) + ": the tolerations, node selector and affinity of an application's spec do not reach its pods"
			c.Fix = why.LeftOutFix("NAME", namespace)
		case wh.IgnoresFailures:
			c.Message += "; its failurePolicy is Ignore: a pod created while it cannot be reached is created without them"
		}
		return c
	}
	var sparkConfigs []string
	for _, cfg := range configs {
		if strings.Contains(strings.ToLower(cfg.Name), "spark") {
			sparkConfigs = append(sparkConfigs, cfg.Name)
		}
	}
	c.Status = Warn
	c.Message = "no mutating webhook of the Spark operator selects Spark pods: tolerations and affinity in an application's spec do not reach its pods"
	if len(sparkConfigs) > 0 {
		c.Message = fmt.Sprintf("%s has no webhook that selects Spark pods on create (label %s=true): tolerations and affinity in an application's spec do not reach its pods",
			strings.Join(sparkConfigs, ", "), sparkapp.LabelLaunchedBy)
	}
	c.Fix = "enable the operator's webhook (Helm value webhook.enable=true), or run place with --via=template (Spark 3+)"
	return c
}

// VirtualNodes checks that virtual nodes exist and carry the label and taint
// that place and resource-policy assume; when they carry others, it names the
// flags that make the plugin use them.
func VirtualNodes(nodes []corev1.Node, want placement.VirtualNodes) Check {
	c := Check{Name: "virtual-nodes", Title: "ECI virtual nodes"}
	label := want.LabelKey + "=" + want.LabelValue
	taint := taintString(want.Taint)

	var labeled, untainted []corev1.Node
	for _, n := range nodes {
		if n.Labels[want.LabelKey] == want.LabelValue {
			labeled = append(labeled, n)
			if !hasTaint(n, want.Taint) {
				untainted = append(untainted, n)
			}
		}
	}
	if len(labeled) > 0 && len(untainted) == 0 {
		c.Status = OK
		c.Message = fmt.Sprintf("%s (%s) with label %s and taint %s", plural(len(labeled), "virtual node", "virtual nodes"), names(labeled), label, taint)
		return c
	}
	if len(labeled) > 0 {
		c.Status = Warn
		if other, ok := likelyTaint(untainted[0], want.Taint); ok {
			c.Message = fmt.Sprintf("%s with label %s carry the taint %s, not %s", names(untainted), label, taintString(other), taint)
			c.Fix = fmt.Sprintf("pass --eci-taint=%s to place and resource-policy", taintString(other))
			return c
		}
		c.Message = fmt.Sprintf("%s with label %s carry no taint %s: any pod may land on them", names(untainted), label, taint)
		c.Fix = fmt.Sprintf("taint them (kubectl taint node NAME %s), or pass the taint they carry with --eci-taint", taint)
		return c
	}

	var candidates []corev1.Node
	for _, n := range nodes {
		if looksVirtual(n, want) {
			candidates = append(candidates, n)
		}
	}
	if len(candidates) == 0 {
		c.Status = Fail
		c.Message = fmt.Sprintf("no virtual nodes: no node carries the label %s or the taint %s", label, taint)
		c.Fix = "deploy ack-virtual-node (ACK console, Add-ons); for another virtual-kubelet provider, pass its node label and taint with --eci-node-label and --eci-taint"
		return c
	}
	n := candidates[0]
	c.Status = Warn
	otherTaint, hasOther := likelyTaint(n, want.Taint)
	otherLabel, hasLabel := likelyLabel(n, want)
	found := "no label " + label
	if hasLabel {
		found = "label " + otherLabel
	}
	if hasOther {
		found += ", taint " + taintString(otherTaint)
	}
	c.Message = fmt.Sprintf("no node carries the label %s; %s look virtual, with %s", label, names(candidates), found)
	var flags []string
	if hasLabel {
		flags = append(flags, "--eci-node-label="+otherLabel)
	}
	if hasOther && taintString(otherTaint) != taint {
		flags = append(flags, "--eci-taint="+taintString(otherTaint))
	}
	if hasLabel {
		c.Fix = fmt.Sprintf("pass %s to place and resource-policy", strings.Join(flags, " "))
	} else {
		c.Fix = fmt.Sprintf("label them (kubectl label node %s %s), or pass a label they carry with --eci-node-label", n.Name, label)
		if len(flags) > 0 {
			c.Fix += " and " + strings.Join(flags, " ")
		}
	}
	return c
}

// EventAges is what was read of the events of a namespace: how many there
// are and when the oldest was created, or why they could not be listed.
type EventAges struct {
	Count  int
	Oldest time.Time
	Err    error
}

// EventReach tells how far back cache-report, timeline and status see in namespace:
// as far as the oldest event still there. The API server's --event-ttl,
// which sets it, cannot be read through the API; nothing here can be wrong,
// so it is information, outside the counts.
func EventReach(namespace string, ages EventAges, now time.Time) Check {
	c := Check{Name: "event-reach", Title: "Event reach", Status: Info}
	const ttl = "the API server's --event-ttl, 1h by default, decides how long events live"
	switch {
	case ages.Err != nil:
		c.Message = fmt.Sprintf("cannot list the events of namespace %s (%v); %s", namespace, ages.Err, ttl)
	case ages.Count == 0:
		c.Message = fmt.Sprintf("no events in namespace %s yet; %s", namespace, ttl)
	default:
		c.Message = fmt.Sprintf("%s in namespace %s, the oldest %s old: cache-report, timeline and status see that far back; %s",
			plural(ages.Count, "event", "events"), namespace, roughAge(now.Sub(ages.Oldest)), ttl)
	}
	return c
}

// roughAge is an age to the second under a minute, else to the minute:
// 45s, 52m, 1h5m.
func roughAge(d time.Duration) string {
	if d < time.Minute {
		return d.Round(time.Second).String()
	}
	return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
}

// NotChecked is a check that could not be made, for instance for lack of
// rights: a warning, with what would let it run.
func NotChecked(name, title string, err error, fix string) Check {
	return Check{Name: name, Title: title, Status: Warn, Message: "could not check: " + oneLine(err.Error()), Fix: fix}
}

func hasTaint(n corev1.Node, want corev1.Taint) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == want.Key && t.Value == want.Value && t.Effect == want.Effect {
			return true
		}
	}
	return false
}

// likelyTaint is the taint of n most like want: same key, else the first
// that keeps pods off (NoSchedule or NoExecute).
func likelyTaint(n corev1.Node, want corev1.Taint) (corev1.Taint, bool) {
	for _, t := range n.Spec.Taints {
		if t.Key == want.Key {
			return t, true
		}
	}
	for _, t := range n.Spec.Taints {
		if t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute {
			if !strings.HasPrefix(t.Key, "node.kubernetes.io/") {
				return t, true
			}
		}
	}
	return corev1.Taint{}, false
}

// likelyLabel is a label of n that could stand for want's: the same key with
// another value, or a value naming virtual-kubelet.
func likelyLabel(n corev1.Node, want placement.VirtualNodes) (string, bool) {
	if v, ok := n.Labels[want.LabelKey]; ok {
		return want.LabelKey + "=" + v, true
	}
	for _, k := range sortedKeys(n.Labels) {
		if strings.Contains(n.Labels[k], placement.VirtualNodeNamePrefix) {
			return k + "=" + n.Labels[k], true
		}
	}
	return "", false
}

// looksVirtual spots virtual nodes marked otherwise than expected: by the
// taint's key, or by the names virtual-kubelet gives its nodes.
func looksVirtual(n corev1.Node, want placement.VirtualNodes) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == want.Taint.Key || t.Key == placement.AlibabaCloudECI.Taint.Key {
			return true
		}
	}
	for _, v := range n.Labels {
		if strings.Contains(v, placement.VirtualNodeNamePrefix) {
			return true
		}
	}
	return placement.KindByName(n.Name) == placement.NodeECI
}

func taintString(t corev1.Taint) string {
	s := t.Key
	if t.Value != "" {
		s += "=" + t.Value
	}
	return s + ":" + string(t.Effect)
}

// names lists up to three node names.
func names(nodes []corev1.Node) string {
	var s []string
	for i, n := range nodes {
		if i == 3 {
			s = append(s, fmt.Sprintf("and %d more", len(nodes)-3))
			break
		}
		s = append(s, n.Name)
	}
	return strings.Join(s, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
