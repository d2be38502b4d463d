package cmd

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
)

// placeTargets is what place's arguments name.
type placeTargets struct {
	kinds []refKind   // the kinds named, each once, in the arguments' order
	refs  []objectRef // the objects named; none for a TYPE alone or a selection
	// anyKind: -l or --all with no TYPE, which select every kind place
	// takes of its own accord: SparkApplications, and SparkConnects where the
	// server serves them.
	anyKind bool
}

// placeTargetsOf reads place's arguments as kubectl reads get's: NAME...,
// TYPE/NAME..., or TYPE NAME...; with a selector (or --all), TYPE alone or
// nothing.
func placeTargetsOf(args []string, selecting bool) (placeTargets, error) {
	var t placeTargets
	switch {
	case len(args) == 0:
		if selecting {
			t.kinds, t.anyKind = []refKind{refApp, refConnect}, true
		}
		return t, nil
	case !strings.Contains(args[0], "/") && (isKubectlType(args[0]) || selecting && len(args) == 1):
		kind, err := placeArgs.resolveType(args[0])
		if err != nil {
			return t, err
		}
		t.kinds = []refKind{kind}
		for _, name := range args[1:] {
			if strings.Contains(name, "/") {
				return t, fmt.Errorf("%q: give TYPE NAME... or TYPE/NAME..., not both", name)
			}
			t.refs = append(t.refs, objectRef{kind: kind, typ: args[0], name: name})
		}
		if len(t.refs) == 0 && !selecting {
			return t, fmt.Errorf("%q names a type, not the objects to place: give their names, -l SELECTOR or --all", args[0])
		}
		return t, nil
	}
	for _, arg := range args {
		r, err := placeArgs.resolve(arg)
		if err != nil {
			return t, err
		}
		if !slices.Contains(t.kinds, r.kind) {
			t.kinds = append(t.kinds, r.kind)
		}
		t.refs = append(t.refs, r)
	}
	return t, nil
}

// isKubectlType tells whether a word is one of kubectl's names for a kind
// (not the plugin's own app, which names a SparkApplication only as app/NAME).
func isKubectlType(word string) bool {
	return kindOfType(word) != refOther && !strings.EqualFold(word, appType)
}

// named tells whether the targets are objects named (or a TYPE alone), not
// a selection of every kind.
func (t placeTargets) named() bool { return len(t.kinds) > 0 && !t.anyKind }

// servedKinds checks, before any object is read, that the server serves the
// kinds the arguments name: a missing CRD is named for what it is. Of a
// selection of every kind, those the server does not serve are left out.
func (o *PlaceOptions) servedKinds() ([]refKind, error) {
	var served []refKind
	for _, kind := range o.targets.kinds {
		_, err := mappingOf(o.ConfigFlags, refTypeOf(kind).crd)
		switch {
		case meta.IsNoMatchError(err) && o.targets.anyKind && kind != refApp:
			continue
		case err != nil:
			return nil, err
		}
		served = append(served, kind)
	}
	return served, nil
}

// builderArgs are the resource builder's arguments for the targets, given
// the kinds the server serves.
func (t placeTargets) builderArgs(served []refKind) []string {
	if len(t.refs) > 0 {
		args := make([]string, len(t.refs))
		for i, r := range t.refs {
			args[i] = r.builderArg()
		}
		return args
	}
	if len(served) == 0 {
		return nil
	}
	types := make([]string, len(served))
	for i, kind := range served {
		types[i] = objectRef{kind: kind}.builderType()
	}
	return []string{strings.Join(types, ",")}
}

// errNoTargets is Validate's word for a place given nothing to place.
var errNoTargets = errors.New("give the applications to place: NAME, TYPE/NAME, -l SELECTOR, --all or -f FILE")
