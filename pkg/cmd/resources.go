package cmd

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

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
	for _, n := range sparkConnectTypeNames {
		names[n] = true
		names[n+"."+sparkapp.ConnectGroupVersion.Group] = true
		names[n+"."+sparkapp.ConnectGroupVersion.Version+"."+sparkapp.ConnectGroupVersion.Group] = true
	}
	return names
}()

// sparkConnectTypeNames are kubectl's names for a SparkConnect, without group.
var sparkConnectTypeNames = []string{"sparkconnects", "sparkconnect", "sparkconn"}

// refKind is what kind of object a TYPE/NAME argument names.
type refKind int

const (
	refUntyped   refKind = iota // NAME alone: each command says what it names
	refApp                      // app/NAME, or a SparkApplication's type names
	refScheduled                // a ScheduledSparkApplication's type names
	refConnect                  // a SparkConnect's type names
	refPod                      // pod/NAME, pods/NAME, po/NAME
	refOther                    // any other TYPE
)

// objectRef is an argument read as [TYPE/]NAME.
type objectRef struct {
	kind refKind
	typ  string // TYPE as written; "" for NAME alone
	name string
}

// parseRef reads an argument as [TYPE/]NAME, TYPE being app, pod or one of
// kubectl's names for the Spark kinds (sparkTypeNames). A partial argument
// (completion's) may end in "/"; a whole one may not: see needName.
func parseRef(arg string) objectRef {
	typ, name, typed := strings.Cut(arg, "/")
	if !typed {
		return objectRef{kind: refUntyped, name: arg}
	}
	t := strings.ToLower(typ)
	r := objectRef{kind: refOther, typ: typ, name: name}
	switch {
	case t == "app":
		r.kind = refApp
	case t == "pod" || t == "pods" || t == "po":
		r.kind = refPod
	case sparkTypeNames[t] && strings.HasPrefix(t, "scheduled"):
		r.kind = refScheduled
	case sparkTypeNames[t] && strings.HasPrefix(t, "sparkconn"):
		r.kind = refConnect
	case sparkTypeNames[t]:
		r.kind = refApp
	}
	return r
}

// needName is parseRef for a whole argument: TYPE/ with no name is an error.
func needName(arg string) (objectRef, error) {
	r := parseRef(arg)
	if r.name == "" {
		return r, fmt.Errorf("%q names no object", arg)
	}
	return r, nil
}

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
			return fmt.Errorf("%q is a %s: place works on SparkApplications, ScheduledSparkApplications and SparkConnects", name, gvk.Kind)
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
