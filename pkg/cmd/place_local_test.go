package cmd

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/spark-eci/kubectl-spark-eci/internal/golden"
)

// run runs the plugin in-process, without a cluster.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runWithInput(t, "", args...)
}

// runWithInput is run with stdin. cli-runtime's resource builder reads -f -
// from os.Stdin itself, so that is where the input goes too.
func runWithInput(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	if stdin != "" {
		path := filepath.Join(t.TempDir(), "stdin")
		if err := os.WriteFile(path, []byte(stdin), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		saved := os.Stdin
		os.Stdin = f
		defer func() { os.Stdin = saved; f.Close() }()
	}
	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}
	root := NewCmdRoot(streams)
	root.SetArgs(args)
	code = Execute(root, streams)
	return out.String(), errOut.String(), code
}

const example = "../../examples/spark-pi.yaml"

func TestPlaceLocal(t *testing.T) {
	for _, tc := range []struct {
		golden string
		args   []string
		stderr string
	}{
		{"place-local-eci-only.yaml", []string{"place", "-f", example, "--local", "--preset=eci-only", "-o", "yaml"}, ""},
		{"place-local-driver-on-ecs-cache-spot.yaml",
			[]string{"place", "-f", example, "--local", "--preset=driver-on-ecs", "--image-cache=auto", "--spot", "-o", "yaml"},
			"Warning: spark-pi: driver: runs on ECS only, image cache not set for it\n"},
		{"place-local-name.txt", []string{"place", "-f", example, "--local", "--executors=ecs-first"}, ""},
		{"place-local-unchanged.txt", []string{"place", "-f", example, "--local", "--preset=ecs-only"}, ""},
		{"place-local-diff.txt", []string{"place", "-f", example, "--local", "--executors=eci", "--diff"}, ""},
		{"place-local-template.json", []string{"place", "-f", example, "--local", "--executors=eci-first", "--via=template", "-o", "json"}, ""},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			stdout, stderr, code := run(t, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if stderr != tc.stderr {
				t.Errorf("stderr = %q, want %q", stderr, tc.stderr)
			}
			golden.Assert(t, tc.golden, stdout)
		})
	}
}

func TestPlaceBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	malformed := write("malformed.yaml", "apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nspec: [unclosed\n")
	pod := write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: c, image: nginx}]}\n")
	oldConnect := write("connect.yaml", "apiVersion: sparkoperator.k8s.io/v1alpha1\nkind: SparkConnect\nmetadata: {name: sc}\nspec: {sparkVersion: 2.4.8, server: {}, executor: {template: {}}}\n")
	before, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"unknown preset", []string{"place", "-f", example, "--local", "--preset=fast"}, `unknown preset "fast"`},
		{"unknown target", []string{"place", "-f", example, "--local", "--executors=gpu"}, `--executors: unknown target "gpu"`},
		{"preset and target", []string{"place", "-f", example, "--local", "--preset=eci-only", "--driver=ecs"}, "--preset cannot be combined with --driver or --executors"},
		{"nothing to do", []string{"place", "-f", example, "--local"}, "nothing to do"},
		{"local without file", []string{"place", "spark-pi", "--local", "--preset=eci-only"}, "--local needs the manifests to transform"},
		{"local with names", []string{"place", "spark-pi", "-f", example, "--local", "--preset=eci-only"}, "--local transforms the files of -f only"},
		{"local with server dry run", []string{"place", "-f", example, "--local", "--preset=eci-only", "--dry-run=server"}, "--local cannot be combined with --dry-run=server"},
		{"selector and all", []string{"place", "-l", "a=b", "--all", "--preset=eci-only"}, "--selector and --all cannot be combined"},
		{"names and selector", []string{"place", "a", "b", "-l", "a=b", "--preset=eci-only"}, "names cannot be combined with --selector or --all"},
		{"nothing named", []string{"place", "--preset=eci-only"}, "give the applications to place"},
		{"bad dry run", []string{"place", "-f", example, "--local", "--preset=eci-only", "--dry-run=maybe"}, `invalid --dry-run "maybe"`},
		{"diff and output", []string{"place", "-f", example, "--local", "--preset=eci-only", "--diff", "-o", "yaml"}, "--diff cannot be combined with -o"},
		{"bad output", []string{"place", "-f", example, "--local", "--preset=eci-only", "-o", "table"}, `unable to match a printer suitable for the output format "table"`},
		{"bad taint", []string{"place", "-f", example, "--local", "--preset=eci-only", "--eci-taint=virtual-kubelet.io/provider"}, "invalid taint"},
		{"bad label", []string{"place", "-f", example, "--local", "--preset=eci-only", "--eci-node-label=virtual"}, "invalid node label"},
		{"spot on the driver", []string{"place", "-f", example, "--local", "--preset=eci-only", "--spot=driver"}, "refused for the driver"},
		{"spot on ECS executors", []string{"place", "-f", example, "--local", "--spot"}, "--spot: the executors cannot run on virtual nodes"},
		{"missing file", []string{"place", "-f", filepath.Join(dir, "nope.yaml"), "--local", "--preset=eci-only"}, "does not exist"},
		{"malformed file", []string{"place", "-f", malformed, "--local", "--preset=eci-only"}, "malformed.yaml"},
		{"file of another kind", []string{"place", "-f", pod, "--local", "--preset=eci-only"}, `pod.yaml: "web" is a Pod: place works on SparkApplications, ScheduledSparkApplications and SparkConnects`},
		{"unknown flag", []string{"place", "-f", example, "--local", "--presets=eci-only"}, "unknown flag: --presets"},
		{"SparkConnect of Spark 2", []string{"place", "-f", oldConnect, "--local", "--executors=eci"}, "sc: a SparkConnect is placed through its pod templates, which need Spark 3.0 or later; this one runs Spark 2.4.8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := run(t, tc.args...)
			if code == 0 {
				t.Fatalf("exit 0, stdout %q", stdout)
			}
			if !strings.HasPrefix(stderr, "error: ") || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("stderr = %q, want one line with %q", stderr, tc.wantErr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
		})
	}
	if after, _ := os.ReadFile(example); !bytes.Equal(before, after) {
		t.Error("a bad invocation changed the input file")
	}
}

func TestVersion(t *testing.T) {
	stdout, _, code := run(t, "version")
	if code != 0 || !strings.HasPrefix(stdout, "kubectl spark-eci v") {
		t.Errorf("version: exit %d, %q", code, stdout)
	}
	stdout, _, code = run(t, "version", "-o", "json")
	if code != 0 || !strings.Contains(stdout, `"version": "v`) {
		t.Errorf("version -o json: exit %d, %q", code, stdout)
	}
	if _, stderr, code := run(t, "version", "-o", "xml"); code == 0 || !strings.Contains(stderr, `unknown --output "xml"`) {
		t.Errorf("version -o xml: exit %d, %q", code, stderr)
	}
}

