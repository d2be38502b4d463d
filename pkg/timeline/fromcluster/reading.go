package fromcluster

import (
	"cmp"
	"iter"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spark-eci/kubectl-spark-eci/pkg/imagepull"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
	"github.com/spark-eci/kubectl-spark-eci/pkg/timeline"
)

// Reading gathers a timeline as a command reads the cluster, by the reads
// cache-report makes: the pods, a page at a time (PutPod); then which of
// them are shown (Keep); then their events (PutEvent); and the
// applications they are of (PutApp), for the applications' rows. It keeps
// what cache-report keeps of each pod (imagepull's facts and events, for
// the cache result and the pull time) and its Marks: never the pods or
// the events themselves.
type Reading struct {
	isECI  func(node string) bool
	pods   []readPod
	byUID  map[types.UID]int
	events *imagepull.EventStore
	apps   map[string]appFacts
}

// readPod is what a Reading keeps of a pod.
type readPod struct {
	facts imagepull.PodFacts
	marks packedMarks
}

// appFacts is what a Reading keeps of an application.
type appFacts struct {
	submission string
	submitted  time.Time
	expected   int
	ended      bool
}

// New begins a reading; isECI tells the nodes that are ECI's (by
// placement.NodeKinds' rule).
func New(isECI func(node string) bool) *Reading {
	return &Reading{isECI: isECI, apps: map[string]appFacts{}}
}

// PutPod reads a pod.
func (r *Reading) PutPod(pod *corev1.Pod) {
	r.pods = append(r.pods, readPod{facts: imagepull.FactsOf(pod), marks: pack(MarksOf(pod))})
}

// Pods is how many pods are kept.
func (r *Reading) Pods() int { return len(r.pods) }

// Keep keeps the pods of each application's current submission (every
// pod, with allSubmissions), as cache-report does, and tells how many it
// left out. The events come after: only those of the pods kept are read.
func (r *Reading) Keep(allSubmissions bool) (left int) {
	if !allSubmissions {
		r.pods, left = sparkapp.KeepCurrent(r.pods, func(p *readPod) sparkapp.PodSubmission { return p.facts.Submission })
	}
	// The list grew by doubling: held while the events are read, it is
	// held at its length.
	r.pods = slices.Clone(r.pods)
	r.byUID = make(map[types.UID]int, len(r.pods))
	uids := make([]types.UID, len(r.pods))
	for i := range r.pods {
		r.byUID[r.pods[i].facts.UID] = i
		uids[i] = r.pods[i].facts.UID
	}
	r.events = imagepull.NewEventStore(uids)
	return left
}

// Kept yields the namespace and UID of each pod kept: where their events
// are read.
func (r *Reading) Kept() iter.Seq2[string, types.UID] {
	return func(yield func(string, types.UID) bool) {
		for i := range r.pods {
			if !yield(r.pods[i].facts.Namespace, r.pods[i].facts.UID) {
				return
			}
		}
	}
}

// PutEvent reads an event, and tells whether it is about a pod kept and
// marked or told anything.
func (r *Reading) PutEvent(e *corev1.Event) bool {
	i, ok := r.byUID[e.InvolvedObject.UID]
	if !ok {
		return false
	}
	stored := r.events.Put(e)
	return r.pods[i].marks.putEvent(e) || stored
}

// PutApp reads an application or a SparkConnect: its submission and the
// executors it asks for.
func (r *Reading) PutApp(obj map[string]interface{}) {
	kind, _ := obj["kind"].(string)
	meta, _ := obj["metadata"].(map[string]interface{})
	namespace, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	id, at := sparkapp.Submitted(obj)
	r.apps[sparkapp.Key(kind, namespace, name)] = appFacts{submission: id, submitted: at, expected: sparkapp.ExpectedExecutors(obj),
		ended: sparkapp.Ended(sparkapp.StateOf(obj))}
}

