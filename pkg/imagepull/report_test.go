package imagepull

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/spark-eci/kubectl-spark-eci/internal/golden"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
)

// app is spark-pi with a driver and three executors: the driver hit the
// cache, exec-1 missed it and ECI created one, exec-2 ran on ECS, and exec-10
// missed on an old kubelet that did not write the pull time.
func app() []PodReport {
	driver := withInit(withMatched(pod("spark-pi-driver", "driver", eciNode), seedCache))
	return []PodReport{
		BuildPodReport(pod("spark-pi-exec-10", "executor", "virtual-kubelet-cn-beijing-k"), []corev1.Event{
			eciEvent("ImageCacheMissed", seedMissed, 10),
			kubelet("Pulling", pulling(sparkImage), 11, executorC),
			kubelet("Pulled", `Successfully pulled image "`+sparkImage+`"`, 73, executorC),
		}, isECI),
		BuildPodReport(pod("spark-pi-exec-2", "executor", ecsNode), []corev1.Event{
			kubelet("Pulling", pulling(sparkImage), 10, executorC),
			kubelet("Pulled", pulled130, 15, executorC),
		}, isECI),
		BuildPodReport(driver, []corev1.Event{
			eciEvent("SuccessfulHitImageCache", seedHit, 0),
			kubelet("Pulling", pulling("busybox:1.36"), 1, "", inInit("deps")),
			kubelet("Pulled", `Successfully pulled image "busybox:1.36" in 717ms (717ms including waiting). Image size: 2160406 bytes.`, 2, "", inInit("deps")),
			kubelet("Pulled", present(sparkImage), 3, driverC),
		}, isECI),
		BuildPodReport(pod("spark-pi-exec-1", "executor", eciNode), []corev1.Event{
			eciEvent("ImageCacheMissed", seedMissed, 10),
			eciEvent("ImageCacheAutoCreated", seedAutoCreated, 10),
			kubelet("Pulling", pulling(sparkImage), 11, executorC),
			kubelet("Pulled", `Successfully pulled image "`+sparkImage+`" in 1m41.289s (1m45.002s including waiting). Image size: 336066994 bytes.`, 116, executorC),
		}, isECI),
	}
}

func names(pods []PodReport) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Name)
	}
	return out
}

func TestNewReport(t *testing.T) {
	pods := append(app(),
		PodReport{Name: "spark-pi-exec-3", Role: "executor"},
		PodReport{Name: "spark-pi-ui-proxy"},
		PodReport{Name: "another-pod"},
	)
	r := NewReport(pods)
	want := []string{"spark-pi-driver", "spark-pi-exec-1", "spark-pi-exec-2", "spark-pi-exec-3", "spark-pi-exec-10", "another-pod", "spark-pi-ui-proxy"}
	if got := names(r.Pods); !reflect.DeepEqual(got, want) {
		t.Errorf("pods in order %q, want %q", got, want)
	}
	if r.APIVersion != "spark-eci.io/v1alpha1" || r.Kind != "CacheReport" {
		t.Errorf("type %s %s", r.APIVersion, r.Kind)
	}
	if names(pods)[0] != "spark-pi-exec-10" {
		t.Error("NewReport sorted its argument in place")
	}
	if NewReport(nil).Pods == nil {
		t.Error("no pods: Pods is nil, want an empty list")
	}
}

func TestSummarize(t *testing.T) {
	pulled := func(d time.Duration) ImagePull {
		return ImagePull{State: StatePulled, PullTime: d, PullTimeFrom: PullTimeFromMessage}
	}
	var pods []PodReport
	// 20 ECI pods that missed: pulls of 1s, 2s, ... 20s.
	for i := 1; i <= 20; i++ {
		pods = append(pods, PodReport{NodeKind: placement.NodeECI, Cache: CacheResult{Outcome: OutcomeMissed},
			Images: []ImagePull{pulled(time.Duration(i) * time.Second)}})
	}
	pods = append(pods,
		// A hit that still pulled a sidecar: not a saving, but a pull.
		PodReport{NodeKind: placement.NodeECI, Cache: CacheResult{Outcome: OutcomeHit}, Images: []ImagePull{{State: StatePresent}, pulled(500 * time.Millisecond)}},
		// ECS: no cache to save with.
		PodReport{NodeKind: placement.NodeECS, Images: []ImagePull{pulled(30 * time.Second)}},
		// ECI with no cache event at all: it pulled, a warm cache would have saved it.
		PodReport{NodeKind: placement.NodeECI, Images: []ImagePull{pulled(2 * time.Second), {State: StatePulled}}},
		PodReport{NodeKind: placement.NodeECI, Cache: CacheResult{Outcome: OutcomeAutoCreated, AutoCreatedID: "imc-b"}, Images: []ImagePull{{State: StateBackOff}}},
		PodReport{NodeKind: placement.NodeECI, Cache: CacheResult{Outcome: OutcomeNotFound, AutoCreatedID: "imc-a"}, Images: []ImagePull{{State: StateFailed}, {State: StateNeverPull}}},
		PodReport{NodeKind: placement.NodeECI, Cache: CacheResult{Outcome: OutcomeAutoCreated, AutoCreatedID: "imc-b"}},
		// Matching turned off: ECI looked for no cache, so no miss.
		PodReport{NodeKind: placement.NodeECI, Cache: CacheResult{Off: true}},
		PodReport{},
	)
	got := Summarize(pods)
	want := Summary{
		Pods: 28, ECIPods: 26, Hits: 1, Misses: 23, AutoCreated: 3, AutoCreatedIDs: []string{"imc-a", "imc-b"}, Failed: 2,
		// 23 pulls: 0.5s, 1s..20s, 2s again, 30s.
		Pulls:   23,
		PullP50: 10 * time.Second, // rank 12 of 0.5, 1, 2, 2, 3, ... 10
		PullP95: 20 * time.Second, // rank 22
		PullMax: 30 * time.Second,
		// 1+2+...+20 and the 2s of the pod without a cache event.
		WarmCacheSavings: 212 * time.Second,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Summarize\n got %+v\nwant %+v", got, want)
	}
	if s := Summarize(nil); !reflect.DeepEqual(s, Summary{AutoCreatedIDs: []string{}}) {
		t.Errorf("Summarize(nil) = %+v", s)
	}
	one := Summarize([]PodReport{{Images: []ImagePull{pulled(7 * time.Second)}}})
	if one.PullP50 != 7*time.Second || one.PullP95 != 7*time.Second || one.PullMax != 7*time.Second {
		t.Errorf("one pull: %+v", one)
	}
}

