package cmd

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/resourcepolicy"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// Run reads and checks everything first (the CRD, the application, what
// --place would do), so that bad input changes nothing; then it applies the
// policy and, with --place, places the application.
func (o *ResourcePolicyOptions) Run(ctx context.Context) error {
	if err := o.checkCRD(); err != nil {
		return err
	}
	config, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		return err
	}
	policies := dyn.Resource(resourcepolicy.Resource).Namespace(o.namespace)
	if o.Delete {
		return o.delete(ctx, policies)
	}

	app, err := o.getApp(ctx, dyn)
	if err != nil {
		return err
	}
	if o.Place {
		if app == nil {
			return fmt.Errorf("--place needs the SparkApplication %q, which is not in namespace %q", o.name, o.namespace)
		}
		if err := o.checkPlace(ctx, app); err != nil {
			return err
		}
	} else if app != nil {
		o.warnPlacement(app)
	}

	current, err := policies.Get(ctx, o.name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		current = nil
	case err != nil:
		return fmt.Errorf("read resourcepolicy %s: %w", o.name, o.explain(err))
	}
	desired, err := resourcepolicy.Build(o.spec)
	if err != nil {
		return err
	}
	operation := "configured"
	switch {
	case current == nil:
		operation = "created"
	case resourcepolicy.Holds(current.Object, desired.Object):
		operation = "unchanged"
	}

	written := desired
	if o.dryRun != dryRunClient {
		opts := metav1.ApplyOptions{FieldManager: o.FieldManager, Force: true}
		if o.dryRun == dryRunServer {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		// Force: the user asks for these values now, whoever set them last.
		// Fields the plugin does not send keep their owners and values.
		if written, err = policies.Apply(ctx, o.name, desired, opts); err != nil {
			return fmt.Errorf("apply resourcepolicy %s: %w", o.name, o.explain(err))
		}
	}
	printer, err := o.toPrinter(operation)
	if err != nil {
		return err
	}
	if err := printer.PrintObj(written, o.Out); err != nil {
		return err
	}
	if o.Place {
		return o.place(ctx)
	}
	return nil
}

// checkCRD tells a cluster without ACK's scheduler from other errors.
func (o *ResourcePolicyOptions) checkCRD() error {
	_, err := mappingOf(o.ConfigFlags, resourcePolicyCRD)
	return err
}

// getApp reads the application the policy is named after. With --selector the
// policy needs no application: then a missing one (or a cluster without the
// Spark operator) gives nil.
func (o *ResourcePolicyOptions) getApp(ctx context.Context, dyn dynamic.Interface) (*unstructured.Unstructured, error) {
	mapping, err := mappingOf(o.ConfigFlags, sparkAppCRD)
	if err != nil {
		if meta.IsNoMatchError(err) && o.Selector != "" {
			return nil, nil
		}
		return nil, err
	}
	app, err := dyn.Resource(mapping.Resource).Namespace(o.namespace).Get(ctx, o.name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err) && o.Selector != "":
		return nil, nil
	case apierrors.IsNotFound(err) && namespaceMissing(ctx, o.ConfigFlags, o.namespace):
		return nil, namespaceNotFound(o.namespace)
	case apierrors.IsNotFound(err):
		return nil, fmt.Errorf("sparkapplication %q not found in namespace %q: the policy is named after an application; for pods no application owns, give --selector",
			o.name, o.namespace)
	case err != nil:
		return nil, fmt.Errorf("read sparkapplication %s: %w", o.name, o.explain(err))
	}
	return app, nil
}

func (o *ResourcePolicyOptions) explain(err error) error {
	return explainError(o.ConfigFlags, err)
}

// placeRequest is what --place asks of placement: both roles tolerate the
// taint, with no affinity, so that the policy's units decide.
func (o *ResourcePolicyOptions) placeRequest() placement.Request {
	return placement.Request{Driver: placement.Any, Executor: placement.Any, Via: placement.Via(o.Via), Nodes: o.nodes}
}

// checkPlace refuses, before anything is written, what place would refuse.
func (o *ResourcePolicyOptions) checkPlace(ctx context.Context, app *unstructured.Unstructured) error {
	return checkPlacing(ctx, o.ConfigFlags, o.IOStreams, &o.operator, app, o.placeRequest(), o.Restart)
}

// place runs place itself on the application, with its safety rules: the
// patch is guarded by resourceVersion and re-checked on conflict.
func (o *ResourcePolicyOptions) place(ctx context.Context) error {
	return placeFrom(ctx, o.ConfigFlags, o.IOStreams, "sparkapplication/"+o.name, o.operator, func(p *PlaceOptions) {
		p.NodeLabel, p.Taint, p.Via = o.NodeLabel, o.Taint, o.Via
		p.DryRun, p.FieldManager, p.Restart = o.DryRun, o.FieldManager, o.Restart
		p.PrintFlags.OutputFormat = o.PrintFlags.OutputFormat
	}, func(r *placement.Request) {
		// Any is no target of place's flags: set it past them.
		req := o.placeRequest()
		r.Driver, r.Executor = req.Driver, req.Executor
	})
}

// warnPlacement says when the application's pods cannot use every unit: ECI
// units take only pods that tolerate the virtual-node taint, ECS units none
// pinned to ECI.
func (o *ResourcePolicyOptions) warnPlacement(app *unstructured.Unstructured) {
	var intolerant, pinned []string
	detected := o.nodes.Detect(app.Object)
	for _, role := range sparkapp.Roles {
		if !o.nodes.Tolerates(app.Object, role) {
			intolerant = append(intolerant, roleName(role))
		}
		if detected.Of(role) == placement.ECI {
			pinned = append(pinned, roleName(role))
		}
	}
	hasOther := false
	for _, u := range o.spec.Units {
		hasOther = hasOther || u.Resource != "eci"
	}
	if o.spec.HasUnit("eci") && len(intolerant) > 0 {
		fmt.Fprintf(o.ErrOut, "Warning: %s: the %s do not tolerate the taint %s, so the eci units cannot take them: add --place to add the toleration\n",
			o.name, strings.Join(intolerant, " and "), o.Taint)
	}
	if hasOther && len(pinned) > 0 {
		fmt.Fprintf(o.ErrOut, "Warning: %s: the %s are pinned to virtual nodes (required node affinity), so the other units cannot take them: add --place to leave the choice to the policy\n",
			o.name, strings.Join(pinned, " and "))
	}
}

func roleName(role sparkapp.Role) string {
	if role == sparkapp.Driver {
		return "driver pods"
	}
	return "executors"
}

// delete removes the policy; a policy already gone is no error, so that
// cleanup scripts can run it twice.
func (o *ResourcePolicyOptions) delete(ctx context.Context, policies dynamic.ResourceInterface) error {
	current, err := policies.Get(ctx, o.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		fmt.Fprintf(o.ErrOut, "%s.%s %q not found in namespace %q: nothing to delete\n",
			resourcepolicy.Resource.Resource, resourcepolicy.GroupVersion.Group, o.name, o.namespace)
		return nil
	}
	if err != nil {
		return fmt.Errorf("read resourcepolicy %s: %w", o.name, o.explain(err))
	}
	if o.dryRun != dryRunClient {
		uid := current.GetUID()
		opts := metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}}
		if o.dryRun == dryRunServer {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		if err := policies.Delete(ctx, o.name, opts); err != nil {
			return fmt.Errorf("delete resourcepolicy %s: %w", o.name, o.explain(err))
		}
	}
	printer, err := o.toPrinter("deleted")
	if err != nil {
		return err
	}
	return printer.PrintObj(current, o.Out)
}
