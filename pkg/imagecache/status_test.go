package imagecache

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/spark-eci/kubectl-spark-eci/internal/golden"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

var now = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func cacheObject(t *testing.T, manifest string) *unstructured.Unstructured {
	t.Helper()
	return &unstructured.Unstructured{Object: parse(t, manifest)}
}

func TestCacheOf(t *testing.T) {
	c := CacheOf(cacheObject(t, `
apiVersion: eci.alibabacloud.com/v1
kind: ImageCache
metadata: {name: spark, creationTimestamp: "2026-12-01T09:00:00Z"}
spec: {images: [spark:3.5.2, busybox], imageCacheSize: 40, retentionDays: 7}
status:
  phase: Ready
  progress: 100%
  imageCacheId: imc-2zeditzeoemfhqor1234
  expireDateTime: "2026-12-08T09:05:00Z"
  events:
  - {type: Normal, message: Success pull image spark:3.5.2}
  - {type: Warning, message: Retry pulling busybox}
  - {type: Normal, message: Image cache is ready}`))
	want := Cache{
		Name: "spark", ID: "imc-2zeditzeoemfhqor1234", Phase: "Ready", Progress: "100%", Percent: 100,
		Images: []string{"spark:3.5.2", "busybox"}, SizeGiB: 40, RetentionDays: 7,
		Expires: time.Date(2026, 12, 8, 9, 5, 0, 0, time.UTC), Message: "Retry pulling busybox",
		Created: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("CacheOf\n got %+v\nwant %+v", c, want)
	}
	if c.State() != StateReady {
		t.Errorf("state %s", c.State())
	}

	fresh := CacheOf(cacheObject(t, `{metadata: {name: new}, spec: {images: [a]}}`))
	if fresh.Percent != -1 || fresh.State() != StateInProgress || fresh.Message != "" {
		t.Errorf("a cache with no status: %+v, state %s", fresh, fresh.State())
	}
	// A number, or a number without the sign, is a progress too.
	for _, status := range []string{`{progress: 42}`, `{progress: "42"}`, `{progress: " 42% "}`} {
		if c := CacheOf(cacheObject(t, `{metadata: {name: n}, status: `+status+`}`)); c.Percent != 42 {
			t.Errorf("status %s: percent %d", status, c.Percent)
		}
	}
	if c := CacheOf(cacheObject(t, `{metadata: {name: n}, status: {progress: "142%"}}`)); c.Percent != -1 {
		t.Errorf("142%%: percent %d, want none", c.Percent)
	}
}

func TestState(t *testing.T) {
	for phase, want := range map[string]State{
		"Ready": StateReady, "Failed": StateFailed, "UpdateFailed": StateFailed,
		"": StateInProgress, "Preparing": StateInProgress, "Creating": StateInProgress, "Updating": StateInProgress,
		"SomethingNew": StateInProgress,
	} {
		if got := (Cache{Phase: phase}).State(); got != want {
			t.Errorf("phase %q: %s, want %s", phase, got, want)
		}
	}
}

func TestMissingComparesReferences(t *testing.T) {
	c := Cache{Images: []string{"docker.io/library/busybox:latest", "registry.example.com/spark:3.5.2", "NOT A REFERENCE"}}
	for _, tc := range []struct {
		images  []string
		missing []string
	}{
		{[]string{"busybox"}, nil},
		{[]string{"busybox:latest", "library/busybox", "docker.io/busybox", "index.docker.io/library/busybox:latest"}, nil},
		{[]string{"registry.example.com/spark:3.5.2"}, nil},
		{[]string{"registry.example.com/spark:3.5.3", "busybox:1.36"}, []string{"registry.example.com/spark:3.5.3", "busybox:1.36"}},
		{[]string{"NOT A REFERENCE"}, nil},
	} {
		if got := c.Missing(tc.images); !reflect.DeepEqual(got, tc.missing) {
			t.Errorf("Missing(%q) = %q, want %q", tc.images, got, tc.missing)
		}
		if c.Holds(tc.images) != (len(tc.missing) == 0) {
			t.Errorf("Holds(%q) disagrees with Missing", tc.images)
		}
	}
}

