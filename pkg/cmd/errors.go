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
	case apierrors.IsNotFound(err):
		if ns := missingNamespace(configFlags); ns != "" {
			return fmt.Errorf("namespace %q not found", ns)
		}
	}
	return err
}

// missingNamespace returns the namespace in use when it does not exist.
func missingNamespace(configFlags *genericclioptions.ConfigFlags) string {
	ns, _, err := configFlags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return ""
	}
	config, err := configFlags.ToRESTConfig()
	if err != nil {
		return ""
	}
	client, err := corev1client.NewForConfig(config)
	if err != nil {
		return ""
	}
	if _, err := client.Namespaces().Get(context.Background(), ns, metav1.GetOptions{}); apierrors.IsNotFound(err) {
		return ns
	}
	return ""
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
