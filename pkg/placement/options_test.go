package placement

import (
	"reflect"
	"strings"
	"testing"
)

func TestParsePodOptions(t *testing.T) {
	for _, tc := range []struct {
		parse   func(string) (PodOption, error)
		in      string
		value   string // what is written; "" with set: removed
		set     bool
		wantErr string
	}{
		{ParseEphemeralStorage, "", "", false, ""},
		{ParseEphemeralStorage, "50Gi", "50Gi", true, ""},
		{ParseEphemeralStorage, "1Ti", "1024Gi", true, ""},
		{ParseEphemeralStorage, "100G", "", false, "want a whole number of GiB"},
		{ParseEphemeralStorage, "1.5Gi", "", false, "want a whole number of GiB"},
		{ParseEphemeralStorage, "512Mi", "", false, "want a whole number of GiB"},
		{ParseEphemeralStorage, "off", "", true, ""},
		{ParseEphemeralStorage, "OFF", "", true, ""},
		{ParseEphemeralStorage, "0", "", false, `invalid --ephemeral-storage "0": want a whole number of GiB such as 50Gi, or off`},
		{ParseEphemeralStorage, "-5Gi", "", false, "want a whole number"},
		{ParseEphemeralStorage, "lots", "", false, "want a whole number"},

		{ParseInstanceTypes, "2-4Gi,4-8Gi,ecs.c6.xlarge", "2-4Gi,4-8Gi,ecs.c6.xlarge", true, ""},
		{ParseInstanceTypes, " 0.5-1Gi , ecs.gn6i-c4g1.xlarge,0.5-1Gi", "0.5-1Gi,ecs.gn6i-c4g1.xlarge", true, ""},
		{ParseInstanceTypes, "off", "", true, ""},
		{ParseInstanceTypes, "2-4Gi,4-8Gi,8-16Gi,16-32Gi,32-64Gi,64-128Gi", "", false, "ECI takes at most 5 specs, not 6"},
		{ParseInstanceTypes, "2-4G", "", false, `"2-4G" is neither a vCPU-memory spec (2-4Gi) nor an ECS instance type`},
		{ParseInstanceTypes, "c6.xlarge", "", false, "is neither"},
		{ParseInstanceTypes, "2-4Gi,,", "", false, `"" is neither`},

		{ParseVSwitches, "vsw-bp1xpiowfm5vo8o3c1234,vsw-bp1rkyjgr1xwoho6k5678", "vsw-bp1xpiowfm5vo8o3c1234,vsw-bp1rkyjgr1xwoho6k5678", true, ""},
		{ParseVSwitches, "vsw-a,vsw-a", "vsw-a", true, ""},
		{ParseVSwitches, "sw-a", "", false, `invalid --vswitches "sw-a": "sw-a" is not a vSwitch id (vsw-...)`},

		{ParseZoneStrategy, "VSwitchRandom", "VSwitchRandom", true, ""},
		{ParseZoneStrategy, "vswitchordered", "VSwitchOrdered", true, ""},
		{ParseZoneStrategy, "spread", "", false, "want VSwitchOrdered or VSwitchRandom"},

		{ParseSpotDuration, "0", "0", true, ""},
		{ParseSpotDuration, "1", "1", true, ""},
		{ParseSpotDuration, "off", "", true, ""},
		{ParseSpotDuration, "2", "", false, "ECI protects a spot instance for 1 hour or 0"},

		{ParseSpotFallback, "true", "true", true, ""},
		{ParseSpotFallback, "false", "", true, ""},
		{ParseSpotFallback, "off", "", true, ""},
		{ParseSpotFallback, "maybe", "", false, `invalid --spot-fallback "maybe": want true or false`},
	} {
		o, err := tc.parse(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s %q: err = %v, want %q", o.Flag, tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || o.value != tc.value || o.IsSet() != tc.set {
			t.Errorf("%s %q: %+v, %v; want value %q, set %v", o.Flag, tc.in, o, err, tc.value, tc.set)
		}
	}
}

