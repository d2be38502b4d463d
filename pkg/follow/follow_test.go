package follow

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

func pod(name, version string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "spark", Name: name, UID: types.UID("uid-" + name), ResourceVersion: version}}
}

func podList(version string, pods ...*corev1.Pod) *corev1.PodList {
	list := &corev1.PodList{ListMeta: metav1.ListMeta{ResourceVersion: version}}
	for _, p := range pods {
		list.Items = append(list.Items, *p)
	}
	return list
}

// server plays the API server's list and watch for one test.
type server struct {
	mu       sync.Mutex
	lists    []string // resource versions of the lists asked for, "" when latest
	relisted *corev1.PodList
	watches  chan *watch.FakeWatcher
	watchRVs []string
}

func newServer() *server { return &server{watches: make(chan *watch.FakeWatcher, 4)} }

func (s *server) source(listed runtime.Object) Source {
	return Source{
		Resource: "pods",
		Listed:   listed,
		Object:   &corev1.Pod{},
		List: func(_ context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.lists = append(s.lists, opts.ResourceVersion)
			return s.relisted, nil
		},
		Watch: func(_ context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			s.mu.Lock()
			s.watchRVs = append(s.watchRVs, opts.ResourceVersion)
			s.mu.Unlock()
			w := watch.NewFakeWithChanSize(8, false)
			s.watches <- w
			return w, nil
		},
	}
}

func (s *server) nextWatch(t *testing.T) *watch.FakeWatcher {
	t.Helper()
	select {
	case w := <-s.watches:
		return w
	case <-time.After(10 * time.Second):
		t.Fatal("the informer opened no watch")
		return nil
	}
}

func receive(t *testing.T, events <-chan watch.Event, n int) []string {
	t.Helper()
	var got []string
	for len(got) < n {
		select {
		case ev := <-events:
			p := ev.Object.(*corev1.Pod)
			got = append(got, string(ev.Type)+" "+p.Name+"@"+p.ResourceVersion)
		case <-time.After(10 * time.Second):
			t.Fatalf("received %v, want %d events", got, n)
		}
	}
	return got
}

// The list already read is not read again nor sent again; a change is sent
// once; after a 410 Gone the informer lists again and sends what changed in
// the gap, the pod deleted in it included; then it watches from the new
// list's version.
func TestFollowResumesAfterGoneWithDeletions(t *testing.T) {
	s := newServer()
	s.relisted = podList("20", pod("a", "15"), pod("c", "16"))
	events, errs := Start(t.Context(), s.source(podList("10", pod("a", "5"), pod("b", "6"))))

	first := s.nextWatch(t)
	first.Modify(pod("a", "11"))
	if got := receive(t, events, 1); !slices.Equal(got, []string{"MODIFIED a@11"}) {
		t.Fatalf("after the list: %v, want only the change", got)
	}

	first.Error(&apierrors.NewResourceExpired("too old resource version: 11 (18)").ErrStatus)
	got := receive(t, events, 3)
	slices.Sort(got)
	if want := []string{"ADDED c@16", "DELETED b@6", "MODIFIED a@15"}; !slices.Equal(got, want) {
		t.Errorf("after 410 Gone: %v, want %v", got, want)
	}

	second := s.nextWatch(t)
	second.Delete(pod("c", "21"))
	if got := receive(t, events, 1); !slices.Equal(got, []string{"DELETED c@21"}) {
		t.Errorf("after the relist: %v", got)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lists) != 1 || s.watchRVs[0] != "10" || s.watchRVs[1] != "20" {
		t.Errorf("lists at %q, watches from %q: want one list (the relist), watches from 10 then 20", s.lists, s.watchRVs)
	}
	select {
	case err := <-errs:
		t.Errorf("error: %v", err)
	default:
	}
}

// An error that trying again does not get over ends the following, with
// the error.
func TestFollowEndsOnForbidden(t *testing.T) {
	src := Source{
		Resource: "pods",
		Listed:   podList("10"),
		Object:   &corev1.Pod{},
		Watch: func(context.Context, metav1.ListOptions) (watch.Interface, error) {
			return nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", nil)
		},
	}
	_, errs := Start(t.Context(), src)
	select {
	case err := <-errs:
		if !apierrors.IsForbidden(err) || err.Error()[:11] != "watch pods:" {
			t.Errorf("error %v, want the watch's Forbidden", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no error")
	}
}

// A dropped connection (the stream ends) is not an error: the watch resumes
// from the last version seen, and nothing is listed again.
func TestFollowResumesAfterADroppedConnection(t *testing.T) {
	s := newServer()
	s.relisted = podList("30", pod("a", "30"))
	events, errs := Start(t.Context(), s.source(podList("10", pod("a", "5"))))
	first := s.nextWatch(t)
	first.Modify(pod("a", "12"))
	receive(t, events, 1)
	first.Stop()
	second := s.nextWatch(t)
	second.Add(pod("d", "13"))
	if got := receive(t, events, 1); !slices.Equal(got, []string{"ADDED d@13"}) {
		t.Errorf("after the drop: %v", got)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lists) != 0 || s.watchRVs[1] != "12" {
		t.Errorf("lists %q, watches from %q: want no list, the second watch from 12", s.lists, s.watchRVs)
	}
	select {
	case err := <-errs:
		t.Errorf("error: %v", err)
	default:
	}
}
