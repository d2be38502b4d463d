package cmd

import (
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/spark-eci/kubectl-spark-eci/pkg/imagecache"
	"github.com/spark-eci/kubectl-spark-eci/pkg/resourcepolicy"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// crd is a custom resource the plugin uses, and the one line a cluster that
// does not serve it gets: what to install.
type crd struct {
	gk      schema.GroupKind
	version string
	missing func(noMatch error) error // a *notServed
}

var (
	sparkAppCRD       = sparkCRDOf(sparkapp.GroupVersion, sparkapp.KindSparkApplication, "is the Kubeflow Spark Operator installed?")
	scheduledCRD      = sparkCRDOf(sparkapp.GroupVersion, sparkapp.KindScheduledSparkApplication, "is the Kubeflow Spark Operator installed?")
	sparkConnectCRD   = sparkCRDOf(sparkapp.ConnectGroupVersion, sparkapp.KindSparkConnect, "they come with the Kubeflow Spark Operator v2.3.0 and later")
	resourcePolicyCRD = crd{
		gk:      resourcepolicy.GroupKind,
		version: resourcepolicy.GroupVersion.Version,
		missing: func(err error) error {
			return &notServed{err: err, msg: fmt.Sprintf("resource-policy needs ACK's scheduler: the server does not serve %s.%s at %s (the ResourcePolicy CRD of ACK Pro clusters)",
				resourcepolicy.Resource.Resource, resourcepolicy.GroupVersion.Group, resourcepolicy.GroupVersion.Version)}
		},
	}
	imageCacheCRD = crd{
		gk:      imagecache.GroupKind,
		version: imagecache.GroupVersion.Version,
		missing: func(err error) error {
			return &notServed{err: err, msg: fmt.Sprintf("the server does not serve %s: the ImageCache CRD comes with ACK's %s component (install or update it: ACK console, Add-ons)",
				imagecache.CRDName, imagecache.Component)}
		},
	}
)

// mappingOf finds how to reach c on the server; a server that does not
// serve it gets c's one line.
func mappingOf(configFlags *genericclioptions.ConfigFlags, c crd) (*meta.RESTMapping, error) {
	mapper, err := configFlags.ToRESTMapper()
	if err != nil {
		return nil, explainError(configFlags, err)
	}
	mapping, err := mapper.RESTMapping(c.gk, c.version)
	switch {
	case meta.IsNoMatchError(err):
		return nil, c.missing(err)
	case err != nil:
		return nil, explainError(configFlags, err)
	}
	return mapping, nil
}

// notServed says what to install, and keeps the NoMatch error for
// meta.IsNoMatchError; explainError leaves it as it is.
type notServed struct {
	err error
	msg string
}

func (e *notServed) Error() string { return e.msg }
func (e *notServed) Unwrap() error { return e.err }

// sparkCRDOf is the CRD of one of the Spark operator's kinds; needs says
// what a server that does not serve it lacks.
func sparkCRDOf(gv schema.GroupVersion, kind, needs string) crd {
	return crd{
		gk:      schema.GroupKind{Group: gv.Group, Kind: kind},
		version: gv.Version,
		missing: func(err error) error {
			return &notServed{err: err, msg: fmt.Sprintf("the server does not serve %ss (%s): %s (%v)", kind, gv, needs, err)}
		},
	}
}

// podLabelOf is the label that names, on each pod, the object of kind it
// belongs to.
func podLabelOf(kind string) string {
	if kind == sparkapp.KindSparkConnect {
		return sparkapp.LabelConnectName
	}
	return sparkapp.LabelAppName
}

// sparkPodSelector selects the pods of the application (or SparkConnect)
// of kind named name; with no name, every Spark pod: those with a
// spark-role label.
func sparkPodSelector(kind, name string) string {
	if name != "" {
		return labels.Set{podLabelOf(kind): name}.String()
	}
	req, _ := labels.NewRequirement(sparkapp.LabelSparkRole, selection.Exists, nil)
	return labels.NewSelector().Add(*req).String()
}

// explainSparkError tells a list or get of one of the Spark kinds that the
// server does not serve it (the operator is missing, or too old for
// SparkConnects: its resource comes back as Not Found), as a NoMatch error
// that names what to install, from other errors.
func explainSparkError(f *genericclioptions.ConfigFlags, kind string, err error) error {
	if apierrors.IsNotFound(err) {
		if _, crdErr := mappingOf(f, sparkType(kind).crd); meta.IsNoMatchError(crdErr) {
			return crdErr
		}
	}
	return explainError(f, err)
}
