package podplacement

import (
	"fmt"
	"iter"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
	"github.com/spark-eci/kubectl-spark-eci/pkg/why"
)

// The type of the status that status -o json|yaml prints.
const (
	StatusAPIVersion = "spark-eci.io/v1alpha1"
	StatusKind       = "PlacementStatus"
)

// Status is the documented, versioned output of status -o json|yaml (doc.go
// describes the schema).
type Status struct {
	APIVersion   string        `json:"apiVersion"`
	Kind         string        `json:"kind"`
	Applications []Application `json:"applications"`
	// Problems counts the pods shown by the reason of their problem.
	Problems []why.Count `json:"problems,omitempty"`
}

// NewStatus wraps applications in the versioned type, and counts their
// pods' problems.
func NewStatus(apps []Application) Status {
	if apps == nil {
		apps = []Application{}
	}
	var problems []*why.Problem
	for _, a := range apps {
		for _, p := range a.Pods {
			if p.Problem != nil {
				problems = append(problems, p.Problem)
			}
		}
	}
	return Status{APIVersion: StatusAPIVersion, Kind: StatusKind, Applications: apps, Problems: why.Tally(problems)}
}

// Application is where the pods of one SparkApplication (or SparkConnect)
// are, and could be.
type Application struct {
	Kind      string    `json:"kind"`
	Namespace string    `json:"namespace"`
	Name      string    `json:"name"`
	State     string    `json:"state"`
	Placement Placement `json:"placement"`
	Settled   bool      `json:"settled"`
	// Verdict says in one line why the application does not run as it
	// asks, "" when nothing says so.
	Verdict string `json:"verdict,omitempty"`
	Roles   []Role `json:"roles"`
	Pods    []Pod  `json:"pods"`
	// errorMessage is the operator's status.applicationState.errorMessage;
	// failedExecutors the executors its status.executorState marks FAILED;
	// asked what each role asks of its pods' placement.
	errorMessage    string
	failedExecutors []string
	asked           map[sparkapp.Role]*why.Asked
	// pinnedCaches say what is wrong with the image caches it pins.
	pinnedCaches []string
}

// Placement is the target of each role, as place reports it.
type Placement struct {
	Driver   placement.Target `json:"driver"`
	Executor placement.Target `json:"executor"`
}

// Role sums up the pods of one role.
type Role struct {
	Role          sparkapp.Role `json:"role"`
	ExpectedPods  int           `json:"expectedPods"`
	Pods          int           `json:"pods"`
	Scheduled     int           `json:"scheduled"`
	ECIPods       int           `json:"eciPods"`
	EligibleNodes *Eligibility  `json:"eligibleNodes,omitempty"`
	// waiting counts the pods still waiting for a node.
	waiting int
}

// Pod is where one pod is.
type Pod struct {
	Name          string             `json:"name"`
	UID           types.UID          `json:"uid"`
	Role          string             `json:"role,omitempty"`
	ExecutorID    string             `json:"executorId,omitempty"`
	Phase         corev1.PodPhase    `json:"phase"`
	Terminating   bool               `json:"terminating,omitempty"`
	Node          string             `json:"node,omitempty"`
	NodeKind      placement.NodeKind `json:"nodeKind,omitempty"`
	NominatedNode string             `json:"nominatedNode,omitempty"`
	IP            string             `json:"ip,omitempty"`
	Ready         string             `json:"ready"`
	Restarts      int32              `json:"restarts"`
	CreatedAt     time.Time          `json:"createdAt"`
	// InstanceSpec is, on ECI, the instance ECI created for the pod;
	// Spot the spot strategy the pod asked ECI for.
	InstanceSpec string            `json:"instanceSpec,omitempty"`
	Spot         string            `json:"spot,omitempty"`
	Scheduler    *SchedulerMessage `json:"scheduler,omitempty"`
	// Problem is why the pod does not run as its application asks.
	Problem *why.Problem `json:"problem,omitempty"`
}

// Label Spark puts on executor pods: the executor's number.
const labelExecutorID = "spark-exec-id"

