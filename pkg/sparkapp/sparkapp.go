// Package sparkapp names what the Kubeflow Spark Operator defines: its API group,
// kinds, application states, pod labels, and where each role's settings live in
// a SparkApplication or ScheduledSparkApplication.
package sparkapp

import (
	"slices"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupVersion is the API version of the Spark operator v2 custom resources.
var GroupVersion = schema.GroupVersion{Group: "sparkoperator.k8s.io", Version: "v1beta2"}

// Kinds of the Spark operator that carry a driver and an executor spec.
const (
	KindSparkApplication          = "SparkApplication"
	KindScheduledSparkApplication = "ScheduledSparkApplication"
)

// Labels the operator and spark-submit put on every pod of an application.
const (
	LabelAppName    = "sparkoperator.k8s.io/app-name"
	LabelLaunchedBy = "sparkoperator.k8s.io/launched-by-spark-operator"
	LabelSubmission = "sparkoperator.k8s.io/submission-id"
	LabelSparkRole  = "spark-role"
)

// Role is one of the two kinds of pods of a Spark application.
type Role string

// The roles, named as in the SparkApplication spec.
const (
	Driver   Role = "driver"
	Executor Role = "executor"
)

// Roles lists the roles in the order they are reported.
var Roles = []Role{Driver, Executor}

// IsSparkKind tells whether gk is a kind this plugin places.
func IsSparkKind(gk schema.GroupKind) bool {
	return gk.Group == GroupVersion.Group &&
		(gk.Kind == KindSparkApplication || gk.Kind == KindScheduledSparkApplication)
}

// AppSpecPath is the path of the SparkApplicationSpec inside an object of the
// given kind: a ScheduledSparkApplication keeps it in spec.template.
func AppSpecPath(kind string) []string {
	if kind == KindScheduledSparkApplication {
		return []string{"spec", "template"}
	}
	return []string{"spec"}
}

// RolePath is the path of a role's spec (driver or executor) inside an object
// of the given kind.
func RolePath(kind string, role Role) []string {
	return slices.Concat(AppSpecPath(kind), []string{string(role)})
}