// -f takes what kubectl's -f takes: globs, directories (with -R), stdin.
func TestPlaceLocalFilenames(t *testing.T) {
	dir := t.TempDir()
	app, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		data := strings.Replace(string(app), "name: spark-pi", "name: "+name, 1)
		if err := os.MkdirAll(filepath.Join(dir, "nested"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "nested", name+".yaml"), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
		code int
	}{
		{"glob", []string{"-f", filepath.Join(dir, "nested", "*.yaml")}, "sparkapplication.sparkoperator.k8s.io/a placed (driver: ecs, executors: eci)\nsparkapplication.sparkoperator.k8s.io/b placed (driver: ecs, executors: eci)\n", 0},
		{"directory, recursive", []string{"-f", dir, "-R"}, "sparkapplication.sparkoperator.k8s.io/a placed (driver: ecs, executors: eci)\nsparkapplication.sparkoperator.k8s.io/b placed (driver: ecs, executors: eci)\n", 0},
		{"missing file", []string{"-f", filepath.Join(dir, "gone.yaml")}, `error: the path "` + filepath.Join(dir, "gone.yaml") + `" does not exist` + "\n", 1},
		{"bad pattern", []string{"-f", filepath.Join(dir, "[.yaml")}, `error: pattern "` + filepath.Join(dir, "[.yaml") + `" is not valid: syntax error in pattern` + "\n", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := run(t, append([]string{"place", "--local", "--executors=eci"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			if got := stdout + stderr; got != tc.want {
				t.Errorf("output %q, want %q", got, tc.want)
			}
		})
	}
}

const gitopsInput = "testdata/gitops-input.yaml"

// decodeAll reads a stream of YAML or JSON documents.
func decodeAll(t *testing.T, stream string) []map[string]interface{} {
	t.Helper()
	d := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(stream), 4096)
	var docs []map[string]interface{}
	for {
		var doc map[string]interface{}
		if err := d.Decode(&doc); errors.Is(err, io.EOF) {
			return docs
		} else if err != nil {
			t.Fatalf("decode: %v\n%s", err, stream)
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
}

// A manifest of several kinds: with --local and -o yaml|json every document
// comes back out, in order, the others as they were read; with other output
// the others are named on stderr, in one line.
func TestPlaceLocalPassesOtherKindsThrough(t *testing.T) {
	in, err := os.ReadFile(gitopsInput)
	if err != nil {
		t.Fatal(err)
	}
	input := decodeAll(t, string(in))
	kinds := func(docs []map[string]interface{}) []string {
		var k []string
		for _, d := range docs {
			k = append(k, d["kind"].(string))
		}
		return k
	}
	for _, output := range []string{"yaml", "json"} {
		t.Run(output, func(t *testing.T) {
			stdout, stderr, code := run(t, "place", "-f", gitopsInput, "--local", "--executors=eci", "-o", output)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			if output == "yaml" {
				golden.Assert(t, "place-local-gitops.yaml", stdout)
			}
			out := decodeAll(t, stdout)
			if got, want := kinds(out), kinds(input); !reflect.DeepEqual(got, want) {
				t.Fatalf("kinds %q, want %q, in the input's order", got, want)
			}
			for i := range out {
				kind := out[i]["kind"].(string)
				switch spark := strings.HasSuffix(kind, "SparkApplication") || kind == "SparkConnect"; {
				case spark && reflect.DeepEqual(out[i], input[i]):
					t.Errorf("document %d, a %s, was not placed", i, out[i]["kind"])
				case !spark && !reflect.DeepEqual(out[i], input[i]):
					t.Errorf("document %d, a %s, changed:\n%v\nwas\n%v", i, out[i]["kind"], out[i], input[i])
				}
			}
		})
	}

	skipped := "Skipped, not Spark applications: serviceaccount/spark, configmap/spark-conf\n"
	stdout, stderr, code := run(t, "place", "-f", gitopsInput, "--local", "--executors=eci", "-o", "name")
	if want := "sparkapplication.sparkoperator.k8s.io/spark-pi\nscheduledsparkapplication.sparkoperator.k8s.io/nightly\nsparkconnect.sparkoperator.k8s.io/spark-connect\n"; code != 0 || stdout != want || stderr != skipped {
		t.Errorf("-o name: exit %d, stdout %q, stderr %q; want %q and %q", code, stdout, stderr, want, skipped)
	}
	stdout, stderr, code = run(t, "place", "-f", gitopsInput, "--local", "--executors=eci", "--diff")
	if code != 0 || stderr != skipped || strings.Contains(stdout, "ConfigMap") || strings.Count(stdout, "+++ ") != 3 {
		t.Errorf("--diff: exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
	stdout, stderr, code = runWithInput(t, string(in), "place", "-f", "-", "--local", "--executors=eci", "-o", "yaml")
	if code != 0 || len(decodeAll(t, stdout)) != len(input) {
		t.Errorf("from stdin: exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
}

// A SparkConnect's server is its driver: place says so.
func TestPlaceLocalNamesTheServer(t *testing.T) {
	stdout, stderr, code := run(t, "place", "-f", gitopsInput, "--local", "--preset=driver-on-ecs")
	want := "sparkconnect.sparkoperator.k8s.io/spark-connect placed (server: ecs, executors: eci)\n"
	if code != 0 || !strings.HasSuffix(stdout, want) || !strings.Contains(stdout, "spark-pi placed (driver: ecs, executors: eci)") {
		t.Errorf("exit %d, stderr %q, stdout %q; want it to end with %q", code, stderr, stdout, want)
	}
}
