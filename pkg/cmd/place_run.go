package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/resource"
	admissionregistrationv1 "k8s.io/client-go/kubernetes/typed/admissionregistration/v1"
	appsv1client "k8s.io/client-go/kubernetes/typed/apps/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// placePlan is what place will do to one object. An object of another kind
// than the Spark applications has only its info: place never writes it.
type placePlan struct {
	info   *resource.Info
	before *unstructured.Unstructured
	result *placement.Result // nil for an object of another kind
	change sparkapp.SpecChange
}

// Validate checks that the flags make sense together.
func (o *PlaceOptions) Validate() error {
	r := o.request
	if r.AsksNothing() {
		return errors.New("nothing to do: give --preset, --driver, --executors, --image-cache, --spot or an ECI pod option (--ephemeral-storage, ...)")
	}
	selecting := o.Selector != "" || o.All
	if o.Selector != "" && o.All {
		return errors.New("--selector and --all cannot be combined")
	}
	if o.Local {
		if len(o.FilenameOptions.Filenames) == 0 {
			return errors.New("--local needs the manifests to transform: give them with -f FILE")
		}
		if len(o.resourceArgs) > 0 || selecting {
			return errors.New("--local transforms the files of -f only: names, --selector and --all need a cluster")
		}
		if o.dryRun == dryRunServer {
			return errors.New("--local cannot be combined with --dry-run=server")
		}
	} else if len(o.resourceArgs) == 0 && !selecting && len(o.FilenameOptions.Filenames) == 0 {
		return errors.New("give the applications to place: NAME, TYPE/NAME, -l SELECTOR, --all or -f FILE")
	}
	if selecting && len(o.resourceArgs) > 0 && (len(o.resourceArgs) > 1 || strings.Contains(o.resourceArgs[0], "/")) {
		return errors.New("names cannot be combined with --selector or --all")
	}
	if o.Diff && o.PrintFlags.OutputFormat != nil && *o.PrintFlags.OutputFormat != "" {
		return errors.New("--diff cannot be combined with -o: the diff is the output")
	}
	if _, err := o.toPrinter("placed"); err != nil {
		return err
	}
	return nil
}

