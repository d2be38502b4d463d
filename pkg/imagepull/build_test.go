package imagepull

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	corev1 "k8s.io/api/core/v1"
)

func TestBuildPodReport(t *testing.T) {
	pullErr := `Failed to pull image "` + sparkImage + `": rpc error: code = Unknown desc = unauthorized`
	for _, tc := range []struct {
		name   string
		pod    *corev1.Pod
		events []corev1.Event
		isECI  func(string) bool
		want   PodReport
		done   bool
	}{
		{
			name: "seed: cache missed, auto created, pulled in 1m41.289s",
			pod:  pod("spark-pi-driver", "driver", eciNode),
			events: []corev1.Event{
				event("Scheduled", "Successfully assigned spark/spark-pi-driver to "+eciNode, 0),
				eciEvent("ImageCacheMissed", seedMissed, 1),
				eciEvent("ImageCacheAutoCreated", seedAutoCreated, 1),
				kubelet("Pulling", pulling(sparkImage), 2, driverC),
				kubelet("Pulled", seedPulled, 103, driverC),
				kubelet("Created", "Created container "+driverC, 103, driverC),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "uid-spark-pi-driver", Role: "driver",
				Node: eciNode, NodeKind: placement.NodeECI, Phase: corev1.PodRunning,
				Cache: CacheResult{Outcome: OutcomeAutoCreated, ID: seedCache, AutoCreatedID: seedCache},
				Images: []ImagePull{{Container: driverC, Image: sparkImage, State: StatePulled,
					PullTime: 101289 * time.Millisecond, PullTimeFrom: PullTimeFromMessage, WithWaiting: 101289 * time.Millisecond, Attempts: 1}},
				Events: 4},
			done: true,
		},
		{
			name: "seed: cache hit, image already present",
			pod:  withMatched(pod("spark-pi-driver", "driver", eciNode), seedCache),
			events: []corev1.Event{
				kubelet("Pulled", present(sparkImage), 19, driverC),
				eciEvent("SuccessfulHitImageCache", seedHit, 0),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "uid-spark-pi-driver", Role: "driver",
				Node: eciNode, NodeKind: placement.NodeECI, Phase: corev1.PodRunning,
				Cache:  CacheResult{Outcome: OutcomeHit, ID: seedCache},
				Images: []ImagePull{{Container: driverC, Image: sparkImage, State: StatePresent}},
				Events: 2},
			done: true,
		},
		{
			name: "ECS: no cache events",
			pod:  pod("spark-pi-exec-1", "executor", ecsNode),
			events: []corev1.Event{
				kubelet("Pulling", pulling(sparkImage), 0, executorC),
				kubelet("Pulled", pulled130, 5, executorC),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-exec-1", UID: "uid-spark-pi-exec-1", Role: "executor",
				Node: ecsNode, NodeKind: placement.NodeECS, Phase: corev1.PodRunning,
				Images: []ImagePull{{Container: executorC, Image: sparkImage, State: StatePulled, PullTime: 4614 * time.Millisecond,
					PullTimeFrom: PullTimeFromMessage, WithWaiting: 4614 * time.Millisecond, SizeBytes: 336066994, Attempts: 1}},
				Events: 2},
			done: true,
		},
		{
			name: "gone: everything from the events",
			events: []corev1.Event{
				event("Scheduled", "Successfully assigned spark/spark-pi-exec-3 to "+eciNode, 0, about("spark", "spark-pi-exec-3", "u3")),
				eciEvent("ImageCacheMissed", seedMissed, 1),
				kubelet("Pulling", pulling(sparkImage), 2, executorC, about("spark", "spark-pi-exec-3", "u3")),
				kubelet("Pulled", `Successfully pulled image "`+sparkImage+`" in 30s (31s including waiting)`, 33, executorC, about("spark", "spark-pi-exec-3", "u3")),
			},
			isECI: func(string) bool { return false }, // the node is gone too
			want: PodReport{Namespace: "spark", Name: "spark-pi-exec-3", UID: "u3", Role: "executor",
				Node: eciNode, NodeKind: placement.NodeECI,
				Cache: CacheResult{Outcome: OutcomeMissed},
				Images: []ImagePull{{Container: executorC, Image: sparkImage, State: StatePulled, PullTime: 30 * time.Second,
					PullTimeFrom: PullTimeFromMessage, WithWaiting: 31 * time.Second, Attempts: 1}},
				Events: 3, Gone: true},
			done: true,
		},
		{
			name: "gone: node from the kubelet's host",
			events: []corev1.Event{
				kubelet("Pulled", present(sparkImage), 2, driverC, about("spark", "spark-pi-driver", "u0"), func(e *corev1.Event) { e.Source.Host = ecsNode }),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "u0", Role: "driver", Node: ecsNode, NodeKind: placement.NodeECS,
				Images: []ImagePull{{Container: driverC, Image: sparkImage, State: StatePresent}},
				Events: 1, Gone: true},
			done: true,
		},
		{
			name: "gone: no image events left",
			events: []corev1.Event{
				event("Killing", "Stopping container x", 2, about("spark", "other", "u9")),
			},
			want: PodReport{Namespace: "spark", Name: "other", UID: "u9", Images: []ImagePull{}, Gone: true},
			done: true,
		},
		{
			name: "pull in progress",
			pod:  pod("spark-pi-exec-2", "executor", eciNode),
			events: []corev1.Event{
				eciEvent("ImageCacheMissed", seedMissed, 0),
				kubelet("Pulling", pulling(sparkImage), 1, executorC),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-exec-2", UID: "uid-spark-pi-exec-2", Role: "executor",
				Node: eciNode, NodeKind: placement.NodeECI, Phase: corev1.PodRunning,
				Cache:  CacheResult{Outcome: OutcomeMissed},
				Images: []ImagePull{{Container: executorC, Image: sparkImage, State: StatePulling, Attempts: 1}},
				Events: 2},
			done: false,
		},
		{
			name: "failed, then backing off",
			pod:  pod("spark-pi-driver", "driver", ecsNode),
			events: []corev1.Event{
				kubelet("Failed", "Error: ImagePullBackOff", 10, driverC, repeated(4, 60)),
				kubelet("BackOff", `Back-off pulling image "`+sparkImage+`"`, 10, driverC, repeated(4, 60)),
				kubelet("Failed", "Error: ErrImagePull", 1, driverC, repeated(3, 50)),
				kubelet("Failed", pullErr, 1, driverC, repeated(3, 50)),
				kubelet("Pulling", pulling(sparkImage), 0, driverC, repeated(3, 50)),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "uid-spark-pi-driver", Role: "driver",
				Node: ecsNode, NodeKind: placement.NodeECS, Phase: corev1.PodRunning,
				Images: []ImagePull{{Container: driverC, Image: sparkImage, State: StateBackOff, Error: pullErr, Attempts: 3}},
				Events: 5},
			done: true,
		},
		{
			name: "failed",
			pod:  pod("spark-pi-driver", "driver", ecsNode),
			events: []corev1.Event{
				kubelet("Pulling", pulling(sparkImage), 0, driverC),
				kubelet("Failed", pullErr, 3, driverC),
				kubelet("Failed", "Error: ErrImagePull", 3, driverC),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "uid-spark-pi-driver", Role: "driver",
				Node: ecsNode, NodeKind: placement.NodeECS, Phase: corev1.PodRunning,
				Images: []ImagePull{{Container: driverC, Image: sparkImage, State: StateFailed, Error: pullErr, Attempts: 1}},
				Events: 3},
			done: true,
		},
		{
			name: "retrying after a back-off: pulling again",
			pod:  pod("spark-pi-driver", "driver", ecsNode),
			events: []corev1.Event{
				kubelet("Pulling", pulling(sparkImage), 0, driverC, repeated(2, 40)),
				kubelet("Failed", pullErr, 1, driverC),
				kubelet("BackOff", `Back-off pulling image "`+sparkImage+`"`, 2, driverC, repeated(3, 30)),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "uid-spark-pi-driver", Role: "driver",
				Node: ecsNode, NodeKind: placement.NodeECS, Phase: corev1.PodRunning,
				Images: []ImagePull{{Container: driverC, Image: sparkImage, State: StatePulling, Attempts: 2}},
				Events: 3},
			done: false,
		},
		{
			name: "no time in the message: Pulling to Pulled",
			pod:  pod("spark-pi-driver", "driver", ecsNode),
			events: []corev1.Event{
				kubelet("Pulled", `Successfully pulled image "`+sparkImage+`"`, 50, driverC),
				kubelet("Pulling", pulling(sparkImage), 1, driverC),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "uid-spark-pi-driver", Role: "driver",
				Node: ecsNode, NodeKind: placement.NodeECS, Phase: corev1.PodRunning,
				Images: []ImagePull{{Container: driverC, Image: sparkImage, State: StatePulled,
					PullTime: 49 * time.Second, PullTimeFrom: PullTimeFromTimestamps, Attempts: 1}},
				Events: 2},
			done: true,
		},
		{
			name: "no time in the message and no Pulling event left",
			pod:  pod("spark-pi-driver", "driver", ecsNode),
			events: []corev1.Event{
				kubelet("Pulled", `Successfully pulled image "`+sparkImage+`"`, 50, driverC),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "uid-spark-pi-driver", Role: "driver",
				Node: ecsNode, NodeKind: placement.NodeECS, Phase: corev1.PodRunning,
				Images: []ImagePull{{Container: driverC, Image: sparkImage, State: StatePulled}},
				Events: 1},
			done: true,
		},
		{
			name: "init container first, whatever the event order",
			pod:  withInit(pod("spark-pi-driver", "driver", eciNode)),
			events: []corev1.Event{
				kubelet("Pulled", present(sparkImage), 9, driverC),
				kubelet("Pulled", `Successfully pulled image "busybox:1.36" in 717ms (717ms including waiting). Image size: 2160406 bytes.`, 2, "", inInit("deps")),
				kubelet("Pulling", pulling("busybox:1.36"), 1, "", inInit("deps")),
				eciEvent("SuccessfulHitImageCache", "Successfully hit image cache imc-bp1other.", 0),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "uid-spark-pi-driver", Role: "driver",
				Node: eciNode, NodeKind: placement.NodeECI, Phase: corev1.PodRunning,
				Cache: CacheResult{Outcome: OutcomeHit, ID: "imc-bp1other"},
				Images: []ImagePull{
					{Container: "deps", Image: "busybox:1.36", Init: true, State: StatePulled, PullTime: 717 * time.Millisecond,
						PullTimeFrom: PullTimeFromMessage, WithWaiting: 717 * time.Millisecond, SizeBytes: 2160406, Attempts: 1},
					{Container: driverC, Image: sparkImage, State: StatePresent},
				},
				Events: 4},
			done: true,
		},
		{
			name: "init container pulled, main container still waiting",
			pod:  withInit(pod("spark-pi-driver", "driver", eciNode)),
			events: []corev1.Event{
				kubelet("Pulled", `Successfully pulled image "busybox:1.36" in 717ms (717ms including waiting)`, 2, "", inInit("deps")),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "uid-spark-pi-driver", Role: "driver",
				Node: eciNode, NodeKind: placement.NodeECI, Phase: corev1.PodRunning,
				Images: []ImagePull{
					{Container: "deps", Image: "busybox:1.36", Init: true, State: StatePulled, PullTime: 717 * time.Millisecond,
						PullTimeFrom: PullTimeFromMessage, WithWaiting: 717 * time.Millisecond},
					{Container: driverC, Image: sparkImage, State: StateWaiting},
				},
				Events: 1},
			done: false,
		},
		{
			name: "init container cannot be pulled: the rest will not start",
			pod:  withInit(pod("spark-pi-driver", "driver", eciNode)),
			events: []corev1.Event{
				kubelet("ErrImageNeverPull", `Container image "busybox:1.36" is not present with pull policy of Never`, 2, "", inInit("deps")),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "uid-spark-pi-driver", Role: "driver",
				Node: eciNode, NodeKind: placement.NodeECI, Phase: corev1.PodRunning,
				Images: []ImagePull{
					{Container: "deps", Image: "busybox:1.36", Init: true, State: StateNeverPull,
						Error: `Container image "busybox:1.36" is not present with pull policy of Never`},
					{Container: driverC, Image: sparkImage, State: StateWaiting},
				},
				Events: 1},
			done: true,
		},
		{
			name:  "not scheduled",
			pod:   pod("spark-pi-exec-5", "executor", ""),
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-exec-5", UID: "uid-spark-pi-exec-5", Role: "executor",
				Phase:  corev1.PodPending,
				Images: []ImagePull{{Container: executorC, Image: sparkImage, State: StateWaiting}}},
			done: false,
		},
		{
			name:  "running, its events expired",
			pod:   running(withMatched(pod("spark-pi-exec-4", "executor", eciNode), seedCache)),
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-exec-4", UID: "uid-spark-pi-exec-4", Role: "executor",
				Node: eciNode, NodeKind: placement.NodeECI, Phase: corev1.PodRunning,
				Cache:  CacheResult{ID: seedCache},
				Images: []ImagePull{{Container: executorC, Image: sparkImage, State: StateUnknown}}},
			done: true,
		},
		{
			name: "image pull back-off known from the status only",
			pod: waiting(pod("spark-pi-exec-4", "executor", ecsNode), corev1.ContainerStateWaiting{
				Reason: "ImagePullBackOff", Message: `Back-off pulling image "` + sparkImage + `"`}),
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-exec-4", UID: "uid-spark-pi-exec-4", Role: "executor",
				Node: ecsNode, NodeKind: placement.NodeECS, Phase: corev1.PodRunning,
				Images: []ImagePull{{Container: executorC, Image: sparkImage, State: StateBackOff, Error: `Back-off pulling image "` + sparkImage + `"`}}},
			done: true,
		},
		{
			name: "restarted: the latest Pulled event counts",
			pod:  pod("spark-pi-driver", "driver", ecsNode),
			events: []corev1.Event{
				kubelet("Pulled", present(sparkImage), 300, driverC),
				kubelet("Pulled", seedPulled, 103, driverC),
				kubelet("Pulling", pulling(sparkImage), 2, driverC),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "uid-spark-pi-driver", Role: "driver",
				Node: ecsNode, NodeKind: placement.NodeECS, Phase: corev1.PodRunning,
				Images: []ImagePull{{Container: driverC, Image: sparkImage, State: StatePresent, Attempts: 1}},
				Events: 3},
			done: true,
		},
		{
			name: "fast pull: Pulling and Pulled in the same second, listed backwards",
			pod:  pod("spark-pi-driver", "driver", ecsNode),
			events: []corev1.Event{
				kubelet("Pulled", `Successfully pulled image "`+sparkImage+`" in 312ms (312ms including waiting)`, 4, driverC),
				kubelet("Pulling", pulling(sparkImage), 4, driverC),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "uid-spark-pi-driver", Role: "driver",
				Node: ecsNode, NodeKind: placement.NodeECS, Phase: corev1.PodRunning,
				Images: []ImagePull{{Container: driverC, Image: sparkImage, State: StatePulled, PullTime: 312 * time.Millisecond,
					PullTimeFrom: PullTimeFromMessage, WithWaiting: 312 * time.Millisecond, Attempts: 1}},
				Events: 2},
			done: true,
		},
		{
			name: "no fieldPath: matched by image, default tag applied",
			pod:  withImage(pod("spark-pi-driver", "driver", ecsNode), "apache/spark"),
			events: []corev1.Event{
				event("Pulled", present("apache/spark:latest"), 4),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "uid-spark-pi-driver", Role: "driver",
				Node: ecsNode, NodeKind: placement.NodeECS, Phase: corev1.PodRunning,
				Images: []ImagePull{{Container: driverC, Image: "apache/spark", State: StatePresent}},
				Events: 1},
			done: true,
		},
		{
			name: "no fieldPath, no image: the pod's only container",
			pod:  pod("spark-pi-driver", "driver", ecsNode),
			events: []corev1.Event{
				event("Failed", "Error: ErrImagePull", 4),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "uid-spark-pi-driver", Role: "driver",
				Node: ecsNode, NodeKind: placement.NodeECS, Phase: corev1.PodRunning,
				Images: []ImagePull{{Container: driverC, Image: sparkImage, State: StateFailed, Error: "Error: ErrImagePull"}},
				Events: 1},
			done: true,
		},
		{
			name: "no isECI: ECI known from its events",
			pod:  pod("spark-pi-driver", "driver", eciNode),
			events: []corev1.Event{
				eciEvent("ImageCacheNotFound", "The specified image cache imc-2zegone does not exist.", 0),
				eciEvent("ImageCacheMissed", seedMissed, 0),
				kubelet("Pulled", present(sparkImage), 4, driverC),
			},
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "uid-spark-pi-driver", Role: "driver",
				Node: eciNode, NodeKind: placement.NodeECI, Phase: corev1.PodRunning,
				Cache:  CacheResult{Outcome: OutcomeNotFound, ID: "imc-2zegone"},
				Images: []ImagePull{{Container: driverC, Image: sparkImage, State: StatePresent}},
				Events: 3},
			done: true,
		},
		{
			name: "no isECI and nothing from ECI: ECS",
			pod:  pod("spark-pi-driver", "driver", ecsNode),
			events: []corev1.Event{
				kubelet("Pulled", present(sparkImage), 4, driverC),
			},
			want: PodReport{Namespace: "spark", Name: "spark-pi-driver", UID: "uid-spark-pi-driver", Role: "driver",
				Node: ecsNode, NodeKind: placement.NodeECS, Phase: corev1.PodRunning,
				Images: []ImagePull{{Container: driverC, Image: sparkImage, State: StatePresent}},
				Events: 1},
			done: true,
		},
		{
			name: "finished pod is done",
			pod:  finished(pod("spark-pi-exec-9", "executor", eciNode)),
			events: []corev1.Event{
				kubelet("Pulling", pulling(sparkImage), 0, executorC),
			},
			isECI: isECI,
			want: PodReport{Namespace: "spark", Name: "spark-pi-exec-9", UID: "uid-spark-pi-exec-9", Role: "executor",
				Node: eciNode, NodeKind: placement.NodeECI, Phase: corev1.PodSucceeded,
				Images: []ImagePull{{Container: executorC, Image: sparkImage, State: StatePulling, Attempts: 1}},
				Events: 1},
			done: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := BuildPodReport(tc.pod, tc.events, tc.isECI)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("BuildPodReport\n got %+v\nwant %+v", got, tc.want)
			}
			if got.Done() != tc.done {
				t.Errorf("Done() = %v, want %v", got.Done(), tc.done)
			}
			// The order of the events does not matter.
			reversed := slices.Clone(tc.events)
			slices.Reverse(reversed)
			if again := BuildPodReport(tc.pod, reversed, tc.isECI); !reflect.DeepEqual(again, got) {
				t.Errorf("events reversed:\n got %+v\nwant %+v", again, got)
			}
		})
	}
}

