package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// Bad input is refused before any request: the server given here would
// refuse the connection, and the error would say so.
func TestResourcePolicyBadInputNeedsNoServer(t *testing.T) {
	server := "https://" + closedPort(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no units", []string{"spark-pi"}, "no units: give them in priority order with --unit"},
		{"unknown resource kind", []string{"spark-pi", "--unit", "gpu:2"}, `--unit "gpu:2": unknown resource kind "gpu": want one of ecs, eci, elastic, acs`},
		{"negative max", []string{"spark-pi", "--ecs-max=-1", "--eci-max=3"}, "--ecs-max: max -1 is negative: want 0 or more pods"},
		{"negative max in --unit", []string{"spark-pi", "--unit", "eci:-3"}, `--unit "eci:-3": max -3 is negative`},
		{"max not a number", []string{"spark-pi", "--eci-max=many"}, `--eci-max: max "many" is not a whole number`},
		{"set-based selector", []string{"spark-pi", "--eci-max=3", "-l", "team in (a,b)"}, "a ResourcePolicy selects pods by KEY=VALUE labels only"},
		{"preempt policy", []string{"spark-pi", "--eci-max=3", "--preempt-policy=Always"}, `unknown preempt policy "Always"`},
		{"try-next policy", []string{"spark-pi", "--eci-max=3", "--when-try-next-units=Soon"}, `--when-try-next-units: unknown policy "Soon"`},
		{"timeout without waiting", []string{"spark-pi", "--eci-max=3", "--when-try-next-units=ExceedMax", "--when-try-next-units-timeout=1m"}, "a timeout applies to TimeoutOrExceedMax and Timeout only"},
		{"restart without place", []string{"spark-pi", "--eci-max=3", "--restart"}, "--restart goes with --place"},
		{"delete with units", []string{"spark-pi", "--delete", "--eci-max=3"}, "--delete cannot be combined with --eci-max"},
		{"scheduled app", []string{"scheduledsparkapplication/nightly", "--eci-max=3"}, `resource-policy takes a SparkApplication (NAME or app/NAME), not "scheduledsparkapplication/nightly": its runs are SparkApplications named nightly-<time>`},
		{"no name", []string{"--eci-max=3"}, "accepts 1 arg(s), received 0"},
		{"dry run", []string{"spark-pi", "--eci-max=3", "--dry-run=maybe"}, `invalid --dry-run "maybe"`},
		{"taint", []string{"spark-pi", "--eci-max=3", "--eci-taint=x"}, `invalid taint "x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"resource-policy", "--server", server, "--cache-dir", t.TempDir()}, tc.args...)
			stdout, stderr, code := run(t, args...)
			if code == 0 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want one line with %q", code, stdout, stderr, tc.want)
			}
		})
	}
}

// Units keep the order of the command line, whichever flag gives them.
func TestResourcePolicyUnitOrder(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--ecs-max=2", "--eci-max=3"}, "ecs:2 eci:3"},
		{[]string{"--eci-max", "3", "--ecs-max=2"}, "eci:3 ecs:2"},
		{[]string{"--unit", "ecs:2:kubernetes.io/arch=amd64", "--unit", "eci:3"}, "ecs:2:kubernetes.io/arch=amd64 eci:3"},
		{[]string{"--unit", "ecs::pool=a", "--eci-max=0", "--unit", "ecs"}, "ecs::pool=a eci:0 ecs"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			o := NewResourcePolicyOptions(genericclioptions.NewConfigFlags(false), genericiooptions.IOStreams{})
			flags := pflag.NewFlagSet("test", pflag.ContinueOnError)
			o.addUnitFlags(flags)
			if err := flags.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			var units []string
			for _, arg := range o.Units {
				u, err := arg.parse()
				if err != nil {
					t.Fatal(err)
				}
				units = append(units, u.String())
			}
			if got := strings.Join(units, " "); got != tc.want {
				t.Errorf("units = %s, want %s", got, tc.want)
			}
		})
	}
}
