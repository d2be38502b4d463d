package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
)

// explain turns the errors users meet most into one line that says what to do.
func (o *PlaceOptions) explain(err error) error {
	return explainError(o.ConfigFlags, err)
}

func explainError(configFlags *genericclioptions.ConfigFlags, err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return err // interrupted: Execute says so
	case meta.IsNoMatchError(err):
		var told *notServed
		if errors.As(err, &told) {
			return err
		}
		return sparkAppCRD.missing(err)
	case isUnreachable(err):
		host := "the API server"
		if config, cfgErr := configFlags.ToRESTConfig(); cfgErr == nil {
			host = config.Host
		}
		return fmt.Errorf("cannot reach the API server at %s: %v", host, rootCause(err))
	case isNamespaceNotFound(err):
		var status apierrors.APIStatus
		errors.As(err, &status)
		return namespaceNotFound(status.Status().Details.Name)
	}
	return err
}

// isNamespaceNotFound tells a write into a namespace that does not exist: the
// API server says so itself.
func isNamespaceNotFound(err error) bool {
	var status apierrors.APIStatus
	if !apierrors.IsNotFound(err) || !errors.As(err, &status) {
		return false
	}
	d := status.Status().Details
	return d != nil && d.Kind == "namespaces" && d.Name != ""
}

// notFoundIn tells, when a named object is not found, whether its namespace
// is what is missing: the API server answers the read of an object in a
// namespace that does not exist as it answers any other missing object.
func notFoundIn(ctx context.Context, configFlags *genericclioptions.ConfigFlags, namespace string, err error) error {
	if apierrors.IsNotFound(err) && namespaceMissing(ctx, configFlags, namespace) {
		return namespaceNotFound(namespace)
	}
	return err
}

func namespaceNotFound(namespace string) error {
	return fmt.Errorf("namespace %q not found", namespace)
}

// namespaceMissing asks the server, with the command's context, whether
// namespace does not exist; any other answer is no.
func namespaceMissing(ctx context.Context, configFlags *genericclioptions.ConfigFlags, namespace string) bool {
	if namespace == "" {
		return false
	}
	config, err := configFlags.ToRESTConfig()
	if err != nil {
		return false
	}
	client, err := corev1client.NewForConfig(config)
	if err != nil {
		return false
	}
	_, err = client.Namespaces().Get(ctx, namespace, metav1.GetOptions{})
	return apierrors.IsNotFound(err)
}

func isUnreachable(err error) bool {
	var netErr net.Error
	var urlErr *url.Error
	return utilnet.IsConnectionRefused(err) || errors.As(err, &netErr) || errors.As(err, &urlErr) ||
		errors.Is(err, context.DeadlineExceeded)
}

// rootCause strips the URL wrapper client-go puts around network errors.
func rootCause(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}