func TestReusable(t *testing.T) {
	images := []string{"spark:3.5.2"}
	at := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
	caches := []Cache{
		{Name: "failed", Phase: "Failed", Images: images, Created: at(5)},
		{Name: "other-images", Phase: "Ready", Images: []string{"spark:3.4"}, Created: at(4)},
		{Name: "creating-new", Phase: "Creating", Images: images, Created: at(3)},
		{Name: "ready-old", Phase: "Ready", Images: append(images, "more:1"), Created: at(1)},
		{Name: "ready-new", Phase: "Ready", Images: images, Created: at(2)},
	}
	if got, ok := Reusable(caches, images, now); !ok || got.Name != "ready-new" {
		t.Errorf("Reusable = %s, %v, want the newest ready one", got.Name, ok)
	}
	if got, ok := Reusable(caches[:3], images, now); !ok || got.Name != "creating-new" {
		t.Errorf("without a ready one: %s, %v, want the one in progress", got.Name, ok)
	}
	if _, ok := Reusable(caches[:2], images, now); ok {
		t.Error("a failed cache and one of other images were reused")
	}
	expired := []Cache{{Name: "expired", Phase: "Ready", Images: images, Expires: now.Add(-time.Minute)}}
	if _, ok := Reusable(expired, images, now); ok {
		t.Error("an expired cache was reused")
	}
	// One that pinned-caches would warn of comes after any other, even
	// older or not ready yet: exactly those PinFindings warns of.
	day := 24 * time.Hour
	for _, tc := range []struct {
		expires time.Duration
		first   bool
	}{{6 * day, false}, {7 * day, false}, {7*day + time.Minute, true}, {8 * day, true}} {
		c := Cache{Name: "c", ID: "imc-c", Phase: "Ready", Images: images, Expires: now.Add(tc.expires), Created: at(9)}
		lasting := Cache{Name: "lasting", Phase: "Creating", Images: images, Created: at(1)}
		got, _ := Reusable([]Cache{lasting, c}, images, now)
		if (got.Name == "c") != tc.first {
			t.Errorf("a ready cache that expires in %s, beside an older one in progress that never does: %s reused", tc.expires, got.Name)
		}
		if got, ok := Reusable([]Cache{c}, images, now); !ok || got.Name != "c" {
			t.Errorf("a cache that expires in %s, alone: not reused", tc.expires)
		}
		if warned := len(PinFindings(Pinning{Pins: []Pin{{Role: sparkapp.Executor, ID: "imc-c"}}}, []Cache{c}, now)) > 0; warned == tc.first {
			t.Errorf("a cache that expires in %s: reused first %v, and pinned-caches warns %v", tc.expires, tc.first, warned)
		}
	}
}

func TestWriteTable(t *testing.T) {
	caches := []Cache{
		{Name: "default-spark-pi-1a2b3c4d", ID: "imc-2zeditzeoemfhqor1234", Phase: "Ready", Progress: "100%", Percent: 100,
			Images: []string{"busybox:1.36", sparkImage}, SizeGiB: 40, Expires: now.Add(30 * 24 * time.Hour)},
		{Name: "etl", Phase: "Creating", Progress: "42%", Percent: 42, Images: []string{sparkImage}, RetentionDays: 3},
		{Name: "old", ID: "imc-old", Phase: "UpdateFailed", Images: []string{"spark:2.4"}, Expires: now.Add(-time.Hour)},
		{Name: "new", Images: []string{"busybox:1.36"}},
	}
	pinners := Pinners{ByID: map[string][]string{
		"imc-2zeditzeoemfhqor1234": {"ml/etl", "spark/scheduledsparkapplication/nightly", "spark/spark-pi", "spark/sparkconnect/sc"},
	}}
	var buf bytes.Buffer
	if err := WriteTable(&buf, caches, pinners, nil, false, now); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "list-table.txt", buf.String())

	buf.Reset()
	coverage := &Coverage{App: "spark-pi", Namespace: "spark", Ref: "sparkapplication/spark-pi", Images: []string{"busybox:1.36", sparkImage}}
	if err := WriteTable(&buf, caches, pinners, coverage, false, now); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "list-for-table.txt", buf.String())

	for _, tc := range []struct {
		caches []Cache
		want   string
	}{
		{caches[1:2], "spark-pi: no cache holds its 2 images; make one: kubectl spark-eci image-cache create -n spark sparkapplication/spark-pi --place"},
		{[]Cache{{Name: "etl", Phase: "Creating", Progress: "42%", Images: coverage.Images}},
			"spark-pi: cache etl holds its 2 images, and is not ready to pin (Creating 42%)"},
		{[]Cache{{Name: "no-id", Phase: "Ready", Progress: "100%", Images: coverage.Images}},
			"spark-pi: cache no-id holds its 2 images, and is not ready to pin (ready, but ECI has not given it an id yet)"},
		{[]Cache{{Name: "one", Phase: "Ready", ID: "imc-1", Images: coverage.Images[:1]}},
			"spark-pi: no cache holds its 2 images; make one: kubectl spark-eci image-cache create -n spark sparkapplication/spark-pi --place"},
		{[]Cache{{Name: "soon", Phase: "Ready", ID: "imc-1", Images: coverage.Images, Expires: now.Add(6 * 24 * time.Hour)}},
			"spark-pi: ready cache soon (imc-1) holds its 2 images, and expires at 2026-12-07T10:00:00Z, within 7 days; pin it: kubectl spark-eci place -n spark sparkapplication/spark-pi --image-cache=imc-1, " +
				"or make one that lasts: kubectl spark-eci image-cache create -n spark sparkapplication/spark-pi --name=NEW-NAME --place"},
		{[]Cache{{Name: "soon", Phase: "Ready", ID: "imc-1", Images: coverage.Images, Expires: now.Add(6 * 24 * time.Hour)}, caches[0]},
			"spark-pi: ready cache default-spark-pi-1a2b3c4d (imc-2zeditzeoemfhqor1234) holds its 2 images; pin it: kubectl spark-eci place -n spark sparkapplication/spark-pi --image-cache=imc-2zeditzeoemfhqor1234"},
	} {
		if got := Verdict(tc.caches, *coverage, now); got != tc.want {
			t.Errorf("Verdict = %q, want %q", got, tc.want)
		}
	}
	for expires, want := range map[time.Duration]string{6 * 24 * time.Hour: "all, expires soon", 8 * 24 * time.Hour: "all", -time.Hour: "all"} {
		c := Cache{Name: "c", Phase: "Ready", ID: "imc-1", Images: coverage.Images, Expires: now.Add(expires)}
		if got := covers(c, coverage.Images, now); got != want {
			t.Errorf("COVERS of a cache that expires in %s: %q, want %q", expires, got, want)
		}
	}

	buf.Reset()
	if err := WriteTable(&buf, caches[:1], pinners, coverage, true, now); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); bytes.Count(buf.Bytes(), []byte("\n")) != 1 || !bytes.HasPrefix(buf.Bytes(), []byte("default-spark-pi-1a2b3c4d ")) {
		t.Errorf("--no-headers: %q, want the row alone", got)
	}
}