func TestCacheOutcomePrecedence(t *testing.T) {
	hit := eciEvent("SuccessfulHitImageCache", seedHit, 3)
	missed := eciEvent("ImageCacheMissed", seedMissed, 1)
	created := eciEvent("ImageCacheAutoCreated", seedAutoCreated, 1)
	createFailed := eciEvent("X", "[eci.imagecache]Image cache auto create failed for quota.", 2)
	notFound := eciEvent("ImageCacheNotFound", "The specified image cache imc-2zegone does not exist.", 0)
	notComplete := eciEvent("ImageCacheNotComplete", "The production for specified image cache imc-2zenotyet is not yet complete.", 0)
	for _, tc := range []struct {
		name   string
		events []corev1.Event
		want   CacheResult
	}{
		{"missed alone", []corev1.Event{missed}, CacheResult{Outcome: OutcomeMissed}},
		{"missed and auto created", []corev1.Event{missed, created}, CacheResult{Outcome: OutcomeAutoCreated, ID: seedCache, AutoCreatedID: seedCache}},
		{"missed and auto create failed", []corev1.Event{missed, createFailed}, CacheResult{Outcome: OutcomeAutoCreateFailed}},
		{"not complete, then missed", []corev1.Event{notComplete, missed}, CacheResult{Outcome: OutcomeNotComplete, ID: "imc-2zenotyet"}},
		// Why the pod missed comes first; the cache made after it is kept too.
		{"not found, then missed, auto created", []corev1.Event{notFound, missed, created},
			CacheResult{Outcome: OutcomeNotFound, ID: "imc-2zegone", AutoCreatedID: seedCache}},
		{"not found, then hit", []corev1.Event{notFound, hit}, CacheResult{Outcome: OutcomeHit, ID: seedCache}},
		// A message without the id, and no pin to name it: never the cache made after.
		{"not found without an id, auto created", []corev1.Event{
			eciEvent("ImageCacheNotFound", "The specified image cache  does not exist.", 0), missed, created},
			CacheResult{Outcome: OutcomeNotFound, AutoCreatedID: seedCache}},
		{"everything", []corev1.Event{notFound, notComplete, missed, createFailed, created, hit}, CacheResult{Outcome: OutcomeHit, ID: seedCache}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pod("spark-pi-driver", "driver", eciNode)
			got := BuildPodReport(p, tc.events, isECI).Cache
			if got != tc.want {
				t.Errorf("cache = %+v, want %+v", got, tc.want)
			}
			// The annotation names the cache only when no event does, and
			// never stands for a pinned cache that was not there.
			got = BuildPodReport(withMatched(p, "imc-annotated"), tc.events, isECI).Cache
			want := tc.want
			if want.ID == "" && want.Outcome != OutcomeNotFound {
				want.ID = "imc-annotated"
			}
			if got != want {
				t.Errorf("with the annotation: cache = %+v, want %+v", got, want)
			}
		})
	}
}

