package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/cli-runtime/pkg/resource"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placer"
)

const placeExample = `  # Run the executors of spark-pi on ECI virtual nodes
  kubectl spark-eci place spark-pi --executors=eci

  # Prefer ECS nodes and overflow onto ECI, with an automatic ECI image cache
  kubectl spark-eci place spark-pi --preset=ecs-first --image-cache=auto

  # Keep the drivers of a team's applications on ECS, executors on spot ECI
  kubectl spark-eci place -l team=ml --driver=ecs --executors=eci --spot

  # Future runs of a scheduled application
  kubectl spark-eci place scheduledsparkapplication/nightly --preset=driver-on-ecs

  # A SparkConnect: its server (--driver) on ECS, its executors on ECI
  kubectl spark-eci place sparkconnect/spark-connect --preset=driver-on-ecs

  # Transform a manifest without a cluster (GitOps)
  kubectl spark-eci place -f spark-pi.yaml --local --preset=eci-only -o yaml

  # Show what would change, without changing it
  kubectl spark-eci place spark-pi --executors=eci --diff --dry-run=server`

// PlaceOptions patches SparkApplications with a placement preset.
type PlaceOptions struct {
	ConfigFlags     *genericclioptions.ConfigFlags
	PrintFlags      *PrintFlags
	FilenameOptions resource.FilenameOptions

	Preset         string
	Driver         string
	Executors      string
	ImageCache     string
	Spot           string
	SpotPriceLimit string
	SpotDuration   string
	SpotFallback   string
	// ECI's pod options, on the roles that may run on ECI.
	EphemeralStorage string
	InstanceTypes    string
	VSwitches        string
	ZoneStrategy     string
	NodeLabel        string
	Taint            string
	Via              string
	Selector         string
	All              bool
	Local            bool
	DryRun           string
	Diff             bool
	FieldManager     string
	Restart          bool
	operator         operatorOptions

	request          placement.Request
	placer           *placer.Placer // the request, the operator, --restart
	dryRun           dryRunStrategy
	namespace        string
	enforceNamespace bool
	targets          placeTargets
	toPrinter        func(operation string) (printers.ResourcePrinter, error)

	genericiooptions.IOStreams
}

// NewPlaceOptions returns options with kubectl's defaults.
func NewPlaceOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *PlaceOptions {
	return &PlaceOptions{
		ConfigFlags:  configFlags,
		PrintFlags:   NewPrintFlags("placed").WithTypeSetter(scheme.Scheme),
		NodeLabel:    placement.DefaultNodeLabel,
		Taint:        placement.DefaultTaint,
		Via:          string(placement.ViaSpec),
		DryRun:       "none",
		FieldManager: "kubectl-spark-eci",
		IOStreams:    streams,
	}
}

