// Package resourcepolicy builds the ACK ResourcePolicy
// (scheduling.alibabacloud.com/v1alpha1) that spreads the pods of a Spark
// application over scheduling units in priority order: ECS nodes first, say,
// then ECI. It knows nothing of clients or flags.
package resourcepolicy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// GroupVersion, Kind and Resource of ACK's ResourcePolicy. The kube-scheduler
// of ACK reads it; the CRD comes with ACK Pro clusters.
var (
	GroupVersion = schema.GroupVersion{Group: "scheduling.alibabacloud.com", Version: "v1alpha1"}
	Resource     = GroupVersion.WithResource("resourcepolicies")
)

// Kind is the ResourcePolicy kind.
const Kind = "ResourcePolicy"

// GroupKind of the ResourcePolicy.
var GroupKind = schema.GroupKind{Group: GroupVersion.Group, Kind: Kind}

// Resource kinds a unit can name, as ACK documents them.
var ResourceKinds = []string{"ecs", "eci", "elastic", "acs"}

// Preemption policies.
const (
	AfterAllUnits  = "AfterAllUnits"
	BeforeNextUnit = "BeforeNextUnit"
)

// TryNextPolicies are the values of whenTryNextUnits.policy, in the CRD's
// spelling.
var TryNextPolicies = []string{"LackResourceOrExceedMax", "ExceedMax", "TimeoutOrExceedMax", "LackResourceAndNoterminating", "Timeout"}

// Defaults are the values of the guide's example, which the plugin writes
// unless told otherwise.
const (
	DefaultPreemptPolicy        = AfterAllUnits
	DefaultIgnorePreviousPod    = true
	DefaultIgnoreTerminatingPod = false
)

// MatchLabelKeys groups the pods by submission: the units' max counts the pods
// of one run of the application, not of every run together.
var MatchLabelKeys = []string{sparkapp.LabelSubmission}

// Unit is one scheduling unit: up to Max pods on nodes of this kind.
type Unit struct {
	Resource string
	// Max caps the pods of the unit; nil leaves the unit unbounded.
	Max *int64
	// NodeSelector narrows the unit to nodes with these labels.
	NodeSelector map[string]string
}

func (u Unit) String() string {
	s := u.Resource
	if u.Max != nil || len(u.NodeSelector) > 0 {
		s += ":"
		if u.Max != nil {
			s += strconv.FormatInt(*u.Max, 10)
		}
	}
	if len(u.NodeSelector) > 0 {
		keys := make([]string, 0, len(u.NodeSelector))
		for k := range u.NodeSelector {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		pairs := make([]string, len(keys))
		for i, k := range keys {
			pairs[i] = k + "=" + u.NodeSelector[k]
		}
		s += ":" + strings.Join(pairs, ",")
	}
	return s
}

// ParseUnit reads RESOURCE[:MAX[:KEY=VALUE[,KEY=VALUE...]]], as in
// "ecs:2:kubernetes.io/arch=amd64" or "eci:3". An empty MAX leaves the unit
// unbounded ("ecs::pool=a").
func ParseUnit(s string) (Unit, error) {
	parts := strings.SplitN(s, ":", 3)
	u := Unit{Resource: parts[0]}
	if !slices.Contains(ResourceKinds, u.Resource) {
		return u, fmt.Errorf("unknown resource kind %q: want one of %s", u.Resource, strings.Join(ResourceKinds, ", "))
	}
	if len(parts) > 1 && parts[1] != "" {
		max, err := ParseMax(parts[1])
		if err != nil {
			return u, err
		}
		u.Max = &max
	}
	if len(parts) > 2 {
		sel, err := parseNodeSelector(parts[2])
		if err != nil {
			return u, err
		}
		u.NodeSelector = sel
	}
	return u, nil
}

// ParseMax reads the pod cap of a unit: a whole number, 0 or more.
func ParseMax(s string) (int64, error) {
	max, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("max %q is not a whole number", s)
	}
	if max < 0 {
		return 0, fmt.Errorf("max %d is negative: want 0 or more pods", max)
	}
	return max, nil
}

func parseNodeSelector(s string) (map[string]string, error) {
	sel := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		key, value, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, fmt.Errorf("node selector %q: want KEY=VALUE", pair)
		}
		if errs := validation.IsQualifiedName(key); len(errs) > 0 {
			return nil, fmt.Errorf("node selector %q: key: %s", pair, errs[0])
		}
		if errs := validation.IsValidLabelValue(value); len(errs) > 0 {
			return nil, fmt.Errorf("node selector %q: value: %s", pair, errs[0])
		}
		if _, dup := sel[key]; dup {
			return nil, fmt.Errorf("node selector: key %q given twice", key)
		}
		sel[key] = value
	}
	return sel, nil
}

// TryNext is whenTryNextUnits: when a pod may go on to the next unit.
type TryNext struct {
	Policy string
	// Timeout is how long a pod waits for its unit under TimeoutOrExceedMax
	// or Timeout; 0 leaves the scheduler's default (15 minutes).
	Timeout time.Duration
}