// Timeline is what was read, at now: a row a submission of each
// application whose driver is kept (an application's start is told from
// its driver on), then the pods, an application's
// submissions one after the other (the oldest first), each one's driver
// first and its executors in natural order (exec-2 before exec-10), then
// the pods of no application. What a pod's row is made of is dropped as it
// is made: a Reading makes one timeline. Without Keep, every pod is kept.
func (r *Reading) Timeline(now time.Time) timeline.Timeline {
	if r.events == nil {
		r.Keep(true)
	}
	pods := make([]timeline.Pod, len(r.pods))
	subs := map[submissionKey]*submission{}
	var saving time.Duration
	for i := range r.pods {
		p := &r.pods[i]
		events := r.events.Of(p.facts.UID).Events()
		report := imagepull.ReportOfEvents(&p.facts, events, r.isECI)
		saving += report.WarmCacheSaving()
		unpacked := p.marks.unpack()
		unpacked.PutPulls(events)
		marks := unpacked.Resolved()
		marks.OnECI = report.NodeKind == placement.NodeECI
		pods[i] = timeline.Pod{
			Namespace: p.facts.Namespace, Name: p.facts.Name, Role: p.facts.Role,
			NodeKind: string(report.NodeKind), Cache: report.CacheWord(), CacheMissed: report.Cache.Missed(),
			PullSeconds: longestPull(report), Phases: timeline.SpansOf(marks, now),
		}
		key := submissionKey{app: p.facts.Submission.App, id: p.facts.Submission.ID}
		if key.app != "" {
			s := subs[key]
			if s == nil {
				s = newSubmission(key)
				subs[key] = s
			}
			s.put(p.facts.Role, marks, i)
		}
		r.events.Forget(p.facts.UID)
		*p = readPod{}
	}
	apps := make([]timeline.Application, 0, len(subs))
	order := make([]*submission, 0, len(subs))
	for _, s := range subs {
		order = append(order, s)
	}
	slices.SortFunc(order, func(a, b *submission) int {
		return cmp.Or(cmp.Compare(a.key.app, b.key.app), a.first.Compare(b.first), cmp.Compare(a.key.id, b.key.id))
	})
	rank := make([]int, len(pods)) // each pod's submission, in order; the pods of none last
	for i := range rank {
		rank[i] = len(order)
	}
	for n, s := range order {
		for _, i := range s.pods {
			rank[i] = n
			pods[i].Application, pods[i].Submission = s.name, s.key.id
		}
		if !s.driver {
			continue // without its driver (not selected, or gone) its start is not told
		}
		app, known := r.apps[s.key.app]
		apps = append(apps, timeline.Application{Kind: s.kind, Namespace: s.namespace, Name: s.name, Submission: s.key.id,
			Phases: timeline.AppSpansOf(s.marks(app, known), now)})
	}
	index := make([]int, len(pods))
	for i := range index {
		index[i] = i
	}
	slices.SortStableFunc(index, func(a, b int) int {
		return cmp.Or(cmp.Compare(rank[a], rank[b]), cmp.Compare(pods[a].Namespace, pods[b].Namespace),
			sparkapp.ComparePods(pods[a].Role, pods[a].Name, pods[b].Role, pods[b].Name))
	})
	permute(pods, index)
	r.pods, r.byUID = nil, nil
	t := timeline.New(apps, pods, now)
	t.WarmCacheSavingsSeconds = saving.Seconds()
	return t
}

// permute puts pods in the order of index (pods[index[0]] first), in
// place: the pods of a whole cluster are not held twice.
func permute(pods []timeline.Pod, index []int) {
	for start := range index {
		if index[start] < 0 {
			continue
		}
		// Follow the cycle through start: each place takes the pod its
		// index names, the first one's kept aside.
		first := pods[start]
		at := start
		for index[at] != start {
			next := index[at]
			pods[at] = pods[next]
			index[at] = -1
			at = next
		}
		pods[at] = first
		index[at] = -1
	}
}

// submissionKey tells one submission of one application apart.
type submissionKey struct{ app, id string }

// submission is what the pods of one submission tell of its start.
type submission struct {
	key                   submissionKey
	kind, namespace, name string    // of its application, read from key
	first                 time.Time // its first pod's creation, to order submissions
	pods                  []int     // its pods' places in the timeline
	// driver tells that the submission's driver is among its pods.
	driver bool
	timeline.AppMarks
	executorsStarted []time.Time
}

func newSubmission(key submissionKey) *submission {
	s := &submission{key: key}
	s.kind, s.namespace, s.name = sparkapp.ParseKey(key.app)
	return s
}

// put adds a pod of the submission, of role, at index in the timeline.
func (s *submission) put(role string, m timeline.Marks, index int) {
	s.pods = append(s.pods, index)
	s.first = earliest(s.first, m.Created)
	switch sparkapp.RoleOfLabel(role) {
	case sparkapp.Driver:
		s.driver = true
		s.DriverCreated, s.DriverStarted = m.Created, m.Started
	case sparkapp.Executor:
		s.FirstExecutorCreated = earliest(s.FirstExecutorCreated, m.Created)
		s.executorsStarted = append(s.executorsStarted, m.Started)
	}
}

// marks are the submission's marks: what its pods tell, and what its
// application's status does when it is this submission's (the operator
// keeps the last one's only). Without the application, every executor
// shown stands for those it asks for.
func (s *submission) marks(app appFacts, known bool) timeline.AppMarks {
	m := s.AppMarks
	m.NoSubmit = s.kind == sparkapp.KindSparkConnect
	expected := len(s.executorsStarted)
	if known {
		expected = app.expected
		if app.submission == s.key.id && !m.NoSubmit {
			m.Submitted = app.submitted
		}
		// An earlier submission's end is the next one's start.
		m.Ended = app.ended || app.submission != s.key.id
	}
	m.ExecutorsRunning = timeline.ExecutorsRunning(s.executorsStarted, expected)
	return m
}

// longestPull is the longest of a pod's image pulls, as cache-report times
// them; nil when none is known.
func longestPull(r imagepull.PodReport) *float64 {
	var longest time.Duration
	known := false
	for _, img := range r.Images {
		if img.State == imagepull.StatePulled && img.PullTime > 0 {
			longest, known = max(longest, img.PullTime), true
		}
	}
	if !known {
		return nil
	}
	seconds := longest.Seconds()
	return &seconds
}
