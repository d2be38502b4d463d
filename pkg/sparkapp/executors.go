package sparkapp

import (
	"time"
)

// sparkDefaultExecutors is Spark's default spark.executor.instances on Kubernetes.
const sparkDefaultExecutors = 2

// ExpectedExecutors is how many executors an application (or SparkConnect)
// asks for at first: spec.executor.instances, or with dynamic allocation the
// largest of instances, initialExecutors and minExecutors, as Spark starts
// it. status waits for them, and timeline's executors phase ends when they
// all run.
func ExpectedExecutors(obj map[string]interface{}) int {
	kind, _ := obj["kind"].(string)
	spec := obj
	for _, field := range AppSpecPath(kind) {
		spec = mapAt(spec, field)
	}
	instances, set := intAt(mapAt(spec, string(Executor)), "instances")
	dynamic := mapAt(spec, "dynamicAllocation")
	if enabled, _ := dynamic["enabled"].(bool); enabled {
		initial, _ := intAt(dynamic, "initialExecutors")
		minimum, _ := intAt(dynamic, "minExecutors")
		return max(instances, initial, minimum)
	}
	if !set {
		return sparkDefaultExecutors
	}
	return instances
}

// Submitted is when the operator last submitted an application
// (status.lastSubmissionAttemptTime) and the id of that submission
// (status.submissionID), which spark-submit puts on the submission's pods
// (LabelSubmission); zero and "" before the operator wrote them, and for a
// SparkConnect, whose server the operator creates itself.
func Submitted(obj map[string]interface{}) (id string, at time.Time) {
	status := mapAt(obj, "status")
	id, _ = status["submissionID"].(string)
	if s, _ := status["lastSubmissionAttemptTime"].(string); s != "" {
		at, _ = time.Parse(time.RFC3339, s)
	}
	return id, at
}

// intAt reads a JSON number, whichever Go type the decoder chose for it.
func intAt(m map[string]interface{}, key string) (int, bool) {
	switch n := m[key].(type) {
	case int64:
		return int(n), true
	case int:
		return n, true
	case int32:
		return int(n), true
	case float64:
		return int(n), true
	}
	return 0, false
}
