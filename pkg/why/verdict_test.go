package why

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func problemOf(reason string, source Source, message string) *Problem {
	s := Subject{App: "spark-pi", Namespace: "spark", Pod: "spark-pi-exec-1"}
	return s.problem(reason, source, message, at)
}

func TestVerdict(t *testing.T) {
	noStock := problemOf(ReasonNoStock, SourceECI, "Create ECI failed because the specified instance is out of stock. cn-hangzhou-i")
	pull := problemOf(ReasonImagePullBackOff, SourceKubelet, `container spark-kubernetes-driver: Back-off pulling image "spark:typo"`)
	oom := problemOf(ReasonOOMKilled, SourceKubelet, "container spark-kubernetes-executor was killed for memory (exit 137)")
	for _, tc := range []struct {
		name string
		app  Application
		want string
	}{
		{"nothing wrong", Application{State: "RUNNING", Roles: []Role{{Name: "driver", Driver: true, Expected: 1, Pods: 1}, {Name: "executor", Expected: 5, Pods: 5}}}, ""},
		{"executors on ECI", Application{State: "RUNNING", Roles: []Role{
			{Name: "driver", Driver: true, Expected: 1, Pods: 1},
			{Name: "executor", Expected: 5, Pods: 5, Problems: []*Problem{noStock, noStock, noStock}},
		}}, "3 of 5 executors wait on ECI: NoStock: Create ECI failed because the specified instance is out of stock. cn-hangzhou-i; " +
			"give ECI vSwitches in other zones: kubectl spark-eci place spark-pi -n spark --vswitches=VSW,VSW --zone-strategy=VSwitchRandom and more specs: --instance-types=2-4Gi,4-8Gi"},
		{"the most common of the role, and the rest counted", Application{State: "RUNNING", Roles: []Role{
			{Name: "executor", Expected: 4, Pods: 4, Problems: []*Problem{oom, noStock, oom}},
		}}, "2 of 4 executors were killed for memory: OOMKilled: container spark-kubernetes-executor was killed for memory (exit 137); " +
			"give the role more memory: spec.driver.memoryOverhead or spec.executor.memoryOverhead (or memory); 1 more pod has another problem"},
		{"the driver first, stuck in SUBMITTED (kubeflow/spark-operator#2667)", Application{State: "SUBMITTED", Roles: []Role{
			{Name: "driver", Driver: true, Expected: 1, Pods: 1, Problems: []*Problem{pull}},
			{Name: "executor", Expected: 2, Pods: 2, Problems: []*Problem{noStock, noStock}},
		}}, `SUBMITTED, but the driver cannot pull its image: ImagePullBackOff: container spark-kubernetes-driver: Back-off pulling image "spark:typo"; ` +
			"check the image's name and tag, and the pull secret (spec.imagePullSecrets); 2 more pods have other problems"},
		{"FAILED, with the operator's error", Application{State: "FAILED", ErrorMessage: "driver container failed with ExitCode: 1, Reason: Error\nmore", Driver: "spark-pi-driver",
			App: "spark-pi", Namespace: "spark", Roles: []Role{{Name: "executor", Expected: 2, Pods: 2, Problems: []*Problem{oom}}}},
			"FAILED: driver container failed with ExitCode: 1, Reason: Error; read the driver's log: kubectl logs spark-pi-driver -n spark; 1 more pod has another problem"},
		{"the driver pod gone", Application{State: "FAILING", ErrorMessage: "driver pod not found", Driver: "spark-pi-driver", App: "spark-pi", Namespace: "spark"},
			`FAILING: SparkDriverNotFound: the operator found no driver pod ("driver pod not found"): deleted, evicted or never created; ` +
				"see what became of it: kubectl get events --field-selector involvedObject.name=spark-pi-driver -n spark"},
		{"executors the operator marks FAILED, gone", Application{State: "RUNNING", GoneFailedExecutors: []string{"e-1", "e-2", "e-3", "e-4", "e-5"}},
			"the operator marks 5 executors FAILED whose pods are gone: e-1, e-2, e-3 and 2 more"},
		{"one of them", Application{State: "RUNNING", GoneFailedExecutors: []string{"e-1"}},
			"the operator marks 1 executor FAILED whose pod is gone: e-1"},
		{"FAILED without a word", Application{State: "FAILED", Roles: []Role{{Name: "driver", Driver: true, Expected: 1, Pods: 1, Problems: []*Problem{oom}}}},
			"the driver was killed for memory: OOMKilled: container spark-kubernetes-executor was killed for memory (exit 137); " +
				"give the role more memory: spec.driver.memoryOverhead or spec.executor.memoryOverhead (or memory)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Verdict(tc.app); got != tc.want {
				t.Errorf("Verdict =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestTally(t *testing.T) {
	a := problemOf(ReasonNoStock, SourceECI, "")
	b := problemOf(ReasonOOMKilled, SourceKubelet, "")
	c := problemOf(ReasonEvicted, SourceKubelet, "")
	got := Tally([]*Problem{b, a, c, a, b, a})
	want := []Count{{ReasonNoStock, 3}, {ReasonOOMKilled, 2}, {ReasonEvicted, 1}}
	if len(got) != len(want) {
		t.Fatalf("Tally = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Tally = %v, want %v", got, want)
		}
	}
}

// Every row of the table is whole, and named once per source.
func TestReasonsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Reasons() {
		key := r.Name + "/" + string(r.Source)
		if seen[key] {
			t.Errorf("%s twice", key)
		}
		seen[key] = true
		if r.Name == "" || r.Source == "" || r.Pods == "" || r.Pod == "" || r.Means == "" || r.Fix == "" {
			t.Errorf("%s: a field is empty: %+v", key, r)
		}
		if strings.HasSuffix(r.Means, ".") || strings.HasSuffix(r.Fix, ".") {
			t.Errorf("%s: a line of a verdict does not end with a full stop: %+v", key, r)
		}
	}
	for r := range instanceReasons {
		if _, ok := Lookup(r, SourceECI); !ok {
			t.Errorf("instance reason %s is not in the table", r)
		}
	}
	for r := range eventReasons {
		if _, ok := Lookup(r, SourceECI); !ok {
			t.Errorf("event reason %s is not in the table as ECI's", r)
		}
	}
}

// docsTable is the table of reasons docs/status.md shows: one row per reason
// of the code's table, APP and POD written as a user reads them.
func docsTable() string {
	var b strings.Builder
	b.WriteString("| reason | told by | the pods | what it means | fix |\n|---|---|---|---|---|\n")
	for _, r := range Reasons() {
		fix := strings.NewReplacer("APP", "NAME", "|", `\|`).Replace(r.Fix)
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", r.Name, r.Source, r.Pods, r.Means, fix)
	}
	return b.String()
}

func TestDocsTableIsTheCodes(t *testing.T) {
	doc, err := os.ReadFile("../../docs/status.md")
	if err != nil {
		t.Fatal(err)
	}
	stuck := Verdict(Application{State: "SUBMITTED", Roles: []Role{{Name: "driver", Driver: true, Expected: 1, Pods: 1, Problems: []*Problem{
		(Subject{App: "stuck", Namespace: "spark", Pod: "stuck-driver"}).problem(ReasonErrImagePull, SourceKubelet,
			`container spark-kubernetes-driver: failed to pull and unpack image "spark:3.5.9": not found`, at),
	}}}})
	if !strings.Contains(string(doc), "\nWHY "+stuck+"\n") {
		t.Errorf("docs/status.md does not show the verdict as status writes it:\nWHY %s", stuck)
	}
	want := docsTable()
	i := strings.Index(string(doc), "\n"+want)
	if i < 0 || !strings.HasPrefix(string(doc[i+1+len(want):])+"\n", "\n") {
		t.Errorf("docs/status.md does not hold the table of reasons as the code has it; it should read:\n%s", want)
	}
}
