package placement

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestParseVirtualNodes(t *testing.T) {
	nodes, err := ParseVirtualNodes(DefaultNodeLabel, DefaultTaint)
	if err != nil || nodes != AlibabaCloudECI {
		t.Fatalf("defaults = %+v, %v", nodes, err)
	}
	nodes, err = ParseVirtualNodes("kubernetes.io/role=agent", "virtual-kubelet.io/provider:NoSchedule")
	if err != nil {
		t.Fatal(err)
	}
	if nodes.Taint != (corev1.Taint{Key: "virtual-kubelet.io/provider", Effect: corev1.TaintEffectNoSchedule}) || nodes.LabelKey != "kubernetes.io/role" {
		t.Errorf("got %+v", nodes)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		parse   func() error
		wantErr string
	}{
		{"target", func() error { _, err := ParseTarget("gpu"); return err }, `unknown target "gpu": want one of ecs, eci, ecs-first, eci-first`},
		{"preset", func() error { _, err := ParsePreset("eci"); return err }, `unknown preset "eci": want one of ecs-only, eci-only, ecs-first, driver-on-ecs`},
		{"via", func() error { _, err := ParseVia("webhook"); return err }, `unknown --via "webhook"`},
		{"image cache", func() error { _, err := ParseImageCache("imc-"); return err }, `invalid --image-cache "imc-"`},
		{"image cache word", func() error { _, err := ParseImageCache("on"); return err }, `want auto, off or an image cache id`},
		{"spot driver", func() error { _, err := ParseSpot("driver", ""); return err }, "refused for the driver"},
		{"spot all", func() error { _, err := ParseSpot("all", ""); return err }, "refused for the driver"},
		{"spot word", func() error { _, err := ParseSpot("yes", ""); return err }, `invalid --spot "yes"`},
		{"spot price", func() error { _, err := ParseSpot("", "cheap"); return err }, `invalid --spot-price-limit "cheap"`},
		{"spot price zero", func() error { _, err := ParseSpot("executors", "0"); return err }, `invalid --spot-price-limit "0"`},
		{"spot off with price", func() error { _, err := ParseSpot("off", "0.3"); return err }, "cannot be combined with --spot=off"},
		{"label without value", func() error { _, err := ParseVirtualNodes("type", DefaultTaint); return err }, `invalid node label "type": want key=value`},
		{"label bad key", func() error { _, err := ParseVirtualNodes("a b=c", DefaultTaint); return err }, `invalid node label "a b=c": key`},
		{"label empty value", func() error { _, err := ParseVirtualNodes("type=", DefaultTaint); return err }, "value is empty"},
		{"label bad value", func() error { _, err := ParseVirtualNodes("type=a b", DefaultTaint); return err }, `invalid node label "type=a b": value`},
		{"taint without effect", func() error { _, err := ParseVirtualNodes(DefaultNodeLabel, "a=b"); return err }, "want key[=value]:Effect"},
		{"taint bad effect", func() error { _, err := ParseVirtualNodes(DefaultNodeLabel, "a=b:Never"); return err }, `effect "Never"`},
		{"taint bad key", func() error { _, err := ParseVirtualNodes(DefaultNodeLabel, "=b:NoSchedule"); return err }, "key"},
		{"taint bad value", func() error { _, err := ParseVirtualNodes(DefaultNodeLabel, "a=b c:NoSchedule"); return err }, "value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.parse()
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestPresetNamesAreThePresets(t *testing.T) {
	if len(PresetNames()) != len(presets) {
		t.Fatalf("PresetNames() = %v, presets has %d", PresetNames(), len(presets))
	}
	for _, name := range PresetNames() {
		if _, err := ParsePreset(name); err != nil {
			t.Error(err)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	for _, s := range []string{"", "auto", "off", "imc-2zeXXXXXXXXXXXXXXXXX"} {
		if _, err := ParseImageCache(s); err != nil {
			t.Errorf("ParseImageCache(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "executors", "executor", "off", "none"} {
		if _, err := ParseSpot(s, ""); err != nil {
			t.Errorf("ParseSpot(%q): %v", s, err)
		}
	}
	if s, err := ParseSpot("", "0.05"); err != nil || !s.IsSet() {
		t.Errorf("a price limit alone must imply --spot: %+v %v", s, err)
	}
}
