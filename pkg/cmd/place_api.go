package cmd

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placer"
)

// The write path of place, for the commands that place an application as
// they go (resource-policy --place, image-cache create --place): they check
// first, with place's placer and the operator place would know, what place
// would refuse; then they place through place itself.

// placeFrom places one application (ref: TYPE/NAME) through place's own
// Complete, Validate and Run: its placer, its printing. operator is what the
// command knows of the Spark operator (place does not look it up again);
// set gives place's flags their values; adjust, when not nil, sets what no
// flag of place says.
func placeFrom(ctx context.Context, configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams,
	ref string, operator operatorOptions, set func(*PlaceOptions), adjust func(*placement.Request)) error {
	p := NewPlaceOptions(configFlags, streams)
	set(p)
	p.operator = operator
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

// checkPlacing is place's verdict on placing app with req, told before
// anything is written: place's placer, with the operator place would know,
// refuses a change that restarts an active application without restart, and
// says why an application cannot take the request.
func checkPlacing(ctx context.Context, configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams,
	operator *operatorOptions, app *unstructured.Unstructured, req placement.Request, restart bool) error {
	pl := &placer.Placer{Request: req, Operator: operator.known(ctx, configFlags, streams.ErrOut), Restart: restart, GatesFlag: operatorGatesFlag}
	plan, err := pl.Plan(app)
	if err != nil {
		return err
	}
	return pl.Refusal(plan)
}
