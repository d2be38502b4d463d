package cmd

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// The write path of place, for the commands that place an application as
// they go (resource-policy --place, image-cache create --place): they check
// first what place would refuse, then place through place itself.

// placeFrom places one application (ref: TYPE/NAME) through place's own
// Complete, Validate and Run: its conflict-guarded patch, its refusal of
// active applications, its printing. set gives place's flags their values;
// adjust, when not nil, sets what no flag of place says.
func placeFrom(ctx context.Context, configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams,
	ref string, set func(*PlaceOptions), adjust func(*placement.Request)) error {
	p := NewPlaceOptions(configFlags, streams)
	set(p)
	if err := p.Complete(nil, []string{ref}); err != nil {
		return err
	}
	if adjust != nil {
		adjust(&p.request)
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if format := p.PrintFlags.OutputFormat; format != nil && *format == "yaml" {
		// Two printers, one stream: keep it a valid multi-document YAML.
		fmt.Fprintln(streams.Out, "---")
	}
	return p.Run(ctx)
}

// wouldRefuse is place's refusal, told before anything is written: req
// changes an active application, and restart was not given.
func wouldRefuse(app *unstructured.Unstructured, req placement.Request, restart bool) error {
	res, err := placement.Apply(app.Object, req)
	if err != nil {
		return fmt.Errorf("%s: %w", app.GetName(), err)
	}
	if change := sparkapp.OnSpecChange(app.GetKind(), sparkapp.StateOf(app.Object)); res.Changed && change.Disruptive && !restart {
		return fmt.Errorf("refusing to change an active application without --restart (the Spark operator resubmits an application whose spec changes): %s: %s",
			app.GetName(), change.Effect)
	}
	return nil
}
