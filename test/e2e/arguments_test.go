//go:build e2e

package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// completeInProcess asks the plugin, in-process, for the completions of its
// last word, as the helper kubectl runs on TAB does.
func completeInProcess(t *testing.T, words ...string) []string {
	t.Helper()
	stdout, stderr, code := runPlugin(t, append([]string{"__complete"}, words...)...)
	if code != 0 {
		t.Fatalf("__complete %v: exit %d, %s", words, code, stderr)
	}
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	var out []string
	for _, l := range lines[:len(lines)-1] { // the last is the directive
		name, _, _ := strings.Cut(l, "\t")
		out = append(out, name)
	}
	return out
}

// Every command reads every form of [TYPE/]NAME the same way, and what
// completion offers the command takes: for each command and each TYPE, the
// names completion offers after TYPE/ are run through the command, which
// must find the object; a TYPE the command does not take is offered nothing
// and refused in one line that says what the command takes.
func TestEveryCommandEveryForm(t *testing.T) {
	ns := newNamespace(t)
	ensureImageCacheCRD(t)
	ensureResourcePolicyCRD(t)
	createSeedApp(t, ns, "spark-pi")
	createFromYAML(t, ns, sparkConnectManifest)
	createFromYAML(t, ns, `
apiVersion: sparkoperator.k8s.io/v1beta2
kind: ScheduledSparkApplication
metadata: {name: nightly}
spec:
  schedule: "@daily"
  template:
    type: Scala
    sparkVersion: 3.5.2
    mode: cluster
    image: `+sparkImage+`
    mainClass: org.apache.spark.examples.SparkPi
    mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
    driver: {cores: 1, memory: 512m}
    executor: {cores: 1, instances: 1, memory: 512m}
`)
	ecs, _ := ensureNodes(t)
	sparkPod(t, ns, "spark-pi", "spark-pi-driver", "driver", ecs)
	server := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "spark-connect-server", Labels: map[string]string{
			sparkapp.LabelConnectName: "spark-connect", sparkapp.LabelSparkRole: "connect-server",
		}},
		Spec: corev1.PodSpec{NodeName: ecs, Containers: []corev1.Container{{Name: "spark-kubernetes-driver", Image: sparkImage}}},
	}
	if _, err := cluster.client.CoreV1().Pods(ns).Create(t.Context(), server, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	// What each command is run with, after the argument, so that it reads
	// the object named and writes nothing.
	commands := []struct {
		words []string // the command, before its argument
		after []string
		takes []string // the TYPEs it takes
	}{
		{[]string{"place"}, []string{"--preset=ecs-only", "--dry-run=server", "-o", "name"},
			[]string{"app", "sparkapplication", "sparkapp", "scheduledsparkapplication", "scheduledsparkapp", "sparkconnect", "sparkconn"}},
		{[]string{"status"}, []string{"-o", "json"},
			[]string{"app", "sparkapplication", "sparkapp", "sparkconnect", "sparkconn"}},
		{[]string{"cache-report"}, []string{"--timeout=1s", "-o", "json"},
			[]string{"app", "sparkapplication", "sparkapp", "sparkconnect", "sparkconn", "pod", "po"}},
		{[]string{"timeline"}, []string{"-o", "json"},
			[]string{"app", "sparkapplication", "sparkapp", "sparkconnect", "sparkconn", "pod", "po"}},
		{[]string{"image-cache", "create"}, []string{"--dry-run=client", "-o", "name"},
			[]string{"app", "sparkapplication", "sparkapp", "scheduledsparkapplication", "scheduledsparkapp", "sparkconnect", "sparkconn"}},
		{[]string{"resource-policy"}, []string{"--ecs-max=1", "--eci-max=2", "--dry-run=client", "-o", "name"},
			[]string{"app", "sparkapplication", "sparkapp"}},
	}
	types := []string{"app", "sparkapplication", "sparkapp", "SparkApplications.sparkoperator.k8s.io",
		"scheduledsparkapplication", "scheduledsparkapp", "sparkconnect", "sparkconn",
		"sparkconnects.v1alpha1.sparkoperator.k8s.io", "pod", "po", "deployment"}
	for _, c := range commands {
		command := strings.Join(c.words, " ")
		for _, typ := range types {
			takes := slices.ContainsFunc(c.takes, func(s string) bool {
				return strings.EqualFold(s, typ) || strings.HasPrefix(strings.ToLower(typ), s+"s.") || strings.HasPrefix(strings.ToLower(typ), s+".")
			})
			words := append(slices.Clone(c.words), "-n", ns, typ+"/")
			offered := completeInProcess(t, words...)
			if !takes {
				if len(offered) > 0 {
					t.Errorf("%s %s/<TAB> offers %v, yet the command takes no %s", command, typ, offered, typ)
				}
				args := append(append(slices.Clone(c.words), "-n", ns, typ+"/x"), c.after...)
				_, stderr, code := runPlugin(t, args...)
				if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "error: "+c.words[0]+" takes ") {
					t.Errorf("%s %s/x: exit %d, stderr %q; want one line saying what %s takes", command, typ, code, stderr, command)
				}
				continue
			}
			if len(offered) == 0 {
				t.Errorf("%s %s/<TAB> offers nothing", command, typ)
			}
			for _, name := range offered {
				args := append(append(slices.Clone(c.words), "-n", ns, name), c.after...)
				stdout, stderr, code := runPlugin(t, args...)
				// cache-report of a pod that pulls nothing ends timed out;
				// what matters here is that it read the pod.
				if code != 0 && !(code == 124 && c.words[0] == "cache-report") || strings.Contains(stderr, " takes ") {
					t.Errorf("%s %s: exit %d, stderr %q", command, name, code, stderr)
					continue
				}
				if stdout == "" {
					t.Errorf("%s %s printed nothing", command, name)
				}
			}
		}
	}
}

