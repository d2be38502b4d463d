// Package sparkapp names what the Kubeflow Spark Operator defines: its API group,
// kinds, application states, pod labels, and where each role's settings live in
// a SparkApplication, ScheduledSparkApplication or SparkConnect.
package sparkapp

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupVersion is the API version of the Spark operator v2's applications.
var GroupVersion = schema.GroupVersion{Group: "sparkoperator.k8s.io", Version: "v1beta2"}

// ConnectGroupVersion is the API version of its SparkConnect (v2.3.0 and later).
var ConnectGroupVersion = schema.GroupVersion{Group: GroupVersion.Group, Version: "v1alpha1"}

// Kinds of the Spark operator that carry a driver (a SparkConnect's server)
// and an executor spec.
const (
	KindSparkApplication          = "SparkApplication"
	KindScheduledSparkApplication = "ScheduledSparkApplication"
	KindSparkConnect              = "SparkConnect"
)

// Labels the operator and spark-submit put on every pod of an application.
const (
	LabelAppName    = "sparkoperator.k8s.io/app-name"
	LabelLaunchedBy = "sparkoperator.k8s.io/launched-by-spark-operator"
	LabelSubmission = "sparkoperator.k8s.io/submission-id"
	LabelSparkRole  = "spark-role"
	// LabelConnectName names the SparkConnect of a server or executor pod,
	// which carries no app-name label.
	LabelConnectName = "sparkoperator.k8s.io/connect-name"
)

// RoleConnectServer is the spark-role label of a SparkConnect's server pod.
const RoleConnectServer = "connect-server"

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
		(gk.Kind == KindSparkApplication || gk.Kind == KindScheduledSparkApplication || gk.Kind == KindSparkConnect)
}

// AppSpecPath is the path of the SparkApplicationSpec (or SparkConnectSpec)
// inside an object of the given kind: a ScheduledSparkApplication keeps it in
// spec.template.
func AppSpecPath(kind string) []string {
	if kind == KindScheduledSparkApplication {
		return []string{"spec", "template"}
	}
	return []string{"spec"}
}

// RolePath is the path of a role's spec inside an object of the given kind:
// spec.driver and spec.executor; a SparkConnect's driver is spec.server.
func RolePath(kind string, role Role) []string {
	return slices.Concat(AppSpecPath(kind), []string{RoleField(kind, role)})
}

// RoleField is the name of a role's spec, and of the role in what the
// plugin says of an object of the given kind: a SparkConnect's driver is its
// server.
func RoleField(kind string, role Role) string {
	if kind == KindSparkConnect && role == Driver {
		return "server"
	}
	return string(role)
}

// PodTemplateOnly tells whether the roles of a kind take placement and pod
// annotations only in their pod templates: a SparkConnect's server and
// executor have no tolerations, affinity or annotations of their own.
func PodTemplateOnly(kind string) bool {
	return kind == KindSparkConnect
}

// PodAnnotationsPath is where the annotations of a role's pods are written
// in an object of the given kind.
func PodAnnotationsPath(kind string, role Role) []string {
	if PodTemplateOnly(kind) {
		return podTemplateAnnotationsPath(kind, role)
	}
	return slices.Concat(RolePath(kind, role), []string{"annotations"})
}

// PodAnnotationsPaths lists every place in an object of the given kind whose
// annotations reach a role's pods, the one that wins a key last: the role's
// pod template, then, but for a SparkConnect, whose roles have no
// annotations of their own, the role's annotations, which spark-submit lays
// over the template's. The last is PodAnnotationsPath, where the plugin
// writes.
func PodAnnotationsPaths(kind string, role Role) [][]string {
	if PodTemplateOnly(kind) {
		return [][]string{PodAnnotationsPath(kind, role)}
	}
	return [][]string{podTemplateAnnotationsPath(kind, role), PodAnnotationsPath(kind, role)}
}

func podTemplateAnnotationsPath(kind string, role Role) []string {
	return slices.Concat(RolePath(kind, role), []string{"template", "metadata", "annotations"})
}

// TypeName names an object of one of the Spark kinds as the plugin's
// commands take it: sparkapplication/NAME, scheduledsparkapplication/NAME,
// sparkconnect/NAME.
func TypeName(kind, name string) string {
	return strings.ToLower(kind) + "/" + name
}

// KeptPath is the deepest map along a role's path that a removal must not
// delete, even when it leaves it empty: the application's spec, where the
// operator expects it; a SparkConnect's role, which its CRD requires; and a
// SparkConnect's executor template, which the operator v2.3 and v2.4
// dereference without a check.
func KeptPath(kind string, role Role) []string {
	switch {
	case kind == KindSparkConnect && role == Executor:
		return slices.Concat(RolePath(kind, role), []string{"template"})
	case kind == KindSparkConnect:
		return RolePath(kind, role)
	}
	return AppSpecPath(kind)
}
