package cmd

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// The commands that place as they go (resource-policy --place, image-cache
// create --place) refuse what place refuses, in place's words: over every
// application state, every operator there is to know of, and changes of the
// executors' placement alone or of more, each command's check and place's
// own Run, given the same change, agree, and agree with what the operator
// does (docs/operator-versions.md: what the operator does with the change
// place makes). Where the change cannot be made, each says so in the words of
// its own flags.
func TestPlacingVerdictsAgree(t *testing.T) {
	deployment := func(version string, partial bool) sparkapp.Operator {
		return sparkapp.Operator{Version: version, PartialRestart: partial, From: "deployment spark-operator/spark-operator-controller"}
	}
	operators := []struct {
		name string
		op   sparkapp.Operator
	}{
		{"unknown", sparkapp.Operator{}},
		{"v2.3", deployment("v2.3.0", false)},
		{"v2.5", deployment("v2.5.2", false)},
		{"v2.5 with PartialRestart", deployment("v2.5.2", true)},
	}
	states := []string{sparkapp.StateNew, sparkapp.StateSubmitted, sparkapp.StateRunning, sparkapp.StatePendingRerun,
		sparkapp.StateCompleted, sparkapp.StateFailed, sparkapp.StateSuspended}
	active := map[string]bool{sparkapp.StateSubmitted: true, sparkapp.StateRunning: true, sparkapp.StatePendingRerun: true}
	nodes, err := placement.ParseVirtualNodes(placement.DefaultNodeLabel, placement.DefaultTaint)
	if err != nil {
		t.Fatal(err)
	}
	pin, err := placement.ParseImageCache("imc-check")
	if err != nil {
		t.Fatal(err)
	}

	for _, op := range operators {
		for _, state := range states {
			for _, tolerating := range []string{"neither", "driver", "executor"} {
				app := placingApp(t, state, tolerating)
				// resource-policy --place tolerates the taint in both roles:
				// of the executors alone when the driver tolerates it.
				rp := &ResourcePolicyOptions{ConfigFlags: genericclioptions.NewConfigFlags(false), Via: "spec", nodes: nodes,
					IOStreams: genericiooptions.NewTestIOStreamsDiscard()}
				rp.operator.found = &op.op
				rpReq := rp.placeRequest()
				ic := &ImageCacheCreateOptions{ConfigFlags: rp.ConfigFlags, nodes: nodes, IOStreams: rp.IOStreams}
				ic.operator.found = &op.op
				icReq := placement.Request{ImageCache: pin, Nodes: nodes}

				for _, c := range []struct {
					command       string
					check         func() error
					req           placement.Request
					executorsOnly bool // the change is of the executors' placement alone
				}{
					{"resource-policy --place", func() error { return rp.checkPlace(context.Background(), app) }, rpReq, tolerating == "driver"},
					{"image-cache create --place", func() error { return ic.checkPlace(context.Background(), app, nil) }, icReq, false},
				} {
					name := fmt.Sprintf("%s/%s/%s/%s tolerates ECI", c.command, op.name, cmp.Or(state, "NEW"), tolerating)
					t.Run(name, func(t *testing.T) {
						got, place := c.check(), placeLocally(t, app, op.op, c.req)
						if c.req.ImageCache.IsSet() && tolerating == "neither" {
							// No role can take the cache: each says so with
							// the flag its user typed.
							if got == nil || !strings.HasPrefix(got.Error(), "--place: neither the driver nor the executors of spark-pi can run on virtual nodes") ||
								place == nil || !strings.Contains(place.Error(), "spark-pi: --image-cache: neither the driver nor the executors can run on virtual nodes") {
								t.Errorf("%s says %v\nplace says %v", c.command, got, place)
							}
							return
						}
						if fmt.Sprint(got) != fmt.Sprint(place) {
							t.Errorf("%s says %v\nplace says %v", c.command, got, place)
						}
						want := active[state] && !(op.op.PartialRestart && c.executorsOnly)
						if (got != nil) != want {
							t.Errorf("refused: %v (%v), want %v", got != nil, got, want)
						}
						if got != nil && !strings.HasPrefix(got.Error(), "refusing to change an active application without --restart") {
							t.Errorf("refusal %q", got)
						}
						// The gates are worth telling only of a change the
						// PartialRestart gate would let through.
						if hint := got != nil && strings.Contains(got.Error(), "say so with --operator-feature-gates"); hint != (op.op.From == "" && c.executorsOnly && got != nil) {
							t.Errorf("hint of --operator-feature-gates: %v in %q", hint, got)
						}
					})
				}
			}
		}
	}
}

// placingApp is the example application in state, with the role named
// (driver, executor or neither) tolerating the virtual-node taint.
func placingApp(t *testing.T, state, tolerating string) *unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	app := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(data, &app.Object); err != nil {
		t.Fatal(err)
	}
	app.SetNamespace("default")
	if tolerating != "neither" {
		toleration := map[string]interface{}{"key": "virtual-kubelet.io/provider", "operator": "Equal", "value": "alibabacloud", "effect": "NoSchedule"}
		if err := unstructured.SetNestedSlice(app.Object, []interface{}{toleration}, "spec", tolerating, "tolerations"); err != nil {
			t.Fatal(err)
		}
	}
	if state != "" {
		if err := unstructured.SetNestedField(app.Object, state, "status", "applicationState", "state"); err != nil {
			t.Fatal(err)
		}
	}
	return app
}

// placeLocally runs place's own Complete, Validate and Run on app, from a
// file, with req and what is known of the operator, as placeFrom does, and
// returns how it ended.
func placeLocally(t *testing.T, app *unstructured.Unstructured, op sparkapp.Operator, req placement.Request) error {
	t.Helper()
	data, err := yaml.Marshal(app.Object)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "app.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	var out bytes.Buffer
	p := NewPlaceOptions(genericclioptions.NewConfigFlags(false), genericiooptions.IOStreams{Out: &out, ErrOut: &out})
	p.Local, p.FilenameOptions.Filenames = true, []string{path}
	p.operator.found = &op
	if err := p.Complete(nil, nil); err != nil {
		t.Fatal(err)
	}
	p.request = req
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p.Run(context.Background())
}