func options(t *testing.T, flags map[string]string) []PodOption {
	t.Helper()
	parsers := map[string]func(string) (PodOption, error){
		"ephemeral-storage": ParseEphemeralStorage, "instance-types": ParseInstanceTypes,
		"vswitches": ParseVSwitches, "zone-strategy": ParseZoneStrategy,
		"spot-duration": ParseSpotDuration, "spot-fallback": ParseSpotFallback,
	}
	var out []PodOption
	for flag, value := range flags {
		o, err := parsers[flag](value)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

// The options go on the roles that may run on ECI, the spot ones on the
// executors; off takes them all away again, back to the original.
func TestPodOptions(t *testing.T) {
	spot, _ := ParseSpot("executors", "")
	spotOff, _ := ParseSpot("off", "")
	original := seed(t, "driver-on-ecs")
	all := map[string]string{
		"ephemeral-storage": "50Gi", "instance-types": "2-4Gi,ecs.c6.xlarge",
		"vswitches": "vsw-a,vsw-b", "zone-strategy": "VSwitchRandom",
		"spot-duration": "0", "spot-fallback": "true",
	}
	res := mustApply(t, original, Request{Spot: spot, Options: options(t, all), Nodes: AlibabaCloudECI})
	want := map[string]interface{}{
		"k8s.aliyun.com/eci-spot-strategy":           "SpotAsPriceGo",
		"k8s.aliyun.com/eci-extra-ephemeral-storage": "50Gi",
		"k8s.aliyun.com/eci-use-specs":               "2-4Gi,ecs.c6.xlarge",
		"k8s.aliyun.com/eci-vswitch":                 "vsw-a,vsw-b",
		"k8s.aliyun.com/eci-schedule-strategy":       "VSwitchRandom",
		"k8s.aliyun.com/eci-spot-duration":           "0",
		"k8s.aliyun.com/eci-spot-fallback":           "true",
	}
	if got := mapAt(res.Object, "spec", "executor", "annotations"); !reflect.DeepEqual(got, want) {
		t.Errorf("executor annotations\n got %v\nwant %v", got, want)
	}
	// The driver stays on ECS: none of it, and a warning for each option it skipped.
	if got := mapAt(res.Object, "spec", "driver", "annotations"); got != nil {
		t.Errorf("driver on ECS has %v", got)
	}
	joined := strings.Join(res.Warnings, "\n")
	for _, flag := range []string{"ephemeral-storage", "instance-types", "vswitches", "zone-strategy"} {
		if !strings.Contains(joined, "driver: runs on ECS only, --"+flag+" not set for it") {
			t.Errorf("no warning for --%s on the ECS driver: %q", flag, joined)
		}
	}
	if again := mustApply(t, res.Object, Request{Spot: spot, Options: options(t, all), Nodes: AlibabaCloudECI}); again.Changed {
		t.Error("a second run changed the application again")
	}

	// One option off leaves the others.
	res2 := mustApply(t, res.Object, Request{Options: options(t, map[string]string{"ephemeral-storage": "off"}), Nodes: AlibabaCloudECI})
	if got := mapAt(res2.Object, "spec", "executor", "annotations"); len(got) != len(want)-1 || got["k8s.aliyun.com/eci-extra-ephemeral-storage"] != nil {
		t.Errorf("after --ephemeral-storage=off: %v", got)
	}
	// --spot=off takes the spot options with it; the rest off, and the original is back.
	off := map[string]string{"ephemeral-storage": "off", "instance-types": "off", "vswitches": "off", "zone-strategy": "off"}
	back := mustApply(t, res.Object, Request{Spot: spotOff, Options: options(t, off), Nodes: AlibabaCloudECI})
	if got, want := canonical(t, back.Object), canonical(t, original); got != want {
		t.Errorf("off did not restore the original:\ngot  %s\nwant %s", got, want)
	}

	// On an application placed on ECI, both roles get the general options.
	both := mustApply(t, seed(t, "eci-only"), Request{Options: options(t, map[string]string{"ephemeral-storage": "20Gi"}), Nodes: AlibabaCloudECI})
	for _, role := range []string{"driver", "executor"} {
		if got := mapAt(both.Object, "spec", role, "annotations")["k8s.aliyun.com/eci-extra-ephemeral-storage"]; got != "20Gi" {
			t.Errorf("%s: %v", role, got)
		}
	}
}

func TestPodOptionRefusals(t *testing.T) {
	spotOff, _ := ParseSpot("off", "")
	for _, tc := range []struct {
		name    string
		app     string
		req     Request
		wantErr string
	}{
		{"no role on ECI", "ecs-only", Request{Options: options(t, map[string]string{"ephemeral-storage": "50Gi"})},
			"--ephemeral-storage: neither the driver nor the executors can run on virtual nodes"},
		{"executors on ECS", "ecs-only", Request{Driver: ECI, Options: options(t, map[string]string{"spot-fallback": "true"})},
			"--spot-fallback: the executors cannot run on virtual nodes"},
		{"spot duration without spot", "eci-only", Request{Options: options(t, map[string]string{"spot-duration": "1"})},
			"--spot-duration qualifies the executors' spot instances: give --spot too"},
		{"spot fallback with spot off", "eci-only", Request{Spot: spotOff, Options: options(t, map[string]string{"spot-fallback": "true"})},
			"give --spot too"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Nodes = AlibabaCloudECI
			if _, err := Apply(seed(t, tc.app), tc.req); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
	// Removing is always allowed, on ECS too.
	off := options(t, map[string]string{"ephemeral-storage": "off", "spot-duration": "off"})
	if res, err := Apply(seed(t, "ecs-only"), Request{Options: off, Nodes: AlibabaCloudECI}); err != nil || res.Changed {
		t.Errorf("off on ECS: %v, changed %v", err, res != nil && res.Changed)
	}
}
