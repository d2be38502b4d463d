package cmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/resourcepolicy"
)

const resourcePolicyExample = `  # Up to 2 pods of spark-pi on ECS nodes, then up to 3 on ECI (the guide's example)
  kubectl spark-eci resource-policy spark-pi --ecs-max=2 --eci-max=3 --place

  # The same, with units in full: ECS nodes of one architecture first
  kubectl spark-eci resource-policy spark-pi --unit ecs:2:kubernetes.io/arch=amd64 --unit eci:3

  # Wait up to a minute for ECS capacity before going on to ECI
  kubectl spark-eci resource-policy spark-pi --ecs-max=10 --eci-max=50 \
      --when-try-next-units=TimeoutOrExceedMax --when-try-next-units-timeout=1m

  # Pods that no single application owns, by label
  kubectl spark-eci resource-policy team-ml --selector team=ml --unit ecs:20 --unit eci

  # Show the object without creating it; remove it again
  kubectl spark-eci resource-policy spark-pi --ecs-max=2 --eci-max=3 --dry-run=client -o yaml
  kubectl spark-eci resource-policy spark-pi --delete`

// ResourcePolicyOptions creates, updates or deletes the ACK ResourcePolicy of
// a Spark application.
type ResourcePolicyOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	PrintFlags  *PrintFlags

	Units                []unitArg
	PreemptPolicy        string
	IgnorePreviousPod    bool
	IgnoreTerminatingPod bool
	TryNextPolicy        string
	TryNextTimeout       string
	Selector             string
	Place                bool
	Restart              bool
	Via                  string
	NodeLabel            string
	Taint                string
	Delete               bool
	DryRun               string
	FieldManager         string
	operator             operatorOptions

	name      string
	namespace string
	spec      resourcepolicy.Spec
	nodes     placement.VirtualNodes
	dryRun    dryRunStrategy
	toPrinter func(operation string) (printers.ResourcePrinter, error)

	genericiooptions.IOStreams
}

// unitArg is one unit as given on the command line, kept in order whichever
// flag gave it.
type unitArg struct {
	flag, value string
}

// unitFlag appends what --unit, --ecs-max or --eci-max give to one list, so
// that the units keep the order of the command line.
type unitFlag struct {
	units    *[]unitArg
	name     string
	resource string // "" for --unit
}

func (f *unitFlag) Set(s string) error {
	*f.units = append(*f.units, unitArg{flag: f.name, value: s})
	return nil
}

func (f *unitFlag) String() string { return "" }

func (f *unitFlag) Type() string {
	if f.resource == "" {
		return "unit"
	}
	return "int"
}

// parse reads a unit the flag gave.
func (u unitArg) parse() (resourcepolicy.Unit, error) {
	resource, ok := strings.CutSuffix(u.flag, "-max")
	if !ok {
		unit, err := resourcepolicy.ParseUnit(u.value)
		if err != nil {
			return unit, fmt.Errorf("--unit %q: %w", u.value, err)
		}
		return unit, nil
	}
	max, err := resourcepolicy.ParseMax(u.value)
	if err != nil {
		return resourcepolicy.Unit{}, fmt.Errorf("--%s: %w", u.flag, err)
	}
	return resourcepolicy.Unit{Resource: resource, Max: &max}, nil
}

// NewResourcePolicyOptions returns options with the guide's values as defaults.
func NewResourcePolicyOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *ResourcePolicyOptions {
	return &ResourcePolicyOptions{
		ConfigFlags:          configFlags,
		PrintFlags:           NewPrintFlags("configured").WithTypeSetter(scheme.Scheme),
		PreemptPolicy:        resourcepolicy.DefaultPreemptPolicy,
		IgnorePreviousPod:    resourcepolicy.DefaultIgnorePreviousPod,
		IgnoreTerminatingPod: resourcepolicy.DefaultIgnoreTerminatingPod,
		Via:                  string(placement.ViaSpec),
		NodeLabel:            placement.DefaultNodeLabel,
		Taint:                placement.DefaultTaint,
		DryRun:               "none",
		FieldManager:         "kubectl-spark-eci",
		IOStreams:            streams,
	}
}

