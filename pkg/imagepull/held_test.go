package imagepull

import (
	"fmt"
	"runtime"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// held is what a report over n executors holds once their pods and events
// are read (the pods' facts, and the store with each pod's image-cache,
// pulling and pulled events, pulls times over), in bytes a pod: what a
// report over a whole cluster grows by with each pod.
func held(n, pulls int) float64 {
	pods := make([]*corev1.Pod, n)
	var events []corev1.Event
	for i := range pods {
		name := fmt.Sprintf("spark-pi-8f2a-exec-%d", i)
		pods[i] = pod(name, "executor", "virtual-kubelet-cn-hangzhou-i")
		for pull := 0; pull < pulls; pull++ {
			for k, e := range []corev1.Event{
				eciEvent("ImageCacheMissed", seedMissed, 0),
				kubelet("Pulling", pulling(sparkImage), 1, executorC),
				kubelet("Pulled", pulled130, 6, executorC),
			} {
				about("spark", name, string(pods[i].UID))(&e)
				e.UID = types.UID(fmt.Sprintf("%s-event-%d-%d", name, pull, k))
				events = append(events, e)
			}
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	facts := make([]PodFacts, n)
	uids := make([]types.UID, n)
	for i, p := range pods {
		facts[i] = FactsOf(p)
		uids[i] = facts[i].UID
	}
	store := NewEventStore(uids)
	for i := range events {
		store.Put(&events[i])
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(facts)
	runtime.KeepAlive(store)
	runtime.KeepAlive(pods)
	runtime.KeepAlive(events)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}

// A pod costs a report well under a kilobyte, its events included: on the
// 50,000 pods of a whole cluster, tens of megabytes, where the decoded pods
// and events are gigabytes. A pod pulled five times (fifteen events kept)
// costs about 120 bytes an event more, not the room for 25 that growing
// from three by append would make.
func TestHeldPerPod(t *testing.T) {
	if got := held(5000, 1); got > 1024 {
		t.Errorf("a report holds %.0f bytes a pod, want at most 1,024", got)
	}
	if got := held(5000, 5); got > 2700 {
		t.Errorf("a report holds %.0f bytes a pod pulled five times, want at most 2,700", got)
	}
}

func BenchmarkHeldPerPod(b *testing.B) {
	for _, pulls := range []int{1, 5} {
		b.Run(fmt.Sprintf("pulls=%d", pulls), func(b *testing.B) {
			var got float64
			for b.Loop() {
				got = held(5000, pulls)
			}
			b.ReportMetric(got, "B-held/pod")
		})
	}
}