// Build makes the status of one application from its object (a
// SparkApplication as unstructured content), its pods, the latest
// FailedScheduling event of each pod, and the nodes. The warnings name roles
// whose pods cannot go anywhere, and settings that could not be read.
func Build(app map[string]interface{}, pods []corev1.Pod, events PodEvents, nodes *Nodes, admission Admission, caches Caches) (Application, []string) {
	return build(app, recordsOf(pods), known{events, nodes, admission, caches})
}

// known is what status knows beside an application and its pods.
type known struct {
	events    PodEvents
	nodes     *Nodes
	admission Admission
	caches    Caches
}

// build is Build from what status keeps of each pod.
func build(app map[string]interface{}, pods []record, k known) (Application, []string) {
	nodes := k.nodes
	meta, _ := app["metadata"].(map[string]interface{})
	state := sparkapp.StateOf(app)
	kind, _ := app["kind"].(string)
	detected := nodes.Virtual.Detect(app)
	a := Application{
		Kind:      kind,
		Namespace: stringAt(meta, "namespace"),
		Name:      stringAt(meta, "name"),
		State:     state,
		Placement: Placement{Driver: detected.Driver, Executor: detected.Executor},
		Pods:      make([]Pod, 0, len(pods)),

		errorMessage: stringAt(mapAt(app, "status", "applicationState"), "errorMessage"),
	}
	a.asked = askedOf(app, a.Placement)
	a.pinnedCaches = k.caches.pinnedCaches(app)
	for name, state := range mapAt(app, "status", "executorState") {
		if state == "FAILED" {
			a.failedExecutors = append(a.failedExecutors, name)
		}
	}
	slices.Sort(a.failedExecutors)
	var warnings []string
	for _, role := range sparkapp.Roles {
		r := Role{Role: role, ExpectedPods: expectedPods(app, role)}
		if nodes.Known {
			spec, err := RolePodSpec(app, role)
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("%v; counting eligible nodes without it", err))
			}
			e := nodes.Eligible(&spec)
			r.EligibleNodes = &e
		}
		a.Roles = append(a.Roles, r)
	}
	for i := range pods {
		p := a.rowOf(&pods[i], k)
		a.Pods = append(a.Pods, p)
		a.count(p, 1)
	}
	slices.SortStableFunc(a.Pods, comparePods)
	a.settle()
	a.judge(slices.Values(a.Pods))
	for _, r := range a.Roles {
		if r.EligibleNodes != nil && r.EligibleNodes.Total() == 0 && r.Scheduled == 0 && !sparkapp.Ended(state) {
			warnings = append(warnings, fmt.Sprintf(
				"no schedulable node matches the %s's tolerations, node selector and required node affinity: its pods cannot be placed", sparkapp.RoleField(kind, r.Role)))
		}
	}
	return a, warnings
}

// count adds the row of a pod shown to its role's counts (delta 1), or
// takes it out (-1). A pod being deleted is shown, but counts for no role:
// it neither waits for a node nor keeps one for long.
func (a *Application) count(p Pod, delta int) {
	i := slices.IndexFunc(a.Roles, func(r Role) bool { return r.Role == sparkapp.RoleOfLabel(p.Role) })
	if i < 0 || p.Terminating {
		return
	}
	r := &a.Roles[i]
	r.Pods += delta
	switch {
	case p.Node != "":
		r.Scheduled += delta
		if p.NodeKind == placement.NodeECI {
			r.ECIPods += delta
		}
	case p.Scheduler != nil:
		r.waiting += delta
	}
}