// NewCmdResourcePolicy builds "kubectl spark-eci resource-policy".
func NewCmdResourcePolicy(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewResourcePolicyOptions(configFlags, streams)
	cmd := &cobra.Command{
		Use:   "resource-policy NAME (--unit=RESOURCE[:MAX[:LABEL=VALUE,...]]... | --ecs-max=N --eci-max=N) | NAME --delete",
		Short: "Spread the pods of a Spark application over ECS and ECI in priority order (ACK ResourcePolicy)",
		Long: `Create or update the ACK ResourcePolicy (scheduling.alibabacloud.com/v1alpha1) named
after a SparkApplication, in its namespace: the ACK scheduler puts the application's
pods into the units in the order given, each up to its max, and removes them in
reverse order. Pods are counted per submission (matchLabelKeys:
sparkoperator.k8s.io/submission-id), so every run of the application starts afresh.

Units: --unit RESOURCE[:MAX[:LABEL=VALUE,...]] where RESOURCE is ecs, eci, elastic
or acs, MAX caps the unit's pods (empty: no cap) and the labels select its nodes;
--ecs-max=N and --eci-max=N are short for --unit ecs:N and --unit eci:N. Units keep
the order of the command line.

An ECI unit can only take pods that tolerate the virtual-node taint. The command
says so when the application's pods do not, and --place adds the toleration to the
driver and the executors (no node affinity: the policy decides), the way place does:
the Spark operator resubmits an application whose spec changes, so an active one
is changed only with --restart.

The policy is written with server-side apply under the plugin's field manager:
fields of the policy it does not set (whenTryNextUnits, unless given; labels;
anything added by hand) are left as they are.`,
		Example: resourcePolicyExample,
		Args:    cobra.ExactArgs(1),
		RunE:    runCommand(o),
	}

	o.PrintFlags.AddFlags(cmd)
	flags := cmd.Flags()
	o.addUnitFlags(flags)
	flags.StringVar(&o.PreemptPolicy, "preempt-policy", o.PreemptPolicy, "When the scheduler may preempt: AfterAllUnits or BeforeNextUnit.")
	flags.BoolVar(&o.IgnorePreviousPod, "ignore-previous-pod", o.IgnorePreviousPod, "Do not count pods scheduled before the policy existed.")
	flags.BoolVar(&o.IgnoreTerminatingPod, "ignore-terminating-pod", o.IgnoreTerminatingPod, "Do not count terminating pods.")
	flags.StringVar(&o.TryNextPolicy, "when-try-next-units", o.TryNextPolicy, "When a pod may go on to the next unit: "+strings.Join(resourcepolicy.TryNextPolicies, ", ")+" (default: the scheduler's, LackResourceOrExceedMax).")
	flags.StringVar(&o.TryNextTimeout, "when-try-next-units-timeout", o.TryNextTimeout, "How long a pod waits for its unit under TimeoutOrExceedMax or Timeout (default: the scheduler's, 15m).")
	flags.StringVarP(&o.Selector, "selector", "l", o.Selector, "The pods the policy applies to (KEY=VALUE,...), in place of the application's; NAME then need not be an application.")
	flags.BoolVar(&o.Place, "place", o.Place, "Make the application's driver and executors tolerate the virtual-node taint, as place does.")
	flags.BoolVar(&o.Restart, "restart", o.Restart, "With --place, change an active application too: the Spark operator kills and resubmits it.")
	flags.StringVar(&o.Via, "via", o.Via, "With --place, where the toleration goes: spec (needs the operator's webhook) or template (pod templates, Spark 3+).")
	o.operator.addFlag(flags)
	addVirtualNodeFlags(flags, &o.NodeLabel, &o.Taint)
	flags.BoolVar(&o.Delete, "delete", o.Delete, "Delete the policy instead.")
	addDryRunFlag(cmd, &o.DryRun)
	addFieldManagerFlag(flags, &o.FieldManager)

	cmd.ValidArgsFunction = resourcePolicyArgs.complete(configFlags, 1)
	for name, complete := range map[string]cobra.CompletionFunc{
		"preempt-policy":      fixedValues(resourcepolicy.AfterAllUnits, resourcepolicy.BeforeNextUnit),
		"when-try-next-units": fixedValues(resourcepolicy.TryNextPolicies...),
		"unit":                fixedValues(resourcepolicy.ResourceKinds...),
		"via":                 fixedValues(string(placement.ViaSpec), string(placement.ViaTemplate)),
		"output":              fixedValues(o.PrintFlags.AllowedFormats()...),
	} {
		_ = cmd.RegisterFlagCompletionFunc(name, complete)
	}
	return cmd
}