// TestCacheRequest reads what a pod's annotations ask of ECI, by the seed's
// names and today's.
func TestCacheRequest(t *testing.T) {
	notFound := eciEvent("ImageCacheNotFound", "The specified image cache  does not exist." /* no id given */, 0)
	for _, tc := range []struct {
		name        string
		annotations map[string]string
		events      []corev1.Event
		want        CacheResult
		cell        string
	}{
		{"today's pin", map[string]string{"k8s.aliyun.com/eci-imc-id": "imc-today"}, nil,
			CacheResult{PinnedID: "imc-today"}, "?"},
		{"the seed's pin", map[string]string{"k8s.aliyun.com/eci-image-snapshot-id": "imc-seed"}, nil,
			CacheResult{PinnedID: "imc-seed"}, "?"},
		{"today's name wins", map[string]string{"k8s.aliyun.com/eci-imc-id": "imc-today", "k8s.aliyun.com/eci-image-snapshot-id": "imc-seed"}, nil,
			CacheResult{PinnedID: "imc-today"}, "?"},
		// A message without the id: the pin tells which cache was not found.
		{"pinned and not found", map[string]string{"k8s.aliyun.com/eci-imc-id": "imc-today"}, []corev1.Event{notFound},
			CacheResult{Outcome: OutcomeNotFound, ID: "imc-today", PinnedID: "imc-today"}, "missed, imc-today not found"},
		{"matching off", map[string]string{"k8s.aliyun.com/eci-auto-imc": "false"}, nil,
			CacheResult{Off: true}, "off"},
		{"matching off, a cache pinned", map[string]string{"k8s.aliyun.com/eci-auto-imc": "false", "k8s.aliyun.com/eci-imc-id": "imc-today"}, nil,
			CacheResult{PinnedID: "imc-today"}, "?"},
		{"matching on by the seed's name", map[string]string{"k8s.aliyun.com/eci-auto-imc": "false", "k8s.aliyun.com/eci-image-cache": "true"}, nil,
			CacheResult{}, "?"},
		{"matching on by default", map[string]string{"k8s.aliyun.com/eci-auto-imc": "true"}, nil, CacheResult{}, "?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pod("spark-pi-driver", "driver", eciNode)
			p.Annotations = tc.annotations
			r := BuildPodReport(p, tc.events, isECI)
			if r.Cache != tc.want {
				t.Errorf("cache = %+v, want %+v", r.Cache, tc.want)
			}
			if got := cacheCell(r); got != tc.cell {
				t.Errorf("cell %q, want %q", got, tc.cell)
			}
		})
	}
}

