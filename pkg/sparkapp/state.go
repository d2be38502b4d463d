package sparkapp

import "fmt"

// Application states of .status.applicationState.state.
const (
	StateNew              = ""
	StateSubmitted        = "SUBMITTED"
	StateRunning          = "RUNNING"
	StateCompleted        = "COMPLETED"
	StateFailed           = "FAILED"
	StateSubmissionFailed = "SUBMISSION_FAILED"
	StatePendingRerun     = "PENDING_RERUN"
	StateInvalidating     = "INVALIDATING"
	StateSucceeding       = "SUCCEEDING"
	StateFailing          = "FAILING"
	StateSuspending       = "SUSPENDING"
	StateSuspended        = "SUSPENDED"
	StateResuming         = "RESUMING"
	StateUnknown          = "UNKNOWN"
)

// SparkConnect states of .status.state.
const (
	ConnectStateProvisioning = "Provisioning"
	ConnectStateReady        = "Ready"
	ConnectStateNotReady     = "NotReady"
	ConnectStateFailed       = "Failed"
)

// Ended tells whether an application in state will start no more pods (until
// its spec changes).
func Ended(state string) bool {
	switch state {
	case StateCompleted, StateFailed, StateSubmissionFailed, StateSuspended:
		return true
	}
	return false
}

// StateOf reads the state of an object of one of the Spark kinds: a
// SparkConnect's .status.state, an application's
// .status.applicationState.state; "" before the operator saw it.
func StateOf(obj map[string]interface{}) string {
	status := mapAt(obj, "status")
	if kind, _ := obj["kind"].(string); kind != KindSparkConnect {
		status = mapAt(status, "applicationState")
	}
	state, _ := status["state"].(string)
	return state
}

// SpecChange says what the operator does to an application whose .spec changes.
type SpecChange struct {
	// Disruptive is true when pods of the application may be running (or about
	// to) and the operator would kill them: such a change needs consent.
	Disruptive bool
	// Effect tells the user what will happen, in one sentence.
	Effect string
}

// OnSpecChange tells what the operator does when the spec of an object of the
// given kind, in the given state, changes. The operator invalidates and
// resubmits a SparkApplication on any spec change whatever its state (but a
// suspended one, and, under the PartialRestart gate, a change of the
// executors' placement alone: see Operator.OnChange); a
// ScheduledSparkApplication only passes its template on to future runs; a
// SparkConnect's templates reach only the server pods the operator creates
// from then on (see onConnectChange).
func OnSpecChange(kind, state string) SpecChange {
	switch kind {
	case KindScheduledSparkApplication:
		return SpecChange{Effect: "applies to future runs; runs already started keep their placement"}
	case KindSparkConnect:
		return onConnectChange(state, "", "", Operator{})
	}
	switch state {
	case StateNew:
		return SpecChange{Effect: "not submitted yet: the operator submits it with this placement"}
	case StateCompleted, StateFailed, StateSubmissionFailed:
		return SpecChange{Effect: fmt.Sprintf("state %s: the operator will submit the application again with this placement", state)}
	case StateSuspended:
		// The operator (v2.4 and later) turns the change's invalidation
		// back into a suspension: the new spec waits for the resume.
		return SpecChange{Effect: "state SUSPENDED: the application stays suspended; once resumed (spec.suspend: false) the operator submits it with this placement"}
	default:
		return SpecChange{
			Disruptive: true,
			Effect: fmt.Sprintf("state %s: the operator will kill the driver and executors and submit the application again with this placement",
				stateName(state)),
		}
	}
}

func stateName(state string) string {
	if state == "" {
		return "NEW"
	}
	return state
}

// onConnectChange is OnSpecChange for a SparkConnect. The operator's
// controller (v2.3 to v2.5) copies the server's template into the server pod
// only when it creates the pod, and the executors' template into a ConfigMap
// that the server reads, through a subPath mount, only when it starts: a
// change of either template reaches no pod until the server pod is made
// again, which the operator does when it is deleted (v2.3 and v2.4 only when
// they see the deletion: see Operator.MissesServerPodDeletion). Nothing is
// restarted, so nothing needs consent.
// name and namespace, when known, name the SparkConnect.
func onConnectChange(state, name, namespace string, op Operator) SpecChange {
	if state == StateNew || state == ConnectStateProvisioning {
		return SpecChange{Effect: "no server yet: the operator creates it with this placement"}
	}
	pod := "its server pod"
	if name != "" {
		pod = "pod " + ConnectServerPod(name)
	}
	restart := fmt.Sprintf("delete %s (its sessions end) and the operator creates it again with this placement", pod)
	if name != "" && op.MissesServerPodDeletion(namespace) {
		restart = fmt.Sprintf(
			"delete %s (its sessions end), then, as the operator %s drops the deletion of a pod in a namespace its --namespaces does not name, have it look again (%s) and it creates the pod again with this placement",
			pod, op.Version, touchCommand(name, namespace))
	}
	return SpecChange{Effect: fmt.Sprintf(
		"state %s: not applied until the server restarts: the operator uses the templates only when it creates the server pod, and the server gives its executors the template it started with; %s",
		state, restart)}
}

// RestartedAtAnnotation is what touchCommand sets: any change of a
// SparkConnect makes the operator reconcile it.
const RestartedAtAnnotation = "spark-eci.io/restarted-at"

// touchCommand is the kubectl command that changes a SparkConnect but not
// its spec, so that the operator reconciles it.
func touchCommand(name, namespace string) string {
	return fmt.Sprintf(`kubectl annotate sparkconnect/%s -n %s %s="$(date +%%s)" --overwrite`, name, namespace, RestartedAtAnnotation)
}

// ConnectServerPod is the name of the server pod the operator creates for
// a SparkConnect.
func ConnectServerPod(name string) string { return name + "-server" }
