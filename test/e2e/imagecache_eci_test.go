//go:build e2e

package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/spark-eci/kubectl-spark-eci/pkg/imagecache"
)

var imageCacheGVR = imagecache.Resource

// Images the fake ECI treats specially: it cannot pull the first, and pulls
// the second forever.
const (
	missingImage = "registry.example.com/no-such-image:1"
	endlessImage = "registry.example.com/endless-pull:1"
)

// ensureImageCacheCRD installs the stand-in for ECI's ImageCache CRD.
func ensureImageCacheCRD(t *testing.T) {
	t.Helper()
	ensureCRD(t, "imagecache-crd.yaml", cluster.dyn.Resource(imageCacheGVR))
}

// startFakeECI plays ECI's image cache controller, until the test ends, for
// the caches whose names start with prefix and a dash (image caches are
// cluster-scoped: the prefix, the test's namespace, keeps each test to its
// own), and deletes them when the test ends. As ECI does, it moves a new cache
// through Preparing and Creating, its progress growing, to Ready with an
// imc- id and the expiry its retention gives; a cache of missingImage fails
// half way with a Warning event, and one of endlessImage never ends. It
// writes the status subresource, as a controller must.
func startFakeECI(t *testing.T, prefix string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		caches := cluster.dyn.Resource(imageCacheGVR)
		for ctx.Err() == nil {
			list, err := caches.List(ctx, metav1.ListOptions{})
			if err == nil {
				for i := range list.Items {
					if obj := &list.Items[i]; strings.HasPrefix(obj.GetName(), prefix+"-") {
						if next, changed := eciStep(obj, time.Now()); changed {
							_, _ = caches.UpdateStatus(ctx, next, metav1.UpdateOptions{})
						}
					}
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(150 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		// The test's context is cancelled by the time cleanups run.
		for _, name := range imageCachesWithPrefix(t, prefix) {
			_ = cluster.dyn.Resource(imageCacheGVR).Delete(context.Background(), name, metav1.DeleteOptions{})
		}
	})
}

// eciStep is one step of a cache's making.
func eciStep(obj *unstructured.Unstructured, now time.Time) (*unstructured.Unstructured, bool) {
	next := obj.DeepCopy()
	status, _, _ := unstructured.NestedMap(next.Object, "status")
	if status == nil {
		status = map[string]interface{}{}
	}
	images, _, _ := unstructured.NestedStringSlice(next.Object, "spec", "images")
	phase, _ := status["phase"].(string)
	progress := 0
	fmt.Sscanf(fmt.Sprint(status["progress"]), "%d%%", &progress)
	stamp := now.UTC().Format(time.RFC3339)
	event := func(eventType, message string) {
		events, _ := status["events"].([]interface{})
		status["events"] = append(events, map[string]interface{}{
			"type": eventType, "message": message, "count": int64(1),
			"source":   map[string]interface{}{"component": "kubelet", "host": "eci"},
			"metadata": map[string]interface{}{"name": obj.GetName()},
		})
	}
	holds := func(image string) bool { return slices.Contains(images, image) }

	switch {
	case phase == "":
		status["phase"], status["progress"], status["startTime"] = "Preparing", "0%", stamp
	case phase == "Preparing":
		status["phase"], status["progress"] = "Creating", "25%"
	case phase != "Creating":
		return obj, false // Ready or Failed: done
	case progress >= 50 && holds(missingImage):
		status["phase"] = "Failed"
		event("Warning", fmt.Sprintf("Failed to pull image %q: not found", missingImage))
		status["expireDateTime"] = now.Add(24 * time.Hour).UTC().Format(time.RFC3339)
	case progress >= 50 && holds(endlessImage):
		return obj, false
	case progress+25 < 100:
		status["progress"] = fmt.Sprintf("%d%%", progress+25)
	default:
		sum := sha256.Sum256([]byte(obj.GetName()))
		status["phase"], status["progress"] = imagecache.PhaseReady, "100%"
		status["imageCacheId"] = "imc-" + hex.EncodeToString(sum[:])[:20]
		for _, image := range images {
			event("Normal", "Success pull image "+image)
		}
		if days, ok, _ := unstructured.NestedInt64(next.Object, "spec", "retentionDays"); ok {
			status["expireDateTime"] = now.Add(time.Duration(days) * 24 * time.Hour).UTC().Format(time.RFC3339)
		}
	}
	status["lastUpdatedTime"] = stamp
	next.Object["status"] = status
	return next, true
}

// imageCacheOf reads an image cache, nil when there is none.
func imageCacheOf(t *testing.T, name string) *unstructured.Unstructured {
	t.Helper()
	obj, err := cluster.dyn.Resource(imageCacheGVR).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		return nil
	}
	return obj
}

// imageCachesWithPrefix names the caches whose names start with prefix and
// a dash.
func imageCachesWithPrefix(t *testing.T, prefix string) []string {
	t.Helper()
	list, err := cluster.dyn.Resource(imageCacheGVR).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, obj := range list.Items {
		if strings.HasPrefix(obj.GetName(), prefix+"-") {
			names = append(names, obj.GetName())
		}
	}
	return names
}
