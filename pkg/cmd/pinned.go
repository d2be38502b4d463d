package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/dynamic"

	"github.com/spark-eci/kubectl-spark-eci/pkg/bulkread"
	"github.com/spark-eci/kubectl-spark-eci/pkg/imagecache"
)

// sparkTypes are the types of the Spark kinds: the applications that pin
// image caches.
func sparkTypes() []refType {
	var out []refType
	for _, t := range refTypes {
		if t.crd.gk.Kind != "" {
			out = append(out, t)
		}
	}
	return out
}

// servedSparkTypes are the Spark kinds the server serves; the others (no
// operator, or one before SparkConnect) are left out.
func servedSparkTypes(configFlags *genericclioptions.ConfigFlags) ([]refType, error) {
	var served []refType
	for _, t := range sparkTypes() {
		_, err := mappingOf(configFlags, t.crd)
		switch {
		case meta.IsNoMatchError(err):
			continue
		case err != nil:
			return nil, err
		}
		served = append(served, t)
	}
	return served, nil
}

// listPinnings reads which image caches the applications of the types pin,
// in namespace ("": every namespace), a page at a time, keeping no
// application. Each type is read even when another could not be: a
// *pinReadError names every one that could not.
func listPinnings(ctx context.Context, dyn dynamic.Interface, namespace string, types []refType) ([]imagecache.Pinning, error) {
	var pinnings []imagecache.Pinning
	failed := &pinReadError{namespace: namespace}
	for _, t := range types {
		_, err := bulkread.Each(ctx, dyn.Resource(t.resource).Namespace(namespace).List, metav1.ListOptions{}, func(obj runtime.Object) error {
			if u, ok := obj.(*unstructured.Unstructured); ok {
				pinnings = append(pinnings, imagecache.PinningOf(u.Object))
			}
			return nil
		})
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil:
			failed.add(t, err)
		}
	}
	if len(failed.resources) > 0 {
		return nil, failed
	}
	return pinnings, nil
}

// pinReadError names the Spark kinds whose applications could not be listed.
type pinReadError struct {
	namespace string
	resources []string // resource.group
	forbidden bool     // every one of them for lack of rights
	first     error
}

func (e *pinReadError) add(t refType, err error) {
	if len(e.resources) == 0 {
		e.forbidden, e.first = true, err
	}
	e.resources = append(e.resources, t.resource.Resource+"."+t.resource.Group)
	e.forbidden = e.forbidden && apierrors.IsForbidden(err)
}

func (e *pinReadError) where() string {
	if e.namespace == metav1.NamespaceAll {
		return "in any namespace"
	}
	return "in namespace " + e.namespace
}

func (e *pinReadError) Error() string {
	if e.forbidden {
		return fmt.Sprintf("you may not list %s %s", strings.Join(e.resources, ", "), e.where())
	}
	return fmt.Sprintf("cannot list %s %s: %v", strings.Join(e.resources, ", "), e.where(), e.first)
}

func (e *pinReadError) Unwrap() error { return e.first }

// pinReadFix is the rights that let the applications be read.
func pinReadFix(err error) string {
	var e *pinReadError
	if errors.As(err, &e) && e.namespace == metav1.NamespaceAll {
		return "ask for list on them in every namespace (deploy/rbac/clusterrole.yaml)"
	}
	return "ask for list on sparkapplications, scheduledsparkapplications and sparkconnects.sparkoperator.k8s.io in the namespace (deploy/rbac/role.yaml)"
}