// cellsOf splits the table's lines into cells: columns are three spaces or
// more apart, a cell's own words one.
func cellsOf(table string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSuffix(table, "\n"), "\n") {
		var row []string
		for _, c := range regexp.MustCompile(` {3,}`).Split(line, -1) {
			row = append(row, strings.TrimSpace(c))
		}
		rows = append(rows, row)
	}
	return rows
}

// The PINNED BY column, read back from the table: the applications, a few
// then how many more, "none" for a cache nothing pins, "-" for one with no
// id yet, "?" for every cache when the applications could not be read.
func TestWriteTablePinnedBy(t *testing.T) {
	caches := []Cache{
		{Name: "a", ID: "imc-a", Phase: "Ready"},
		{Name: "b", ID: "imc-b", Phase: "Ready"},
		{Name: "c", ID: "imc-c", Phase: "Failed"},
		{Name: "d", Phase: "Creating"},
	}
	apps := []Pinning{
		PinningOf(parse(t, sparkAppHdr+"spec: {executor: {annotations: {"+snapshotID+": imc-a}}}")),
		PinningOf(parse(t, "kind: SparkConnect\nmetadata: {name: sc, namespace: spark}\nspec: {server: {template: {metadata: {annotations: {"+imcID+": imc-a}}}}}")),
		PinningOf(parse(t, "kind: ScheduledSparkApplication\nmetadata: {name: nightly, namespace: ml}\nspec: {template: {driver: {annotations: {"+imcID+": imc-c}}}}")),
	}
	for i := range 4 {
		apps = append(apps, Pinning{Kind: sparkapp.KindSparkApplication, Namespace: "x", Name: fmt.Sprint("app", i), Pins: []Pin{{Role: sparkapp.Driver, ID: "imc-c"}}})
	}
	for _, tc := range []struct {
		name    string
		pinners Pinners
		want    []string // the cell of each cache
	}{
		{"known", Pinners{ByID: PinnedBy(apps)}, []string{
			"spark/etl,spark/sparkconnect/sc", PinnedByNone,
			"ml/scheduledsparkapplication/nightly,x/app0,x/app1 +2", "-"}},
		{"unknown", Pinners{Unknown: true}, []string{PinnedByUnknown, PinnedByUnknown, PinnedByUnknown, "-"}},
		{"nothing pinned", Pinners{ByID: PinnedBy(nil)}, []string{PinnedByNone, PinnedByNone, PinnedByNone, "-"}},
	} {
		var buf bytes.Buffer
		if err := WriteTable(&buf, caches, tc.pinners, nil, false, now); err != nil {
			t.Fatal(err)
		}
		rows := cellsOf(buf.String())
		column := slices.Index(rows[0], "PINNED BY")
		if column < 0 || len(rows) != len(caches)+1 {
			t.Fatalf("%s: no PINNED BY column, or not a row per cache:\n%s", tc.name, buf.String())
		}
		for i, c := range caches {
			if got := rows[i+1][column]; rows[i+1][0] != c.Name || got != tc.want[i] {
				t.Errorf("%s: %s's cell %q, want %q\n%s", tc.name, c.Name, got, tc.want[i], buf.String())
			}
		}
	}
}

func TestProgressBar(t *testing.T) {
	for _, tc := range []struct {
		cache Cache
		want  string
	}{
		{Cache{Name: "c", Phase: "Creating", Percent: 42}, "c [====>     ]  42% Creating"},
		{Cache{Name: "c", Phase: "Creating", Percent: 0}, "c [>         ]   0% Creating"},
		{Cache{Name: "c", Phase: "Ready", Percent: 100}, "c [==========] 100% Ready"},
		{Cache{Name: "c", Phase: "Preparing", Percent: -1}, "c Preparing"},
		{Cache{Name: "c", Percent: -1}, "c -"},
	} {
		if got := ProgressBar(tc.cache, 10); got != tc.want {
			t.Errorf("ProgressBar(%+v) = %q, want %q", tc.cache, got, tc.want)
		}
	}
}