func TestReportJSON(t *testing.T) {
	r := NewReport(app())
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "app-report.json", string(b)+"\n")
	// The stream is checked against MarshalIndent itself, not against a
	// golden file it could have written: an empty report too.
	for _, report := range []Report{r, NewReport(nil)} {
		want, err := json.MarshalIndent(report, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		var streamed bytes.Buffer
		if err := report.WriteJSON(&streamed); err != nil {
			t.Fatal(err)
		}
		if streamed.String() != string(want)+"\n" {
			t.Errorf("WriteJSON of %d pods differs from json.MarshalIndent:\n%s\nwant:\n%s", len(report.Pods), streamed.String(), want)
		}
	}

	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("JSON round trip:\n got %+v\nwant %+v", back, r)
	}

	y, err := yaml.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"apiVersion: spark-eci.io/v1alpha1\n", "pullSeconds: 101.289\n", "warmCacheSavingsSeconds: 163.289\n", "sizeBytes: 336066994\n"} {
		if !strings.Contains(string(y), want) {
			t.Errorf("YAML lacks %q:\n%s", want, y)
		}
	}
}

func TestImagePullJSON(t *testing.T) {
	for _, tc := range []struct {
		in   ImagePull
		want string
	}{
		{ImagePull{Container: "c", Image: "i", State: StateWaiting}, `{"container":"c","image":"i","state":"waiting"}`},
		// A pull under a millisecond is still a known pull time.
		{ImagePull{Container: "c", Image: "i", State: StatePulled, PullTime: 500 * time.Microsecond, PullTimeFrom: PullTimeFromMessage},
			`{"container":"c","image":"i","state":"pulled","pullSeconds":0.0005,"pullTimeFrom":"message"}`},
		{ImagePull{Container: "c", Image: "i", State: StatePulled, PullTime: 0, PullTimeFrom: PullTimeFromTimestamps},
			`{"container":"c","image":"i","state":"pulled","pullSeconds":0,"pullTimeFrom":"timestamps"}`},
		{ImagePull{Container: "c", Image: "i", Init: true, State: StatePulled, PullTime: 49657983991, PullTimeFrom: PullTimeFromMessage,
			WithWaiting: 49657990000, SizeBytes: 1, Attempts: 2},
			`{"container":"c","image":"i","init":true,"state":"pulled","pullSeconds":49.657983991,"pullTimeFrom":"message","withWaitingSeconds":49.65799,"sizeBytes":1,"attempts":2}`},
		{ImagePull{Container: "c", Image: "i", State: StateFailed, Error: "Error: ErrImagePull", Attempts: 1},
			`{"container":"c","image":"i","state":"failed","error":"Error: ErrImagePull","attempts":1}`},
	} {
		b, err := json.Marshal(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("json of %+v\n got %s\nwant %s", tc.in, b, tc.want)
		}
		var back ImagePull
		if err := json.Unmarshal(b, &back); err != nil || back != tc.in {
			t.Errorf("%s read back as %+v, %v", b, back, err)
		}
	}
	var p ImagePull
	if err := json.Unmarshal([]byte(`{"pullSeconds":-1}`), &p); err == nil {
		t.Error("negative seconds read without an error")
	}
	if err := json.Unmarshal([]byte(`{"pullSeconds":1e300}`), &p); err == nil {
		t.Error("1e300 seconds read without an error")
	}
}

