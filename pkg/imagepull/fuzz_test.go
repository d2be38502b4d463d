package imagepull

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// FuzzParseEvent reads any reason and message (and fieldPath): ParseEvent
// must not panic, its durations and size must never be negative, a time it
// did not find must be zero, and what it returns must go through
// BuildPodReport, the table and the JSON. With no -fuzz flag it runs on the
// seed corpus below, every message variant the kubelet and ECI write, as an
// ordinary test.
func FuzzParseEvent(f *testing.F) {
	c := "spec.containers{" + driverC + "}"
	for _, s := range [][3]string{
		{"Pulling", pulling(sparkImage), c},
		{"Pulled", `Successfully pulled image "` + sparkImage + `"`, c},
		{"Pulled", `Successfully pulled image "` + sparkImage + `" in 49.657983991s`, c},
		{"Pulled", `Successfully pulled image "` + sparkImage + `" in 1.315633737s (1.315641898s including waiting)`, c},
		{"Pulled", seedPulled, c},
		{"Pulled", pulled130, c},
		{"Pulled", `Successfully pulled image "busybox:1.36" in 500µs (717ms including waiting)`, "spec.initContainers{deps}"},
		{"Pulled", present(sparkImage), c},
		{"Pulled", present(sparkImage) + " and can be accessed by the pod", c},
		{"Pulled", combinedPrefix + seedPulled, c},
		{"Failed", `Failed to pull image "` + sparkImage + `": rpc error: code = NotFound desc = not found`, c},
		{"Failed", "Error: ErrImagePull", c},
		{"Failed", "Error: ImagePullBackOff", c},
		{"Failed", combinedPrefix + "Error: ErrImagePull", c},
		{"BackOff", `Back-off pulling image "` + sparkImage + `"`, c},
		{"BackOff", "Back-off restarting failed container " + driverC, c},
		{"ErrImageNeverPull", `Container image "` + sparkImage + `" is not present with pull policy of Never`, c},
		{"Failed", "Error: ErrImageNeverPull", c},
		{"InspectFailed", `Failed to apply default image tag "bad image": couldn't parse image name "bad image": invalid reference format`, c},
		{"SuccessfulHitImageCache", seedHit, ""},
		{"SuccessfulHitImageCache", "Successfully hit image cache imc-bp195erqe9o2pb09abcd.", ""},
		{"ImageCacheMissed", seedMissed, ""},
		{"ImageCacheAutoCreated", seedAutoCreated, ""},
		{"ImageCacheNotFound", "The specified image cache imc-2zegone does not exist.", ""},
		{"ImageCacheNotComplete", "The production for specified image cache imc-2zenotyet is not yet complete.", ""},
		{"ImageCacheAutoCreateFailed", "[eci.imagecache]Image cache auto create failed for failed to pull images.", ""},
		{"Scheduled", "Successfully assigned spark/spark-pi-driver to " + eciNode, ""},
		{"Pulled", `Successfully pulled image "x" in -1s (-2s including waiting). Image size: -5 bytes.`, c},
		{"Pulled", `Successfully pulled image "x" in 99999999999h (1e400s including waiting). Image size: 99999999999999999999 bytes.`, c},
		{"Pulled", `"`, "spec.containers{"},
		{"", "", ""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, reason, message, fieldPath string) {
		e := kubelet(reason, message, 0, "", repeated(2, 3), func(e *corev1.Event) { e.InvolvedObject.FieldPath = fieldPath })
		ev, ok := ParseEvent(&e)
		if ok && !Relevant(&e) {
			t.Errorf("parsed but not Relevant: %+v", ev)
		}
		if ok {
			if ev.PullTime < 0 || ev.WithWaiting < 0 || ev.SizeBytes < 0 {
				t.Errorf("negative: %+v", ev)
			}
			if !ev.HasPullTime && ev.PullTime != 0 || !ev.HasWithWaiting && ev.WithWaiting != 0 {
				t.Errorf("a time that was not found: %+v", ev)
			}
			if ev.Kind != Pulled && (ev.HasPullTime || ev.HasWithWaiting || ev.SizeBytes != 0) {
				t.Errorf("pull times on a %s event: %+v", ev.Kind, ev)
			}
			if !ev.Kind.IsCache() && ev.CacheID != "" {
				t.Errorf("cache id on a %s event: %+v", ev.Kind, ev)
			}
			if strings.Contains(ev.Message, combinedPrefix) {
				t.Errorf("message kept the combined prefix: %q", ev.Message)
			}
			if ev.Count != 2 || ev.First != at(0) || ev.Last != at(3) {
				t.Errorf("count and times: %+v", ev)
			}
		}

		for _, p := range []*corev1.Pod{nil, withInit(pod("spark-pi-driver", "driver", eciNode))} {
			r := BuildPodReport(p, []corev1.Event{e}, isECI)
			if want := map[bool]int{true: 1}[ok]; r.Events != want {
				t.Errorf("Events = %d, want %d", r.Events, want)
			}
			for _, img := range r.Images {
				if img.PullTime < 0 || img.WithWaiting < 0 || img.SizeBytes < 0 || img.Attempts < 0 {
					t.Errorf("negative: %+v", img)
				}
				switch img.State {
				case StatePulled, StatePresent, StatePulling, StateFailed, StateBackOff, StateNeverPull, StateWaiting, StateUnknown:
				default:
					t.Errorf("state %q", img.State)
				}
			}
			_ = r.Done()
			report := NewReport([]PodReport{r, r})
			if err := WriteTable(&bytes.Buffer{}, report, false); err != nil {
				t.Error(err)
			}
			if _, err := json.Marshal(report); err != nil {
				t.Error(err)
			}
		}
	})
}
