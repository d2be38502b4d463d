package cmd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// Every command reads its [TYPE/]NAME arguments here, and completes them
// here, so that what one command accepts another does not refuse and what
// completion offers the command takes.

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

// refType is a kind an argument may name: its resource, and the names
// kubectl knows it by (the plural is the resource's).
type refType struct {
	kind     refKind
	resource schema.GroupVersionResource
	noun     string   // the Kind, as errors name it
	names    []string // singular and short names
	crd      crd      // the Spark kinds' CRD; none for pods
}

var refTypes = []refType{
	{refApp, sparkapp.GroupVersion.WithResource("sparkapplications"), sparkapp.KindSparkApplication,
		[]string{"sparkapplication", "sparkapp"}, sparkAppCRD},
	{refScheduled, sparkapp.GroupVersion.WithResource("scheduledsparkapplications"), sparkapp.KindScheduledSparkApplication,
		[]string{"scheduledsparkapplication", "scheduledsparkapp"}, scheduledCRD},
	{refConnect, sparkapp.ConnectGroupVersion.WithResource("sparkconnects"), sparkapp.KindSparkConnect,
		[]string{"sparkconnect", "sparkconn"}, sparkConnectCRD},
	{refPod, schema.GroupVersionResource{Version: "v1", Resource: "pods"}, "Pod",
		[]string{"pod", "po"}, crd{}},
}

// appType is the plugin's own short TYPE for a SparkApplication.
const appType = "app"

func refTypeOf(kind refKind) refType {
	i := slices.IndexFunc(refTypes, func(t refType) bool { return t.kind == kind })
	return refTypes[i]
}

// sparkType is the type of one of the Spark kinds, by its Kind (status and
// cache-report keep the kind of the application they show).
func sparkType(kind string) refType {
	i := slices.IndexFunc(refTypes, func(t refType) bool { return t.noun == kind && t.crd.gk.Kind != "" })
	return refTypes[i]
}

// kindOfType is the kind a TYPE names: its plural, singular or short name,
// the Spark kinds' also with their group, or with version and group, as
// kubectl takes them; refOther for any other.
func kindOfType(typ string) refKind {
	t := strings.ToLower(typ)
	if t == appType {
		return refApp
	}
	for _, rt := range refTypes {
		for _, name := range append([]string{rt.resource.Resource}, rt.names...) {
			if t == name {
				return rt.kind
			}
			if g := rt.resource.Group; g != "" && (t == name+"."+g || t == name+"."+rt.resource.Version+"."+g) {
				return rt.kind
			}
		}
	}
	return refOther
}

// objectRef is an argument read as [TYPE/]NAME.
type objectRef struct {
	kind refKind
	typ  string // TYPE as written; "" for NAME alone
	name string
}

// parseRef reads an argument as [TYPE/]NAME. A partial argument
// (completion's) may end in "/"; a whole one may not: see argKinds.resolve.
func parseRef(arg string) objectRef {
	typ, name, typed := strings.Cut(arg, "/")
	if !typed {
		return objectRef{kind: refUntyped, name: arg}
	}
	return objectRef{kind: kindOfType(typ), typ: typ, name: name}
}

// builderArg is the argument the resource builder gets for r: its resource
// spelt out in full, so that kubectl's discovery cannot read it otherwise.
func (r objectRef) builderArg() string {
	return r.builderType() + "/" + r.name
}

// builderType is builderArg's TYPE alone.
func (r objectRef) builderType() string {
	res := refTypeOf(r.kind).resource
	if res.Group == "" {
		return res.Resource
	}
	return res.Resource + "." + res.Version + "." + res.Group
}

// argKinds is what a command takes as an argument: NAME alone names bare;
// TYPE/NAME names any of kinds.
type argKinds struct {
	command string
	bare    refKind
	kinds   []refKind
	many    bool // takes several objects, not one
}

// The arguments of each command.
var (
	placeArgs          = argKinds{"place", refApp, []refKind{refApp, refScheduled, refConnect}, true}
	statusArgs         = argKinds{"status", refApp, []refKind{refApp, refConnect}, false}
	cacheReportArgs    = argKinds{"cache-report", refPod, []refKind{refPod, refApp, refConnect}, false}
	timelineArgs       = argKinds{"timeline", refPod, []refKind{refPod, refApp, refConnect}, false}
	imageCacheArgs     = argKinds{"image-cache", refApp, []refKind{refApp, refScheduled, refConnect}, false}
	resourcePolicyArgs = argKinds{"resource-policy", refApp, []refKind{refApp}, false}
)