// -l and --all with no TYPE take every Spark kind a command acts on of its
// own accord: SparkApplications and SparkConnects.
func TestSelectionsCoverSparkConnects(t *testing.T) {
	ns := newNamespace(t)
	createSeedApp(t, ns, "spark-pi")
	createFromYAML(t, ns, sparkConnectManifest)

	stdout, stderr, code := runPlugin(t, "place", "-n", ns, "--all", "--preset=ecs-only", "--dry-run=server", "-o", "name")
	want := "sparkapplication.sparkoperator.k8s.io/spark-pi\nsparkconnect.sparkoperator.k8s.io/spark-connect\n"
	if code != 0 || stdout != want {
		t.Errorf("place --all: exit %d, stdout %q, want %q; stderr %q", code, stdout, want, stderr)
	}
	stdout, stderr, code = runPlugin(t, "status", "-n", ns, "-l", "!nothing", "-o", "json")
	var status struct {
		Applications []struct{ Kind, Name string } `json:"applications"`
	}
	if err := json.Unmarshal([]byte(stdout), &status); code != 0 || err != nil {
		t.Fatalf("status -l: exit %d, %v, stderr %q", code, err, stderr)
	}
	var got []string
	for _, a := range status.Applications {
		got = append(got, a.Kind+"/"+a.Name)
	}
	if want := []string{"SparkConnect/spark-connect", "SparkApplication/spark-pi"}; !slices.Equal(got, want) {
		t.Errorf("status -l shows %v, want %v", got, want)
	}
	// timeline -l selects pods: each application's row comes with its pods.
	ecs, _ := ensureNodes(t)
	sparkPod(t, ns, "spark-pi", "spark-pi-driver", "driver", ecs)
	server := newSparkPod(ns, "", "spark-connect-server", sparkapp.RoleConnectServer, ecs)
	delete(server.Labels, sparkapp.LabelAppName)
	server.Labels[sparkapp.LabelConnectName] = "spark-connect"
	createPod(t, server)
	stdout, stderr, code = runPlugin(t, "timeline", "-n", ns, "-l", "spark-role", "-o", "json")
	if err := json.Unmarshal([]byte(stdout), &status); code != 0 || err != nil {
		t.Fatalf("timeline -l: exit %d, %v, stderr %q", code, err, stderr)
	}
	got = nil
	for _, a := range status.Applications {
		got = append(got, a.Kind+"/"+a.Name)
	}
	if want := []string{"SparkApplication/spark-pi", "SparkConnect/spark-connect"}; !slices.Equal(got, want) {
		t.Errorf("timeline -l shows %v, want %v", got, want)
	}
}