func TestPodReportJSONShape(t *testing.T) {
	b, err := json.Marshal(PodReport{Namespace: "spark", Name: "p", Images: []ImagePull{}})
	if err != nil {
		t.Fatal(err)
	}
	// Nothing known about the cache: no cache object; images always a list.
	if want := `{"namespace":"spark","name":"p","images":[],"events":0}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

func TestWriteTable(t *testing.T) {
	r := NewReport(app())
	var buf bytes.Buffer
	if err := WriteTable(&buf, r, false); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "app-table.txt", buf.String())

	buf.Reset()
	if err := WriteTable(&buf, r, true); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "spark-pi-driver ") {
		t.Errorf("--no-headers: want only the 4 pod rows, got:\n%s", buf.String())
	}

	buf.Reset()
	if err := WriteTable(&buf, NewReport(r.Pods[:1]), false); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "pod-table.txt", buf.String())

	buf.Reset()
	if err := WriteTable(&buf, NewReport(nil), false); err != nil {
		t.Fatal(err)
	}
	if want := "POD   ROLE   NODE   KIND   CACHE   IMAGE PULL   WITH WAITING   SIZE\n"; buf.String() != want {
		t.Errorf("no pods: got %q, want the header alone", buf.String())
	}
	buf.Reset()
	if err := WriteTable(&buf, NewReport(nil), true); err != nil || buf.Len() != 0 {
		t.Errorf("no pods, no headers: got %q, %v, want nothing", buf.String(), err)
	}
}

// TestWriteTableStates shows every state and cache outcome the table knows.
func TestWriteTableStates(t *testing.T) {
	p := func(name, role, node string, kind placement.NodeKind, cache CacheResult, imgs ...ImagePull) PodReport {
		return PodReport{Name: name, Role: role, Node: node, NodeKind: kind, Cache: cache, Images: imgs}
	}
	img := func(state PullState) ImagePull { return ImagePull{Container: executorC, State: state} }
	r := NewReport([]PodReport{
		p("app-driver", "driver", eciNode, placement.NodeECI, CacheResult{Outcome: OutcomeNotFound, ID: "imc-x"}, ImagePull{
			Container: driverC, State: StatePulled, PullTime: 49657983991, PullTimeFrom: PullTimeFromMessage, WithWaiting: 52 * time.Second, SizeBytes: 1 << 30}),
		p("app-exec-1", "executor", eciNode, placement.NodeECI, CacheResult{Outcome: OutcomeNotComplete, ID: "imc-x"}, img(StatePulling)),
		p("app-exec-2", "executor", eciNode, placement.NodeECI, CacheResult{Outcome: OutcomeAutoCreateFailed}, img(StateBackOff)),
		p("app-exec-3", "executor", eciNode, placement.NodeECI, CacheResult{}, img(StateFailed)),
		p("app-exec-4", "executor", eciNode, placement.NodeECI, CacheResult{ID: "imc-matched"}, img(StateUnknown)),
		p("app-exec-5", "executor", "", "", CacheResult{}, img(StateWaiting)),
		p("app-exec-6", "executor", ecsNode, placement.NodeECS, CacheResult{}, img(StateNeverPull)),
		p("app-exec-7", "executor", ecsNode, placement.NodeECS, CacheResult{}, ImagePull{
			Container: executorC, State: StatePulled, PullTime: 62 * time.Second, PullTimeFrom: PullTimeFromTimestamps, SizeBytes: 900}),
		p("app-exec-8", "executor", ecsNode, placement.NodeECS, CacheResult{}, ImagePull{Container: executorC, State: StatePulled}),
		p("app-exec-9", "executor", ecsNode, placement.NodeECS, CacheResult{}, ImagePull{Container: "sidecar", State: StatePresent},
			ImagePull{Container: executorC, State: StatePulled, PullTime: 3 * time.Second, PullTimeFrom: PullTimeFromMessage}),
		{Name: "app-exec-10", Role: "executor", Gone: true},
		p("app-exec-11", "executor", eciNode, placement.NodeECI, CacheResult{Off: true}, img(StatePresent)),
		p("app-exec-12", "executor", eciNode, placement.NodeECI, CacheResult{Outcome: OutcomeNotFound, ID: "imc-x", PinnedID: "imc-x", AutoCreatedID: "imc-y"}, img(StatePulling)),
	})
	var buf bytes.Buffer
	if err := WriteTable(&buf, r, false); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "states-table.txt", buf.String())
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.HasSuffix(line, " ") {
			t.Errorf("trailing space: %q", line)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{
		0:                   "0B",
		1023:                "1023B",
		1024:                "1.0KiB",
		336066994:           "320.5MiB",
		1048575:             "1.0MiB",
		5 << 30:             "5.0GiB",
		1<<63 - 1:           "8192.0PiB",
		2160406:             "2.1MiB",
		1<<40 + 1<<39 + 100: "1.5TiB",
	} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestNewReportLists(t *testing.T) {
	b, err := json.Marshal(NewReport([]PodReport{{Name: "gone", Gone: true}}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"images":[]`) {
		t.Errorf("a pod without images: %s, want an empty images list", b)
	}
	b, err = json.Marshal(NewReport(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"pods":[]`) {
		t.Errorf("no pods: %s, want an empty pods list", b)
	}
}
