package cmd

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	appsv1client "k8s.io/client-go/kubernetes/typed/apps/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// operatorGatesFlag is the flag every command that places takes for the
// operator's feature gates, and the placer's refusal names.
const operatorGatesFlag = "--operator-feature-gates"

// operatorOptions is what a command that places knows of the cluster's Spark
// operator, which decides what a change does to a running application.
type operatorOptions struct {
	// FeatureGates stands for the operator's own --feature-gates when its
	// controller Deployment cannot be read.
	FeatureGates string

	given sparkapp.Operator // what FeatureGates says
	// found is the operator already found, by the command that places
	// through place: place does not look again.
	found *sparkapp.Operator
}

func (o *operatorOptions) addFlag(flags *pflag.FlagSet) {
	flags.StringVar(&o.FeatureGates, operatorGatesFlag[2:], o.FeatureGates,
		"The feature gates the Spark operator's controller runs with (PartialRestart=true), for when its Deployment cannot be read; a Deployment that can be read wins.")
}

// complete reads the flag.
func (o *operatorOptions) complete() error {
	if o.FeatureGates == "" {
		return nil
	}
	var err error
	o.given, err = sparkapp.ParseFeatureGates(o.FeatureGates)
	return err
}

// withoutCluster is what is known of the operator without asking the
// cluster (place --local): what was found already, or the flag.
func (o *operatorOptions) withoutCluster() sparkapp.Operator {
	if o.found != nil {
		return *o.found
	}
	return o.given
}

// known is what is known of the cluster's Spark operator: what its
// controller Deployment says, as its Helm chart labels it, when the user may
// list Deployments; else what the flag says; else nothing, and no feature
// gate is assumed. The Deployment wins over the flag: a flag that is wrong
// would let through a change that restarts. It is looked up once.
func (o *operatorOptions) known(ctx context.Context, configFlags *genericclioptions.ConfigFlags, errOut io.Writer) sparkapp.Operator {
	if o.found != nil {
		return *o.found
	}
	found := findOperator(ctx, configFlags)
	switch {
	case found.From == "":
		found = o.given // from the flag, or nothing
	case o.FeatureGates != "" && found.PartialRestart != o.given.PartialRestart:
		fmt.Fprintf(errOut, "Warning: %s says PartialRestart=%t, the operator's %s says %t: going by the %s\n",
			operatorGatesFlag, o.given.PartialRestart, found.From, found.PartialRestart, found.From)
	}
	o.found = &found
	return found
}

// findOperator reads the cluster's Spark operator from its controller
// Deployments; nothing when the user may not list them, or there is none.
func findOperator(ctx context.Context, configFlags *genericclioptions.ConfigFlags) sparkapp.Operator {
	config, err := configFlags.ToRESTConfig()
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