// rowOf is the row of a pod of the application, with its problem unless
// the application completed: then nothing is asked of its pods any more.
func (a *Application) rowOf(r *record, k known) Pod {
	p := r.rowOf(k.events, k.nodes)
	if a.State == sparkapp.StateCompleted {
		return p
	}
	s := why.Subject{App: a.ref(), Namespace: a.Namespace, Pod: p.Name, OnECI: p.NodeKind == placement.NodeECI}
	if p.Scheduler != nil {
		s.Unschedulable, s.Since = p.Scheduler.Message, p.Scheduler.Time
	}
	if asked := a.asked[sparkapp.RoleOfLabel(p.Role)]; asked != nil && r.placed != nil && !p.Terminating {
		if missing := asked.Missing(*r.placed, p.NodeKind); len(missing) > 0 {
			s.NotPlaced = why.NotPlaced(s, *asked, missing, p.CreatedAt, k.admission.Webhook, k.admission.namespaceLabels(a.Namespace))
		}
	}
	p.Problem = why.Diagnose(s, r.why, k.events.Why[p.UID])
	return p
}

// ref names the application as place takes it: NAME for a
// SparkApplication, TYPE/NAME for another kind.
func (a *Application) ref() string {
	if a.Kind == sparkapp.KindSparkApplication {
		return a.Name
	}
	return sparkapp.TypeName(a.Kind, a.Name)
}

// judge works out the application's verdict from the problems of its pods.
func (a *Application) judge(pods iter.Seq[Pod]) {
	// The driver's pod as the operator names it, until one is seen.
	v := why.Application{State: a.State, ErrorMessage: a.errorMessage, App: a.ref(), Namespace: a.Namespace, Driver: a.Name + "-driver"}
	if a.Kind != sparkapp.KindSparkApplication {
		v.Driver = sparkapp.ConnectServerPod(a.Name)
	}
	seenDriver := false
	for _, r := range a.Roles {
		v.Roles = append(v.Roles, why.Role{Name: sparkapp.RoleField(a.Kind, r.Role), Driver: r.Role == sparkapp.Driver,
			Expected: r.ExpectedPods, Pods: r.Pods})
	}
	// The executors marked FAILED whose pods are shown: a few, never all.
	var shownFailed map[string]bool
	if len(a.failedExecutors) > 0 {
		shownFailed = map[string]bool{}
	}
	for p := range pods {
		if _, found := slices.BinarySearch(a.failedExecutors, p.Name); found && shownFailed != nil {
			shownFailed[p.Name] = true
		}
		role := sparkapp.RoleOfLabel(p.Role)
		if role == sparkapp.Driver && !seenDriver {
			v.Driver, seenDriver = p.Name, true
		}
		if p.Problem == nil {
			continue
		}
		if i := slices.IndexFunc(a.Roles, func(r Role) bool { return r.Role == role }); i >= 0 {
			v.Roles[i].Problems = append(v.Roles[i].Problems, p.Problem)
		}
	}
	v.PinnedCaches = a.pinnedCaches
	for _, name := range a.failedExecutors {
		if !shownFailed[name] {
			v.GoneFailedExecutors = append(v.GoneFailedExecutors, name)
		}
	}
	a.Verdict = why.Verdict(v)
}

// settle works out whether the application is settled: it has ended, or
// every expected pod has a node and none waits for one (never while the
// operator submits it again).
func (a *Application) settle() {
	a.Settled = sparkapp.Ended(a.State)
	if !a.Settled && !Resubmitting(a.State) {
		a.Settled = true
		for _, r := range a.Roles {
			if r.waiting > 0 || r.Scheduled < r.ExpectedPods {
				a.Settled = false
			}
		}
	}
}

// Resubmitting tells whether an application in state is between two
// submissions: the operator deletes the pods of one and will create those of
// the next, so the pods there are now are not those to wait for.
func Resubmitting(state string) bool {
	return state == sparkapp.StateInvalidating || state == sparkapp.StatePendingRerun
}

// expectedPods is how many pods of role the application asks for at first:
// one driver, and its expected executors.
func expectedPods(app map[string]interface{}, role sparkapp.Role) int {
	if role == sparkapp.Driver {
		return 1
	}
	return sparkapp.ExpectedExecutors(app)
}

// comparePods orders pods the way Spark users read them (sparkapp.ComparePods).
func comparePods(a, b Pod) int {
	return sparkapp.ComparePods(a.Role, a.Name, b.Role, b.Name)
}

func stringAt(m map[string]interface{}, key string) string {
	s, _ := m[key].(string)
	return s
}
