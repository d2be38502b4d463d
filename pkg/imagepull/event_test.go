package imagepull

import (
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// combinedPrefix is what client-go's event aggregator writes before the
// message of an event that stands for several.
const combinedPrefix = "(combined from similar events): "

func TestParseEvent(t *testing.T) {
	const img = sparkImage
	const pullErr = `rpc error: code = NotFound desc = failed to pull and unpack image "` + img + `": not found`
	d := func(s string) time.Duration {
		v, err := time.ParseDuration(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name string
		in   corev1.Event
		want Event // First, Last and Count of 1 at 0s are filled in when zero
	}{
		{"pulling", kubelet("Pulling", pulling(img), 0, driverC),
			Event{Kind: Pulling, Container: driverC, Image: img, Message: pulling(img)}},
		{"pulled <= 1.18, no time", kubelet("Pulled", `Successfully pulled image "`+img+`"`, 0, driverC),
			Event{Kind: Pulled, Container: driverC, Image: img, Message: `Successfully pulled image "` + img + `"`}},
		{"pulled 1.19-1.25", kubelet("Pulled", `Successfully pulled image "`+img+`" in 49.657983991s`, 0, driverC),
			Event{Kind: Pulled, Container: driverC, Image: img, PullTime: d("49.657983991s"), HasPullTime: true,
				Message: `Successfully pulled image "` + img + `" in 49.657983991s`}},
		{"pulled 1.26, including waiting", kubelet("Pulled", `Successfully pulled image "`+img+`" in 1.315633737s (1.315641898s including waiting)`, 0, driverC),
			Event{Kind: Pulled, Container: driverC, Image: img, PullTime: d("1.315633737s"), HasPullTime: true,
				WithWaiting: d("1.315641898s"), HasWithWaiting: true,
				Message: `Successfully pulled image "` + img + `" in 1.315633737s (1.315641898s including waiting)`}},
		{"pulled 1.28, minutes", kubelet("Pulled", seedPulled, 0, driverC),
			Event{Kind: Pulled, Container: driverC, Image: img, PullTime: d("1m41.289s"), HasPullTime: true,
				WithWaiting: d("1m41.289s"), HasWithWaiting: true, Message: seedPulled}},
		{"pulled 1.30, image size", kubelet("Pulled", pulled130, 0, executorC),
			Event{Kind: Pulled, Container: executorC, Image: img, PullTime: d("4.614s"), HasPullTime: true,
				WithWaiting: d("4.614s"), HasWithWaiting: true, SizeBytes: 336066994, Message: pulled130}},
		{"pulled, microseconds (micro sign)", kubelet("Pulled", `Successfully pulled image "busybox:1.36" in 500µs (717ms including waiting)`, 0, "init"),
			Event{Kind: Pulled, Container: "init", Image: "busybox:1.36", PullTime: 500 * time.Microsecond, HasPullTime: true,
				WithWaiting: 717 * time.Millisecond, HasWithWaiting: true,
				Message: `Successfully pulled image "busybox:1.36" in 500µs (717ms including waiting)`}},
		{"pulled, microseconds (Greek mu)", kubelet("Pulled", `Successfully pulled image "busybox:1.36" in 12μs`, 0, "init"),
			Event{Kind: Pulled, Container: "init", Image: "busybox:1.36", PullTime: 12 * time.Microsecond, HasPullTime: true,
				Message: `Successfully pulled image "busybox:1.36" in 12μs`}},
		{"pulled, size without waiting", kubelet("Pulled", `Successfully pulled image "`+img+`" in 4.614s. Image size: 1024 bytes.`, 0, driverC),
			Event{Kind: Pulled, Container: driverC, Image: img, PullTime: d("4.614s"), HasPullTime: true, SizeBytes: 1024,
				Message: `Successfully pulled image "` + img + `" in 4.614s. Image size: 1024 bytes.`}},
		{"pulled, negative duration is none", kubelet("Pulled", `Successfully pulled image "`+img+`" in -5s (-1s including waiting)`, 0, driverC),
			Event{Kind: Pulled, Container: driverC, Image: img, Message: `Successfully pulled image "` + img + `" in -5s (-1s including waiting)`}},
		{"pulled, unreadable duration", kubelet("Pulled", `Successfully pulled image "`+img+`" in no time`, 0, driverC),
			Event{Kind: Pulled, Container: driverC, Image: img, Message: `Successfully pulled image "` + img + `" in no time`}},
		{"already present", kubelet("Pulled", present(img), 0, driverC),
			Event{Kind: AlreadyPresent, Container: driverC, Image: img, Message: present(img)}},
		{"already present, accessible", kubelet("Pulled", present(img)+" and can be accessed by the pod", 0, driverC),
			Event{Kind: AlreadyPresent, Container: driverC, Image: img, Message: present(img) + " and can be accessed by the pod"}},
		{"failed to pull", kubelet("Failed", `Failed to pull image "`+img+`": `+pullErr, 0, driverC),
			Event{Kind: PullFailed, Container: driverC, Image: img, Message: `Failed to pull image "` + img + `": ` + pullErr}},
		{"failed, ErrImagePull without image", kubelet("Failed", "Error: ErrImagePull", 0, driverC),
			Event{Kind: PullFailed, Container: driverC, Message: "Error: ErrImagePull"}},
		{"failed, ImagePullBackOff without image", kubelet("Failed", "Error: ImagePullBackOff", 0, driverC),
			Event{Kind: BackOff, Container: driverC, Message: "Error: ImagePullBackOff"}},
		{"back-off pulling", kubelet("BackOff", `Back-off pulling image "`+img+`"`, 0, driverC),
			Event{Kind: BackOff, Container: driverC, Image: img, Message: `Back-off pulling image "` + img + `"`}},
		{"back-off pulling, with the error", kubelet("BackOff", `Back-off pulling image "`+img+`": ErrImagePull: `+pullErr, 0, driverC),
			Event{Kind: BackOff, Container: driverC, Image: img, Message: `Back-off pulling image "` + img + `": ErrImagePull: ` + pullErr}},
		{"never pull", kubelet("ErrImageNeverPull", `Container image "`+img+`" is not present with pull policy of Never`, 0, driverC),
			Event{Kind: NeverPull, Container: driverC, Image: img, Message: `Container image "` + img + `" is not present with pull policy of Never`}},
		{"failed, ErrImageNeverPull", kubelet("Failed", "Error: ErrImageNeverPull", 0, driverC),
			Event{Kind: NeverPull, Container: driverC, Message: "Error: ErrImageNeverPull"}},
		{"inspect failed", kubelet("InspectFailed", `Failed to apply default image tag "bad image": couldn't parse image name "bad image": invalid reference format`, 0, driverC),
			Event{Kind: InspectFailed, Container: driverC, Image: "bad image",
				Message: `Failed to apply default image tag "bad image": couldn't parse image name "bad image": invalid reference format`}},
		{"failed, InvalidImageName", kubelet("Failed", "Error: InvalidImageName", 0, driverC),
			Event{Kind: InspectFailed, Container: driverC, Message: "Error: InvalidImageName"}},
		{"combined, pulled", kubelet("Pulled", combinedPrefix+seedPulled, 0, driverC, repeated(7, 30)),
			Event{Kind: Pulled, Container: driverC, Image: img, PullTime: d("1m41.289s"), HasPullTime: true,
				WithWaiting: d("1m41.289s"), HasWithWaiting: true, Message: seedPulled, Count: 7, First: at(0), Last: at(30)}},
		{"combined, failed", kubelet("Failed", combinedPrefix+"Error: ErrImagePull", 0, driverC),
			Event{Kind: PullFailed, Container: driverC, Message: "Error: ErrImagePull"}},
		{"combined, in an ECI message", eciEvent("ImageCacheMissed", "[eci.imagecache]"+combinedPrefix+"Missed image cache.", 0),
			Event{Kind: CacheMissed, Message: seedMissed}},
		{"init container", kubelet("Pulling", pulling("busybox:1.36"), 0, "", inInit("deps")),
			Event{Kind: Pulling, Container: "deps", Init: true, Image: "busybox:1.36", Message: pulling("busybox:1.36")}},
		{"ephemeral container", kubelet("Pulling", pulling("busybox:1.36"), 0, "", func(e *corev1.Event) {
			e.InvolvedObject.FieldPath = "spec.ephemeralContainers{debugger-x7}"
		}), Event{Kind: Pulling, Container: "debugger-x7", Image: "busybox:1.36", Message: pulling("busybox:1.36")}},
		{"no fieldPath", event("Pulled", present(img), 0),
			Event{Kind: AlreadyPresent, Image: img, Message: present(img)}},
		{"other fieldPath", event("Pulled", present(img), 0, func(e *corev1.Event) { e.InvolvedObject.FieldPath = "metadata.name" }),
			Event{Kind: AlreadyPresent, Image: img, Message: present(img)}},

		{"hit", eciEvent("SuccessfulHitImageCache", seedHit, 0),
			Event{Kind: CacheHit, CacheID: seedCache, Message: seedHit}},
		{"hit, older message", eciEvent("SuccessfulHitImageCache", "Successfully hit image cache imc-bp195erqe9o2pb09abcd.", 0),
			Event{Kind: CacheHit, CacheID: "imc-bp195erqe9o2pb09abcd", Message: "Successfully hit image cache imc-bp195erqe9o2pb09abcd."}},
		{"hit, older message, not an imc id", eciEvent("SuccessfulHitImageCache", "Successfully hit image cache spark-cache.", 0),
			Event{Kind: CacheHit, CacheID: "spark-cache", Message: "Successfully hit image cache spark-cache."}},
		{"hit, eci-provider source", event("SuccessfulHitImageCache", seedHit, 0, source("eci-provider")),
			Event{Kind: CacheHit, CacheID: seedCache, Message: seedHit}},
		{"missed", eciEvent("ImageCacheMissed", seedMissed, 0),
			Event{Kind: CacheMissed, Message: seedMissed}},
		{"missed, older message", eciEvent("ImageCacheMissed", "Missed image cache.", 0),
			Event{Kind: CacheMissed, Message: "Missed image cache."}},
		{"auto created", eciEvent("ImageCacheAutoCreated", seedAutoCreated, 0),
			Event{Kind: CacheAutoCreated, CacheID: seedCache, Message: seedAutoCreated}},
		{"not found", eciEvent("ImageCacheNotFound", "The specified image cache imc-2zenotthere0000000 does not exist.", 0),
			Event{Kind: CacheNotFound, CacheID: "imc-2zenotthere0000000", Message: "The specified image cache imc-2zenotthere0000000 does not exist."}},
		{"not complete", eciEvent("ImageCacheNotComplete", "The production for specified image cache imc-2zemaking00000000 is not yet complete.", 0),
			Event{Kind: CacheNotComplete, CacheID: "imc-2zemaking00000000", Message: "The production for specified image cache imc-2zemaking00000000 is not yet complete."}},
		{"auto create failed", eciEvent("ImageCacheAutoCreateFailed", "[eci.imagecache]Image cache auto create failed for failed to pull images.", 0),
			Event{Kind: CacheAutoCreateFailed, Message: "[eci.imagecache]Image cache auto create failed for failed to pull images."}},
		{"auto create failed, whatever the reason", eciEvent("Failed", "[eci.imagecache]Image cache auto create failed for The current status of vsw-2zev7 is [Creating].", 0),
			Event{Kind: CacheAutoCreateFailed, Message: "[eci.imagecache]Image cache auto create failed for The current status of vsw-2zev7 is [Creating]."}},
		{"auto create failed, no reason", eciEvent("", "[eci.imagecache]Image cache auto create failed for quota.", 0),
			Event{Kind: CacheAutoCreateFailed, Message: "[eci.imagecache]Image cache auto create failed for quota."}},
		{"hit under another reason", eciEvent("HitImageCache", seedHit, 0),
			Event{Kind: CacheHit, CacheID: seedCache, Message: seedHit}},
		{"auto created under another reason", eciEvent("ImageCacheCreated", seedAutoCreated, 0),
			Event{Kind: CacheAutoCreated, CacheID: seedCache, Message: seedAutoCreated}},

		{"events.k8s.io style: eventTime and series only", corev1.Event{
			Reason: "Pulled", Message: seedPulled,
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", FieldPath: "spec.containers{" + driverC + "}"},
			EventTime:      metav1.NewMicroTime(at(1.000123)),
			Series:         &corev1.EventSeries{Count: 3, LastObservedTime: metav1.NewMicroTime(at(9.5))},
		}, Event{Kind: Pulled, Container: driverC, Image: img, PullTime: d("1m41.289s"), HasPullTime: true,
			WithWaiting: d("1m41.289s"), HasWithWaiting: true, Message: seedPulled, Count: 3, First: at(1.000123), Last: at(9.5)}},
		{"eventTime only, count unset", corev1.Event{
			Reason: "Pulling", Message: pulling(img), EventTime: metav1.NewMicroTime(at(2.5)),
		}, Event{Kind: Pulling, Image: img, Message: pulling(img), Count: 1, First: at(2.5), Last: at(2.5)}},
		{"no times at all", corev1.Event{Reason: "Pulling", Message: pulling(img)},
			Event{Kind: Pulling, Image: img, Message: pulling(img), Count: 1, First: time.Time{}, Last: time.Time{}}},
		{"series count above count", kubelet("Pulling", pulling(img), 0, driverC, func(e *corev1.Event) {
			e.Count = 2
			e.Series = &corev1.EventSeries{Count: 5, LastObservedTime: metav1.NewMicroTime(at(40))}
		}), Event{Kind: Pulling, Container: driverC, Image: img, Message: pulling(img), Count: 5, First: at(0), Last: at(40)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if want.Count == 0 {
				want.Count = 1
			}
			if want.First.IsZero() && want.Last.IsZero() && !tc.in.FirstTimestamp.IsZero() {
				want.First, want.Last = at(0), at(0)
			}
			got, ok := ParseEvent(&tc.in)
			if !ok {
				t.Fatalf("ParseEvent(%q, %q) = false, want %+v", tc.in.Reason, tc.in.Message, want)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ParseEvent(%q, %q)\n got %+v\nwant %+v", tc.in.Reason, tc.in.Message, got, want)
			}
		})
	}
}

func TestParseEventIgnores(t *testing.T) {
	for _, e := range []corev1.Event{
		event("Scheduled", "Successfully assigned spark/spark-pi-driver to "+eciNode, 0),
		event("Created", "Created container "+driverC, 0),
		event("Started", "Started container "+driverC, 0),
		event("BackOff", "Back-off restarting failed container "+driverC+" in pod spark-pi-driver_spark(uid)", 0),
		event("Failed", "Error: failed to create containerd task: failed to create shim task", 0),
		event("Failed", "Error: CreateContainerConfigError", 0),
		event("UserInstanceTypeSpec", "[eci.containergroup]The user-specified instanceType for current eci instance is 2.0-4.0Gi", 0),
		event("Unknown", "[eci.imagecache]Something new about the image cache.", 0),
		event("FailedScheduling", "0/3 nodes are available", 0),
	} {
		if got, ok := ParseEvent(&e); ok {
			t.Errorf("ParseEvent(%q, %q) = %+v, want not an image event", e.Reason, e.Message, got)
		}
	}
	if _, ok := ParseEvent(nil); ok {
		t.Error("ParseEvent(nil) = true")
	}
}

func TestRelevant(t *testing.T) {
	for _, tc := range []struct {
		e    corev1.Event
		want bool
	}{
		{event("Scheduled", "Successfully assigned spark/spark-pi-driver to "+eciNode, 0), true},
		{event("Pulled", combinedPrefix+present(sparkImage), 0), true},
		{event("X", "[eci.imagecache]Image cache auto create failed for quota.", 0), true},
		{event("ImageCacheMissed", seedMissed, 0), true},
		{event("Started", "Started container "+driverC, 0), false},
		{event("BackOff", "Back-off restarting failed container "+driverC, 0), false},
	} {
		if got := Relevant(&tc.e); got != tc.want {
			t.Errorf("Relevant(%q, %q) = %v, want %v", tc.e.Reason, tc.e.Message, got, tc.want)
		}
	}
	if Relevant(nil) {
		t.Error("Relevant(nil) = true")
	}
}