// resolve reads a whole argument: what it names, or a one-line error that
// says what the command takes.
func (a argKinds) resolve(arg string) (objectRef, error) {
	r := parseRef(arg)
	if r.kind == refUntyped {
		r.kind = a.bare
	}
	switch {
	case r.name == "":
		return r, fmt.Errorf("%q names no object: give %s", arg, a.forms())
	case !slices.Contains(a.kinds, r.kind):
		return r, fmt.Errorf("%s takes %s (%s), not %q%s", a.command, a.nouns(), a.forms(), arg, a.hint(r))
	}
	return r, nil
}

// resolveType reads a TYPE given alone, as in "place sparkconnects -l x".
func (a argKinds) resolveType(typ string) (refKind, error) {
	kind := kindOfType(typ)
	if strings.EqualFold(typ, appType) || !slices.Contains(a.kinds, kind) {
		return kind, fmt.Errorf("%s takes %s (%s), not %q", a.command, a.nouns(), a.forms(), typ)
	}
	return kind, nil
}

// nouns names the kinds a takes: "a SparkApplication or a SparkConnect",
// or "SparkApplications or SparkConnects" for a command that takes many.
func (a argKinds) nouns() string {
	nouns := make([]string, len(a.kinds))
	for i, k := range a.kinds {
		if a.many {
			nouns[i] = refTypeOf(k).noun + "s"
		} else {
			nouns[i] = "a " + refTypeOf(k).noun
		}
	}
	return orList(nouns)
}

// forms lists how a's arguments are written: "NAME, app/NAME or sparkconnect/NAME".
func (a argKinds) forms() string {
	forms := []string{"NAME"}
	for _, k := range a.kinds {
		switch {
		case k == refApp:
			forms = append(forms, appType+"/NAME")
		case k != a.bare:
			forms = append(forms, refTypeOf(k).names[0]+"/NAME")
		}
	}
	return orList(forms)
}

// hint says what to give instead of a ScheduledSparkApplication: one of its
// runs.
func (a argKinds) hint(r objectRef) string {
	if r.kind == refScheduled && slices.Contains(a.kinds, refApp) {
		return fmt.Sprintf(": its runs are SparkApplications named %s-<time>", r.name)
	}
	return ""
}

func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// complete completes a's arguments, up to max of them (0: any number): NAME
// with the names of bare kind (pods: Spark's only), app/NAME while the word
// may still become it, and TYPE/NAME for the kinds a takes once TYPE and
// its slash are typed.
func (a argKinds) complete(f *genericclioptions.ConfigFlags, max int) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if max > 0 && len(args) >= max {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		r := parseRef(toComplete)
		switch {
		case r.kind == refUntyped:
			names := a.namesOf(f, a.bare, toComplete)
			if a.offersApp(toComplete) {
				names = append(names, withPrefix(appType+"/", a.namesOf(f, refApp, ""))...)
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		case a.completesType(r.typ):
			return withPrefix(r.typ+"/", a.namesOf(f, r.kind, r.name)), cobra.ShellCompDirectiveNoFileComp
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
}

// completesType tells whether TYPE/ is completed with names: it is when the
// command takes TYPE's kind.
func (a argKinds) completesType(typ string) bool {
	return slices.Contains(a.kinds, kindOfType(typ))
}

// offersApp tells whether a word being completed may still become app/NAME
// worth offering: once it is on its way there ("a", "ap"), or at once when
// NAME alone names something else (cache-report's pods).
func (a argKinds) offersApp(word string) bool {
	if !slices.Contains(a.kinds, refApp) {
		return false
	}
	if word == "" {
		return a.bare != refApp
	}
	return strings.HasPrefix(appType+"/", word)
}

// namesOf lists the names of the objects of kind that start with prefix.
func (a argKinds) namesOf(f *genericclioptions.ConfigFlags, kind refKind, prefix string) []string {
	selector := ""
	if kind == refPod {
		selector = sparkapp.LabelSparkRole
	}
	return completeNames(f, objectRef{kind: kind}.builderType(), prefix, selector)
}