// NewCmdPlace builds "kubectl spark-eci place".
func NewCmdPlace(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewPlaceOptions(configFlags, streams)
	cmd := &cobra.Command{
		Use:   "place [(TYPE/)NAME ...] [--preset=PRESET | --driver=TARGET --executors=TARGET]",
		Short: "Place the driver and executors of Spark applications on ECS or ECI nodes",
		Long: `Patch SparkApplications (or the template of ScheduledSparkApplications) in place
so that their driver and executor pods run on ECS nodes, on ECI virtual nodes, or on
both with a preference, as in Alibaba Cloud's guide to Spark on ECI.

Targets, per role:
  ecs        no toleration of the virtual-node taint: pods stay on ECS nodes
  eci        toleration and required node affinity: pods run only on ECI
  ecs-first  toleration and preferred affinity for ECS: overflow onto ECI
  eci-first  toleration and preferred affinity for ECI: fall back to ECS

Presets: ecs-only, eci-only, ecs-first, driver-on-ecs (driver ecs, executors eci).

A SparkConnect (sparkconnect/NAME) is placed the same way, its server as the driver,
in its pod templates (spec.server.template, spec.executor.template; --via does not
apply). The operator uses them only when it creates the server pod (NAME-server):
a change reaches a running server, and its executors, once that pod is deleted.

Only the toleration of the virtual-node taint and the node-affinity expressions on
the virtual-node label belong to place: everything else in the application is kept
as it is, so targets can be switched back and forth.

Image cache, on the roles that may run on ECI: auto lets ECI match a cache and create
one on a miss (k8s.aliyun.com/eci-image-cache), imc-... pins a cache
(k8s.aliyun.com/eci-image-snapshot-id), and off turns ECI's matching off
(k8s.aliyun.com/eci-auto-imc: "false"; ECI matches by default). Each form replaces
the image-cache annotations the roles held before.

ECI's pod options, on the roles that may run on ECI (spot ones on the executors), each
removed again with off: --ephemeral-storage (k8s.aliyun.com/eci-extra-ephemeral-storage),
--instance-types (eci-use-specs), --vswitches and --zone-strategy (eci-vswitch,
eci-schedule-strategy), --spot-duration and --spot-fallback (beside --spot).

The Spark operator kills and resubmits an application whose spec changes (under its
v2.5 PartialRestart gate, but for changes of the executors' placement alone). place
refuses to change an active application unless --restart is given.`,
		Example: placeExample,
		RunE:    runCommand(o),
	}

	o.PrintFlags.AddFlags(cmd)
	flags := cmd.Flags()
	flags.StringVar(&o.Preset, "preset", o.Preset, "Targets of both roles: one of "+strings.Join(placement.PresetNames(), ", ")+".")
	flags.StringVar(&o.Driver, "driver", o.Driver, "Target of the driver (a SparkConnect's server): ecs, eci, ecs-first or eci-first.")
	flags.StringVar(&o.Executors, "executors", o.Executors, "Target of the executors: ecs, eci, ecs-first or eci-first.")
	flags.StringVar(&o.ImageCache, "image-cache", o.ImageCache, "ECI image cache of the pods that may run on ECI: auto, off (no matching, which ECI does by default), or an image cache id (imc-...).")
	flags.StringVar(&o.Spot, "spot", o.Spot, "Run the executors on ECI spot instances (executors), or stop doing so (off).")
	flags.Lookup("spot").NoOptDefVal = "executors"
	flags.StringVar(&o.SpotPriceLimit, "spot-price-limit", o.SpotPriceLimit, "Hourly price cap of the executors' spot instances (SpotWithPriceLimit); implies --spot.")
	flags.StringVar(&o.SpotDuration, "spot-duration", o.SpotDuration, "Hours a spot executor is protected from being reclaimed: 1 (ECI's default) or 0; off removes it.")
	flags.StringVar(&o.SpotFallback, "spot-fallback", o.SpotFallback, "Let ECI run an executor pay-as-you-go when no spot instance is to be had (true); false removes it.")
	flags.Lookup("spot-fallback").NoOptDefVal = "true"
	flags.StringVar(&o.EphemeralStorage, "ephemeral-storage", o.EphemeralStorage, "Temporary storage ECI adds to each pod's free 30 GiB, where Spark spills shuffle data (50Gi); off removes it.")
	flags.StringVar(&o.InstanceTypes, "instance-types", o.InstanceTypes, "ECI instance specs, in order of preference, at most 5: vCPU-memory (2-4Gi) or ECS types (ecs.c6.xlarge); off removes them.")
	flags.StringVar(&o.VSwitches, "vswitches", o.VSwitches, "vSwitch ids (vsw-...) of the zones ECI may create the pods in, comma-separated; off removes them.")
	flags.StringVar(&o.ZoneStrategy, "zone-strategy", o.ZoneStrategy, "How ECI picks among the vSwitches: VSwitchOrdered (in order) or VSwitchRandom (spread); off removes it.")
	addVirtualNodeFlags(flags, &o.NodeLabel, &o.Taint)
	flags.StringVar(&o.Via, "via", o.Via, "Where tolerations and affinity go: spec (needs the operator's webhook) or template (pod templates, Spark 3+).")
	flags.StringVarP(&o.Selector, "selector", "l", o.Selector, "Selector (label query) of the applications to place.")
	flags.BoolVar(&o.All, "all", o.All, "Place every application in the namespace.")
	flags.BoolVar(&o.Local, "local", o.Local, "Transform the files given with -f without contacting the cluster.")
	addDryRunFlag(cmd, &o.DryRun)
	flags.BoolVar(&o.Diff, "diff", o.Diff, "Print a unified diff of each application's spec, before and after.")
	addFieldManagerFlag(flags, &o.FieldManager)
	flags.BoolVar(&o.Restart, "restart", o.Restart, "Change active applications too: the Spark operator kills and resubmits them.")
	o.operator.addFlag(flags)
	cmdFilenameFlags(flags, &o.FilenameOptions, "the manifests of the Spark applications (or SparkConnects) to place")

	cmd.ValidArgsFunction = placeArgs.complete(configFlags, 0)
	targets := make([]string, len(placement.Targets))
	for i, t := range placement.Targets {
		targets[i] = string(t)
	}
	for name, complete := range map[string]cobra.CompletionFunc{
		"preset":        fixedValues(placement.PresetNames()...),
		"driver":        fixedValues(targets...),
		"executors":     fixedValues(targets...),
		"image-cache":   fixedValues("auto", "off"),
		"spot":          fixedValues("executors", "off"),
		"spot-duration": fixedValues("1", "0", placement.Off),
		"spot-fallback": fixedValues("true", "false"),
		"zone-strategy": fixedValues(eci.VSwitchOrdered, eci.VSwitchRandom, placement.Off),
		"via":           fixedValues(string(placement.ViaSpec), string(placement.ViaTemplate)),
		"output":        fixedValues(o.PrintFlags.AllowedFormats()...),
	} {
		_ = cmd.RegisterFlagCompletionFunc(name, complete)
	}
	return cmd
}