// addUnitFlags adds --unit, --ecs-max and --eci-max, which fill one list.
func (o *ResourcePolicyOptions) addUnitFlags(flags *pflag.FlagSet) {
	flags.Var(&unitFlag{units: &o.Units, name: "unit"}, "unit", "A scheduling unit, RESOURCE[:MAX[:LABEL=VALUE,...]] (resource ecs, eci, elastic or acs); repeat it, in priority order.")
	flags.Var(&unitFlag{units: &o.Units, name: "ecs-max", resource: "ecs"}, "ecs-max", "A unit of up to N pods on ECS nodes (--unit ecs:N).")
	flags.Var(&unitFlag{units: &o.Units, name: "eci-max", resource: "eci"}, "eci-max", "A unit of up to N pods on ECI (--unit eci:N).")
}

// Complete reads the flags into the policy's spec.
func (o *ResourcePolicyOptions) Complete(cmd *cobra.Command, args []string) error {
	var err error
	if o.dryRun, err = parseDryRun(o.DryRun); err != nil {
		return err
	}
	if o.name, err = resourcePolicyName(args[0]); err != nil {
		return err
	}
	if o.namespace, _, err = o.ConfigFlags.ToRawKubeConfigLoader().Namespace(); err != nil {
		return fmt.Errorf("read kubeconfig: %w", err)
	}
	if o.nodes, err = placement.ParseVirtualNodes(o.NodeLabel, o.Taint); err != nil {
		return err
	}
	if err := o.operator.complete(); err != nil {
		return err
	}
	o.toPrinter = o.PrintFlags.printerFor(o.dryRun)
	if o.Delete {
		return o.checkDeleteFlags(cmd.Flags())
	}

	o.spec = resourcepolicy.Spec{
		Name:                 o.name,
		Namespace:            o.namespace,
		Selector:             resourcepolicy.AppSelector(o.name),
		PreemptPolicy:        o.PreemptPolicy,
		IgnorePreviousPod:    o.IgnorePreviousPod,
		IgnoreTerminatingPod: o.IgnoreTerminatingPod,
	}
	for _, arg := range o.Units {
		unit, err := arg.parse()
		if err != nil {
			return err
		}
		o.spec.Units = append(o.spec.Units, unit)
	}
	if o.Selector != "" {
		sel, err := labels.ConvertSelectorToLabelsMap(o.Selector)
		if err != nil {
			return fmt.Errorf("--selector %q: a ResourcePolicy selects pods by KEY=VALUE labels only: %w", o.Selector, err)
		}
		o.spec.Selector = sel
	}
	if o.spec.TryNext, err = resourcepolicy.ParseTryNext(o.TryNextPolicy, o.TryNextTimeout); err != nil {
		return fmt.Errorf("--when-try-next-units: %w", err)
	}
	if _, err := placement.ParseVia(o.Via); err != nil {
		return err
	}
	return nil
}

// checkDeleteFlags refuses flags that describe a policy along with --delete:
// the user may have meant something else.
func (o *ResourcePolicyOptions) checkDeleteFlags(flags *pflag.FlagSet) error {
	var given []string
	for _, name := range []string{"unit", "ecs-max", "eci-max", "preempt-policy", "ignore-previous-pod", "ignore-terminating-pod",
		"when-try-next-units", "when-try-next-units-timeout", "selector", "place", "restart", "via"} {
		if flags.Changed(name) {
			given = append(given, "--"+name)
		}
	}
	if len(given) > 0 {
		return fmt.Errorf("--delete cannot be combined with %s", strings.Join(given, ", "))
	}
	return nil
}

// resourcePolicyName is the name of the policy: its application's.
func resourcePolicyName(arg string) (string, error) {
	ref, err := resourcePolicyArgs.resolve(arg)
	return ref.name, err
}

// Validate checks that the flags make sense together.
func (o *ResourcePolicyOptions) Validate() error {
	if o.Delete {
		if o.PrintFlags.OutputFormat != nil && *o.PrintFlags.OutputFormat != "" && *o.PrintFlags.OutputFormat != "name" {
			return errors.New("--delete prints names only: -o name, or no -o")
		}
		return nil
	}
	if len(o.spec.Units) == 0 {
		return errors.New("no units: give them in priority order with --unit RESOURCE[:MAX[:LABEL=VALUE,...]], or --ecs-max=N and --eci-max=N")
	}
	if err := o.spec.Validate(); err != nil {
		return err
	}
	if o.Restart && !o.Place {
		return errors.New("--restart goes with --place: without it the application is not changed")
	}
	if _, err := o.toPrinter("configured"); err != nil {
		return err
	}
	return nil
}