// Run places each object: first every object is read and checked, then the
// changed ones are written, so that bad input changes nothing.
func (o *PlaceOptions) Run(ctx context.Context) error {
	if !o.Local {
		if err := o.checkResourceTypes(); err != nil {
			return err
		}
		o.operator = o.knownOperator(ctx)
	}
	infos, err := o.infos()
	if err != nil {
		return err
	}
	skipped, err := o.sparkObjects(infos)
	if err != nil {
		return err
	}
	plans := make([]*placePlan, 0, len(infos))
	var refused []string
	partialRestartHint := false
	for _, info := range infos {
		if !isSparkObject(info) {
			plans = append(plans, &placePlan{info: info})
			continue
		}
		p, err := o.plan(info)
		if err != nil {
			return err
		}
		if p.result.Changed && p.change.Disruptive && !o.Restart {
			refused = append(refused, fmt.Sprintf("%s: %s", info.Name, p.change.Effect))
			if o.operator.From == "" && sparkapp.WebhookFieldsOnlyChange(p.before.Object, p.result.Object) {
				partialRestartHint = true
			}
		}
		plans = append(plans, p)
	}
	if len(refused) > 0 {
		hint := ""
		if partialRestartHint {
			hint = " (its controller's Deployment could not be read: if it runs with --feature-gates=PartialRestart=true, which exempts the executors' placement, say so with --operator-feature-gates=PartialRestart=true)"
		}
		return fmt.Errorf("refusing to change active applications without --restart (the Spark operator resubmits an application whose spec changes): %s%s",
			strings.Join(refused, "; "), hint)
	}
	if !o.Local {
		o.warnIfNoPodWebhook(ctx, plans)
	}
	passThrough := o.Local && o.PrintFlags.printsDocuments()
	if len(skipped) > 0 && !passThrough {
		fmt.Fprintf(o.ErrOut, "Skipped, not Spark applications: %s\n", strings.Join(skipped, ", "))
	}
	for _, p := range plans {
		var err error
		switch {
		case p.result != nil:
			err = o.apply(ctx, p)
		case passThrough:
			err = o.print(p.info.Object.(*unstructured.Unstructured), "")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sparkObjects names, in the input's order, the objects that are not Spark
// applications, which place never writes (with --local and -o json|yaml it
// writes them back out as they are). An input without a Spark application is
// an error. Against a cluster, a Spark application read from a file is read
// again from the cluster, as kubectl does with the objects of -f.
func (o *PlaceOptions) sparkObjects(infos []*resource.Info) ([]string, error) {
	var skipped []string
	var firstOther *resource.Info
	spark := 0
	for _, info := range infos {
		if !isSparkObject(info) {
			skipped = append(skipped, nameOf(info))
			firstOther = cmp.Or(firstOther, info)
			continue
		}
		spark++
		if !o.Local && info.Source != "" {
			if err := info.Get(); err != nil {
				return nil, o.explain(err)
			}
		}
	}
	if spark == 0 {
		return nil, fmt.Errorf("%s %q is a %s: place works on SparkApplications, ScheduledSparkApplications and SparkConnects",
			sourceOf(firstOther), firstOther.Name, firstOther.Object.GetObjectKind().GroupVersionKind().Kind)
	}
	return skipped, nil
}

func isSparkObject(info *resource.Info) bool {
	return sparkapp.IsSparkKind(info.Object.GetObjectKind().GroupVersionKind().GroupKind())
}

// nameOf is an object's KIND[.GROUP]/NAME, as -o name writes it.
func nameOf(info *resource.Info) string {
	gvk := info.Object.GetObjectKind().GroupVersionKind()
	kind := strings.ToLower(gvk.Kind)
	if gvk.Group != "" {
		kind += "." + gvk.Group
	}
	return kind + "/" + info.Name
}

func (o *PlaceOptions) infos() ([]*resource.Info, error) {
	b := resource.NewBuilder(o.ConfigFlags).
		Unstructured().
		LocalParam(o.Local).
		ContinueOnError().
		NamespaceParam(o.namespace).DefaultNamespace().
		Flatten()
	b, err := filenameParam(b, o.enforceNamespace, &o.FilenameOptions)
	if err != nil {
		return nil, err
	}
	if !o.Local {
		b = b.LabelSelectorParam(o.Selector).
			SelectAllParam(o.All).
			ResourceTypeOrNameArgs(false, o.resourceArgs...)
	}
	infos, err := b.Do().Infos()
	if err != nil {
		return nil, o.explain(err)
	}
	if len(infos) == 0 {
		return nil, fmt.Errorf("no applications found in namespace %q", o.namespace)
	}
	return infos, nil
}

func (o *PlaceOptions) plan(info *resource.Info) (*placePlan, error) {
	obj, ok := info.Object.(*unstructured.Unstructured)
	if !ok {
		return nil, fmt.Errorf("%s: unexpected object %T", info.Name, info.Object)
	}
	result, err := placement.Apply(obj.Object, o.request)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", info.Name, err)
	}
	return &placePlan{
		info:   info,
		before: obj,
		result: result,
		change: o.operator.OnChange(obj.GetKind(), sparkapp.StateOf(obj.Object), obj.Object, result.Object),
	}, nil
}

// apply writes one plan (or, with --local or --dry-run=client, only prints it)
// and prints the outcome.
func (o *PlaceOptions) apply(ctx context.Context, p *placePlan) error {
	name := p.info.Name
	if !p.result.Changed {
		return o.print(p.before, "unchanged")
	}
	for _, w := range p.result.Warnings {
		fmt.Fprintf(o.ErrOut, "Warning: %s: %s\n", name, w)
	}
	if o.Diff {
		if err := writeSpecDiff(o.Out, name, p.before.Object, p.result.Object); err != nil {
			return err
		}
	}
	if o.Local {
		return o.print(&unstructured.Unstructured{Object: p.result.Object}, placedResult(p.result))
	}

	written, before, result := &unstructured.Unstructured{Object: p.result.Object}, p.before, p.result
	if o.dryRun != dryRunClient {
		var err error
		if written, before, result, err = o.patch(ctx, p); err != nil {
			return err
		}
		if !result.Changed {
			return o.print(written, "unchanged")
		}
	}
	change := o.operator.OnChange(written.GetKind(), sparkapp.StateOf(before.Object), before.Object, written.Object)
	if o.dryRun != dryRunNone {
		fmt.Fprintf(o.ErrOut, "%s: %s (not applied: dry run)\n", name, change.Effect)
	} else {
		fmt.Fprintf(o.ErrOut, "%s: %s\n", name, change.Effect)
	}
	return o.print(written, placedResult(result))
}

// placedResult is what -o name and the default output say of a placed object.
func placedResult(r *placement.Result) string {
	return "placed (" + r.Placement.Describe(r.Kind) + ")"
}

func (o *PlaceOptions) print(obj *unstructured.Unstructured, result string) error {
	printer, err := o.toPrinter(result)
	if err != nil {
		return err
	}
	return printer.PrintObj(obj, o.Out)
}

// warnIfNoPodWebhook warns when tolerations and affinity written into the spec
// cannot reach the pods: only the operator's mutating pod webhook copies them.
// When the user may not list webhook configurations, it says nothing.
func (o *PlaceOptions) warnIfNoPodWebhook(ctx context.Context, plans []*placePlan) {
	if o.request.Via != placement.ViaSpec || (o.request.Driver == "" && o.request.Executor == "") {
		return
	}
	changed := false
	for _, p := range plans {
		// A SparkConnect's placement is in its pod templates: no webhook needed.
		changed = changed || p.result != nil && p.result.Changed && !sparkapp.PodTemplateOnly(p.result.Kind)
	}
	if !changed {
		return
	}
	config, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return
	}
	client, err := admissionregistrationv1.NewForConfig(config)
	if err != nil || !podWebhookMissing(ctx, client) {
		return
	}
	fmt.Fprintln(o.ErrOut, "Warning: no mutating webhook of the Spark operator selects Spark pods: "+
		"tolerations and affinity in the application spec will not reach the pods; "+
		"enable the operator's webhook, or use --via=template (Spark 3+)")
}

// knownOperator is what place knows of the cluster's Spark operator: what
// its controller Deployment says, as its Helm chart labels it, when the user
// may list Deployments; else what --operator-feature-gates says; else
// nothing, and place assumes no feature gate. The Deployment wins over the
// flag: a flag that is wrong would let through a change that restarts.
func (o *PlaceOptions) knownOperator(ctx context.Context) sparkapp.Operator {
	found := o.findOperator(ctx)
	switch {
	case found.From == "":
		return o.operator // from the flag, or nothing
	case o.operatorGiven && found.PartialRestart != o.operator.PartialRestart:
		fmt.Fprintf(o.ErrOut, "Warning: --operator-feature-gates says PartialRestart=%t, the operator's %s says %t: going by the %s\n",
			o.operator.PartialRestart, found.From, found.PartialRestart, found.From)
	}
	return found
}

// findOperator reads the cluster's Spark operator from its controller
// Deployments; nothing when the user may not list them, or there is none.
func (o *PlaceOptions) findOperator(ctx context.Context) sparkapp.Operator {
	config, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return sparkapp.Operator{}
	}
	client, err := appsv1client.NewForConfig(config)
	if err != nil {
		return sparkapp.Operator{}
	}
	list, err := client.Deployments("").List(ctx, metav1.ListOptions{LabelSelector: sparkapp.ControllerSelector.String()})
	if err != nil {
		return sparkapp.Operator{}
	}
	return sparkapp.OperatorOfAll(list.Items)
}

func sourceOf(info *resource.Info) string {
	if info.Source != "" {
		return info.Source + ":"
	}
	return "object"
}
