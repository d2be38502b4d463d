package cmd

import (
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/resource"
	"k8s.io/client-go/tools/clientcmd/api"
)

// Shell completion works through kubectl: kubectl runs the helper
// kubectl_complete-spark_eci, which asks this binary's hidden __complete
// command. The functions here answer for arguments and flag values, reading
// names from the cluster the flags typed so far point at.

// completeNames lists the names of the objects of resourceType that start
// with prefix, in the namespace of the flags. Errors mean no suggestions: a
// completion must never print one.
func completeNames(f *genericclioptions.ConfigFlags, resourceType, prefix, selector string) []string {
	namespace, _, err := f.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil
	}
	result := resource.NewBuilder(f).
		Unstructured().
		NamespaceParam(namespace).DefaultNamespace().
		LabelSelectorParam(selector).
		ResourceTypeOrNameArgs(true, resourceType).
		ContinueOnError().
		Flatten().
		Do()
	infos, err := result.Infos()
	if err != nil && len(infos) == 0 {
		return nil
	}
	var names []string
	for _, info := range infos {
		if strings.HasPrefix(info.Name, prefix) {
			names = append(names, info.Name)
		}
	}
	return names
}

func withPrefix(prefix string, names []string) []string {
	for i := range names {
		names[i] = prefix + names[i]
	}
	return names
}

// fixedValues completes a flag from a fixed list of values.
func fixedValues(values ...string) cobra.CompletionFunc {
	return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
}

// registerConfigFlagCompletion completes the kubeconfig flags as kubectl
// does: namespaces from the cluster, contexts, clusters and users from the
// kubeconfig.
func registerConfigFlagCompletion(cmd *cobra.Command, f *genericclioptions.ConfigFlags) {
	fromKubeconfig := func(pick func(*api.Config) []string) cobra.CompletionFunc {
		return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			raw, err := f.ToRawKubeConfigLoader().RawConfig()
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []string
			for _, name := range pick(&raw) {
				if strings.HasPrefix(name, toComplete) {
					out = append(out, name)
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		}
	}
	_ = cmd.RegisterFlagCompletionFunc("namespace", func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return completeNames(f, "namespaces", toComplete, ""), cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("context", fromKubeconfig(func(c *api.Config) []string { return slices.Sorted(maps.Keys(c.Contexts)) }))
	_ = cmd.RegisterFlagCompletionFunc("cluster", fromKubeconfig(func(c *api.Config) []string { return slices.Sorted(maps.Keys(c.Clusters)) }))
	_ = cmd.RegisterFlagCompletionFunc("user", fromKubeconfig(func(c *api.Config) []string { return slices.Sorted(maps.Keys(c.AuthInfos)) }))
}