func TestRoleFromName(t *testing.T) {
	for name, want := range map[string]string{
		"spark-pi-driver":                   "driver",
		"spark-pi-34c0998f9f832e61-exec-1":  "executor",
		"spark-pi-34c0998f9f832e61-exec-10": "executor",
		"spark-pi-exec-x":                   "",
		"spark-history":                     "",
	} {
		if got := roleFromName(name); got != want {
			t.Errorf("roleFromName(%q) = %q, want %q", name, got, want)
		}
	}
}

func withInit(p *corev1.Pod) *corev1.Pod {
	p.Spec.InitContainers = []corev1.Container{{Name: "deps", Image: "busybox:1.36"}}
	return p
}

func withImage(p *corev1.Pod, image string) *corev1.Pod {
	p.Spec.Containers[0].Image = image
	return p
}

func running(p *corev1.Pod) *corev1.Pod {
	c := p.Spec.Containers[0]
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: c.Name, Image: c.Image, ImageID: "sha256:0123",
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}
	return p
}

func waiting(p *corev1.Pod, w corev1.ContainerStateWaiting) *corev1.Pod {
	c := p.Spec.Containers[0]
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: c.Name, Image: c.Image,
		State: corev1.ContainerState{Waiting: &w}}}
	return p
}

func finished(p *corev1.Pod) *corev1.Pod {
	p.Status.Phase = corev1.PodSucceeded
	return p
}