// Complete reads the flags into a placement request and works out which
// objects the arguments name.
func (o *PlaceOptions) Complete(cmd *cobra.Command, args []string) error {
	var err error
	if o.dryRun, err = parseDryRun(o.DryRun); err != nil {
		return err
	}
	if o.request, err = o.placementRequest(); err != nil {
		return err
	}
	o.namespace, o.enforceNamespace, err = o.ConfigFlags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return fmt.Errorf("read kubeconfig: %w", err)
	}
	if o.targets, err = placeTargetsOf(args, o.Selector != "" || o.All); err != nil {
		return err
	}
	if err := o.operator.complete(); err != nil {
		return err
	}

	o.toPrinter = o.PrintFlags.printerFor(o.dryRun)
	return nil
}

func (o *PlaceOptions) placementRequest() (placement.Request, error) {
	var req placement.Request
	var err error
	if o.Preset != "" {
		if o.Driver != "" || o.Executors != "" {
			return req, fmt.Errorf("--preset cannot be combined with --driver or --executors")
		}
		preset, err := placement.ParsePreset(o.Preset)
		if err != nil {
			return req, err
		}
		req.Driver, req.Executor = preset.Driver, preset.Executor
	}
	if o.Driver != "" {
		if req.Driver, err = placement.ParseTarget(o.Driver); err != nil {
			return req, fmt.Errorf("--driver: %w", err)
		}
	}
	if o.Executors != "" {
		if req.Executor, err = placement.ParseTarget(o.Executors); err != nil {
			return req, fmt.Errorf("--executors: %w", err)
		}
	}
	if req.Via, err = placement.ParseVia(o.Via); err != nil {
		return req, err
	}
	if req.ImageCache, err = placement.ParseImageCache(o.ImageCache); err != nil {
		return req, err
	}
	if req.Spot, err = placement.ParseSpot(o.Spot, o.SpotPriceLimit); err != nil {
		return req, err
	}
	for _, opt := range []struct {
		value string
		parse func(string) (placement.PodOption, error)
	}{
		{o.SpotDuration, placement.ParseSpotDuration},
		{o.SpotFallback, placement.ParseSpotFallback},
		{o.EphemeralStorage, placement.ParseEphemeralStorage},
		{o.InstanceTypes, placement.ParseInstanceTypes},
		{o.VSwitches, placement.ParseVSwitches},
		{o.ZoneStrategy, placement.ParseZoneStrategy},
	} {
		option, err := opt.parse(opt.value)
		if err != nil {
			return req, err
		}
		req.Options = append(req.Options, option)
	}
	if req.Nodes, err = placement.ParseVirtualNodes(o.NodeLabel, o.Taint); err != nil {
		return req, err
	}
	return req, nil
}
