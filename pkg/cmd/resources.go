package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// sparkTypeNames are the names kubectl accepts for the Spark operator's
// placeable kinds: plural, singular, short name, each also with the group.
var sparkTypeNames = func() map[string]bool {
	names := map[string]bool{}
	for _, n := range []string{
		"sparkapplications", "sparkapplication", "sparkapp",
		"scheduledsparkapplications", "scheduledsparkapplication", "scheduledsparkapp",
	} {
		names[n] = true
		names[n+"."+sparkapp.GroupVersion.Group] = true
		names[n+"."+sparkapp.GroupVersion.Version+"."+sparkapp.GroupVersion.Group] = true
	}
	return names
}()

// sparkResourceArgs turns place's arguments into the resource builder's: a bare
// NAME means sparkapplication/NAME; "TYPE NAME..." and "TYPE/NAME" pass as they
// are; with a selector (or --all) and no type, the type is sparkapplications.
func sparkResourceArgs(args []string, selecting bool) []string {
	if len(args) == 0 {
		if selecting {
			return []string{"sparkapplications"}
		}
		return nil
	}
	if !strings.Contains(args[0], "/") && (sparkTypeNames[strings.ToLower(args[0])] || selecting && len(args) == 1) {
		return args
	}
	out := make([]string, len(args))
	for i, arg := range args {
		if strings.Contains(arg, "/") {
			out[i] = arg
		} else {
			out[i] = "sparkapplication/" + arg
		}
	}
	return out
}

// resourceTypes lists the distinct resource types that builder arguments name.
func resourceTypes(args []string) []string {
	if len(args) == 0 {
		return nil
	}
	if !strings.Contains(args[0], "/") {
		return []string{args[0]}
	}
	seen := map[string]bool{}
	var out []string
	for _, arg := range args {
		t, _, _ := strings.Cut(arg, "/")
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// checkResourceTypes resolves each resource type of the arguments before any
// object is read: it tells a missing CRD and a wrong kind apart.
func (o *PlaceOptions) checkResourceTypes() error {
	typeNames := resourceTypes(o.resourceArgs)
	if len(typeNames) == 0 {
		return nil
	}
	mapper, err := o.ConfigFlags.ToRESTMapper()
	if err != nil {
		return o.explain(err)
	}
	for _, name := range typeNames {
		gvk, err := kindFor(mapper, name)
		if err != nil {
			if meta.IsNoMatchError(err) && !sparkTypeNames[strings.ToLower(name)] {
				return fmt.Errorf("the server has no resource type %q", name)
			}
			return o.explain(err)
		}
		if !sparkapp.IsSparkKind(gvk.GroupKind()) {
			return fmt.Errorf("%q is a %s: place works on SparkApplications and ScheduledSparkApplications", name, gvk.Kind)
		}
	}
	return nil
}

func kindFor(mapper meta.RESTMapper, name string) (schema.GroupVersionKind, error) {
	fullySpecified, groupResource := schema.ParseResourceArg(name)
	if fullySpecified != nil {
		if gvk, err := mapper.KindFor(*fullySpecified); err == nil {
			return gvk, nil
		}
	}
	return mapper.KindFor(groupResource.WithVersion(""))
}

// explain turns the errors users meet most into one line that says what to do.
func (o *PlaceOptions) explain(err error) error {
	return explainError(o.ConfigFlags, err)
}

func explainError(configFlags *genericclioptions.ConfigFlags, err error) error {
	switch {
	case meta.IsNoMatchError(err):
		return fmt.Errorf("the server does not serve SparkApplications (%s): is the Kubeflow Spark Operator installed? (%v)",
			sparkapp.GroupVersion, err)
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
