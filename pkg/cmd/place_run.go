package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/cli-runtime/pkg/resource"
	admissionregistrationv1 "k8s.io/client-go/kubernetes/typed/admissionregistration/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placer"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// placePlan is what place will do to one object. An object of another kind
// than the Spark applications has only its info: place never writes it.
type placePlan struct {
	info         *resource.Info
	*placer.Plan // nil for an object of another kind
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
		if o.targets.named() || selecting {
			return errors.New("--local transforms the files of -f only: names, --selector and --all need a cluster")
		}
		if o.dryRun == dryRunServer {
			return errors.New("--local cannot be combined with --dry-run=server")
		}
	} else if !o.targets.named() && !selecting && len(o.FilenameOptions.Filenames) == 0 {
		return errNoTargets
	}
	if selecting && len(o.targets.refs) > 0 {
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
	operator := o.operator.withoutCluster()
	var served []refKind
	if !o.Local {
		var err error
		if served, err = o.servedKinds(); err != nil {
			return err
		}
		operator = o.operator.known(ctx, o.ConfigFlags, o.ErrOut)
	}
	o.placer = &placer.Placer{Request: o.request, Operator: operator, Restart: o.Restart, GatesFlag: operatorGatesFlag}
	infos, err := o.infos(ctx, o.targets.builderArgs(served))
	if err != nil {
		return err
	}
	skipped, err := o.sparkObjects(ctx, infos)
	if err != nil {
		return err
	}
	plans := make([]*placePlan, 0, len(infos))
	var spark []*placer.Plan
	for _, info := range infos {
		p := &placePlan{info: info}
		if isSparkObject(info) {
			var err error
			if p.Plan, err = o.plan(info); err != nil {
				return err
			}
			spark = append(spark, p.Plan)
		}
		plans = append(plans, p)
	}
	if err := o.placer.Refusal(spark...); err != nil {
		return err
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
		case p.Plan != nil:
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
func (o *PlaceOptions) sparkObjects(ctx context.Context, infos []*resource.Info) ([]string, error) {
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
				return nil, o.explain(notFoundIn(ctx, o.ConfigFlags, info.Namespace, err))
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

func (o *PlaceOptions) infos(ctx context.Context, builderArgs []string) ([]*resource.Info, error) {
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
			ResourceTypeOrNameArgs(false, builderArgs...)
	}
	infos, err := b.Do().Infos()
	unserved, err := unservedKinds(err)
	if err != nil {
		return nil, o.explain(notFoundIn(ctx, o.ConfigFlags, o.namespace, err))
	}
	for _, u := range unserved {
		if len(infos) == 0 {
			return nil, u.err
		}
		fmt.Fprintf(o.ErrOut, "Skipped %s: %v\n", countOf(u.documents, "document", "documents"), u.err)
	}
	if len(infos) == 0 {
		return nil, fmt.Errorf("no applications found in namespace %q", o.namespace)
	}
	return infos, nil
}

// unserved is a kind of the documents of -f that the server does not serve.
type unserved struct {
	err       error // what the server lacks
	documents int
}

// unservedKinds takes out of the builder's error the documents whose kind the
// server does not serve, as --local passes over what it does not place: they
// are skipped, each kind on a line. What is left is an error.
func unservedKinds(err error) ([]unserved, error) {
	if err == nil {
		return nil, nil
	}
	errs := []error{err}
	if agg, ok := err.(utilerrors.Aggregate); ok {
		errs = agg.Errors()
	}
	var kinds []unserved
	index := map[schema.GroupKind]int{}
	var rest []error
	for _, e := range errs {
		var noKind *meta.NoKindMatchError
		if !errors.As(e, &noKind) {
			rest = append(rest, e)
			continue
		}
		i, seen := index[noKind.GroupKind]
		if !seen {
			i = len(kinds)
			index[noKind.GroupKind] = i
			why := fmt.Errorf("the server does not serve %s (%v)", noKind.GroupKind, noKind)
			for _, t := range refTypes {
				if t.crd.gk == noKind.GroupKind {
					why = t.crd.missing(noKind)
				}
			}
			kinds = append(kinds, unserved{err: why})
		}
		kinds[i].documents++
	}
	return kinds, utilerrors.Reduce(utilerrors.NewAggregate(rest))
}

func (o *PlaceOptions) plan(info *resource.Info) (*placer.Plan, error) {
	obj, ok := info.Object.(*unstructured.Unstructured)
	if !ok {
		return nil, fmt.Errorf("%s: unexpected object %T", info.Name, info.Object)
	}
	return o.placer.Plan(obj)
}

// apply writes one plan (or, with --local or --dry-run=client, only prints it)
// and prints the outcome.
func (o *PlaceOptions) apply(ctx context.Context, p *placePlan) error {
	name := p.info.Name
	if !p.Result.Changed {
		return o.print(p.Before, "unchanged")
	}
	for _, w := range p.Result.Warnings {
		fmt.Fprintf(o.ErrOut, "Warning: %s: %s\n", name, w)
	}
	if o.Diff {
		if err := writeSpecDiff(o.Out, name, p.Before.Object, p.Result.Object); err != nil {
			return err
		}
	}
	if o.Local {
		return o.print(&unstructured.Unstructured{Object: p.Result.Object}, placedResult(p.Result))
	}

	w := placer.Written{Object: &unstructured.Unstructured{Object: p.Result.Object}, Before: p.Before, Result: p.Result, Change: p.Change}
	if o.dryRun != dryRunClient {
		var err error
		if w, err = o.write(ctx, p); err != nil {
			return err
		}
		if !w.Result.Changed {
			return o.print(w.Object, "unchanged")
		}
	}
	if o.dryRun != dryRunNone {
		fmt.Fprintf(o.ErrOut, "%s: %s (not applied: dry run)\n", name, w.Change.Effect)
	} else {
		fmt.Fprintf(o.ErrOut, "%s: %s\n", name, w.Change.Effect)
	}
	return o.print(w.Object, placedResult(w.Result))
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
		changed = changed || p.Plan != nil && p.Result.Changed && !sparkapp.PodTemplateOnly(p.Result.Kind)
	}
	if !changed {
		return
	}
	config, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return
	}
	client, err := admissionregistrationv1.NewForConfig(config)
	if err != nil || !podWebhookMissing(readPodWebhook(ctx, client)) {
		return
	}
	fmt.Fprintln(o.ErrOut, "Warning: no mutating webhook of the Spark operator selects Spark pods: "+
		"tolerations and affinity in the application spec will not reach the pods; "+
		"enable the operator's webhook, or use --via=template (Spark 3+)")
}

func sourceOf(info *resource.Info) string {
	if info.Source != "" {
		return info.Source + ":"
	}
	return "object"
}