// ParseTryNext reads a whenTryNextUnits policy (any case) and its timeout
// ("" for none).
func ParseTryNext(policy, timeout string) (*TryNext, error) {
	if policy == "" {
		if timeout != "" {
			return nil, fmt.Errorf("a timeout needs a policy that waits: TimeoutOrExceedMax or Timeout")
		}
		return nil, nil
	}
	t := &TryNext{}
	for _, p := range TryNextPolicies {
		if strings.EqualFold(p, policy) {
			t.Policy = p
		}
	}
	if t.Policy == "" {
		return nil, fmt.Errorf("unknown policy %q: want one of %s", policy, strings.Join(TryNextPolicies, ", "))
	}
	if timeout != "" {
		if t.Policy != "TimeoutOrExceedMax" && t.Policy != "Timeout" {
			return nil, fmt.Errorf("a timeout applies to TimeoutOrExceedMax and Timeout only, not %s", t.Policy)
		}
		d, err := time.ParseDuration(timeout)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("invalid timeout %q: want a positive duration such as 1m", timeout)
		}
		t.Timeout = d
	}
	return t, nil
}

// Spec is what the plugin sets in a ResourcePolicy: everything else in the
// object belongs to whoever wrote it.
type Spec struct {
	Name, Namespace string
	// Selector picks the pods: those of one application, or any labels.
	Selector map[string]string
	// Units in priority order.
	Units                []Unit
	PreemptPolicy        string
	IgnorePreviousPod    bool
	IgnoreTerminatingPod bool
	TryNext              *TryNext
}

// AppSelector selects the pods of one Spark application.
func AppSelector(app string) map[string]string {
	return map[string]string{sparkapp.LabelAppName: app}
}

// Validate tells what is wrong with s, in terms of the object's fields.
func (s Spec) Validate() error {
	if s.Name == "" {
		return fmt.Errorf("the ResourcePolicy needs a name")
	}
	if len(s.Units) == 0 {
		return fmt.Errorf("no units: a ResourcePolicy needs at least one")
	}
	for i, u := range s.Units {
		if !slices.Contains(ResourceKinds, u.Resource) {
			return fmt.Errorf("unit %d: unknown resource kind %q: want one of %s", i+1, u.Resource, strings.Join(ResourceKinds, ", "))
		}
		if u.Max != nil && *u.Max < 0 {
			return fmt.Errorf("unit %d (%s): max %d is negative: want 0 or more pods", i+1, u.Resource, *u.Max)
		}
	}
	if len(s.Selector) == 0 {
		return fmt.Errorf("the ResourcePolicy needs a selector: without one it applies to every pod of the namespace")
	}
	switch s.PreemptPolicy {
	case AfterAllUnits, BeforeNextUnit:
	default:
		return fmt.Errorf("unknown preempt policy %q: want %s or %s", s.PreemptPolicy, AfterAllUnits, BeforeNextUnit)
	}
	return nil
}

// Build returns the ResourcePolicy s describes, holding only the fields the
// plugin owns: it is the configuration sent with server-side apply.
func Build(s Spec) (*unstructured.Unstructured, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	units := make([]interface{}, len(s.Units))
	for i, u := range s.Units {
		unit := map[string]interface{}{"resource": u.Resource}
		if u.Max != nil {
			unit["max"] = *u.Max
		}
		if len(u.NodeSelector) > 0 {
			unit["nodeSelector"] = stringMap(u.NodeSelector)
		}
		units[i] = unit
	}
	matchLabelKeys := make([]interface{}, len(MatchLabelKeys))
	for i, k := range MatchLabelKeys {
		matchLabelKeys[i] = k
	}
	spec := map[string]interface{}{
		"selector":             stringMap(s.Selector),
		"strategy":             "prefer",
		"units":                units,
		"matchLabelKeys":       matchLabelKeys,
		"preemptPolicy":        s.PreemptPolicy,
		"ignorePreviousPod":    s.IgnorePreviousPod,
		"ignoreTerminatingPod": s.IgnoreTerminatingPod,
	}
	if s.TryNext != nil {
		tryNext := map[string]interface{}{"policy": s.TryNext.Policy}
		if s.TryNext.Timeout > 0 {
			tryNext["timeout"] = s.TryNext.Timeout.String()
		}
		spec["whenTryNextUnits"] = tryNext
	}
	obj := &unstructured.Unstructured{Object: map[string]interface{}{
		"apiVersion": GroupVersion.String(),
		"kind":       Kind,
		"metadata":   map[string]interface{}{"name": s.Name},
		"spec":       spec,
	}}
	if s.Namespace != "" {
		obj.SetNamespace(s.Namespace)
	}
	return obj, nil
}

// HasUnit tells whether any unit takes nodes of the resource kind.
func (s Spec) HasUnit(resource string) bool {
	for _, u := range s.Units {
		if u.Resource == resource {
			return true
		}
	}
	return false
}

func stringMap(m map[string]string) map[string]interface{} {
	out := make(map[string]interface{}, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Holds tells whether current already has every field that desired sets, with
// the same value: applying desired would change nothing.
func Holds(current, desired map[string]interface{}) bool {
	want, _ := desired["spec"].(map[string]interface{})
	have, _ := current["spec"].(map[string]interface{})
	for key, value := range want {
		if !sameJSON(have[key], value) {
			return false
		}
	}
	return true
}

// sameJSON compares content as the API server would store it, whatever the
// Go types of its numbers.
func sameJSON(a, b interface{}) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}
