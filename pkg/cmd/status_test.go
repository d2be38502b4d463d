package cmd

import (
	"strings"
	"testing"
)

func TestStatusBadInput(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"nothing chosen", []string{"status"}, "give the applications to show: NAME, -l SELECTOR or -A"},
		{"two names", []string{"status", "a", "b"}, "accepts at most 1 arg(s), received 2"},
		{"name and selector", []string{"status", "spark-pi", "-l", "team=ml"}, "a NAME cannot be combined with --selector"},
		{"name everywhere", []string{"status", "spark-pi", "-A"}, "a NAME cannot be combined with --all-namespaces"},
		{"a pod", []string{"status", "pod/spark-pi-driver"}, `status takes a SparkApplication or a SparkConnect (NAME, app/NAME or sparkconnect/NAME), not "pod/spark-pi-driver"`},
		{"a scheduled application", []string{"status", "scheduledsparkapp/nightly"}, `not "scheduledsparkapp/nightly": its runs are SparkApplications named nightly-<time>`},
		{"no name", []string{"status", "app/"}, `"app/" names no object`},
		{"unknown output", []string{"status", "spark-pi", "-o", "name"}, `unknown --output "name": want wide, json or yaml`},
		{"bad selector", []string{"status", "-l", "team in ("}, "invalid --selector"},
		{"timeout without watch", []string{"status", "spark-pi", "--timeout=1m"}, "--timeout is for --watch"},
		{"bad node label", []string{"status", "spark-pi", "--eci-node-label=virtual"}, `invalid node label "virtual": want key=value`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := run(t, tc.args...)
			if code == 0 || stdout != "" {
				t.Fatalf("exit %d, stdout %q", code, stdout)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "error: ") || !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("stderr = %q, want one line with %q", stderr, tc.wantErr)
			}
		})
	}
}

func TestStatusUnreachableServer(t *testing.T) {
	addr := closedPort(t)
	_, stderr, code := run(t, "status", "spark-pi", "--server", "https://"+addr, "--insecure-skip-tls-verify", "--cache-dir", t.TempDir())
	if code == 0 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "error: cannot reach the API server at https://"+addr) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
