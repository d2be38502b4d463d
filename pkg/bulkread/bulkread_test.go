package bulkread

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
)

// Each reads page after page, PageSize a page, and returns the version of
// the first page: the snapshot every page is of.
func TestEachPagesAndKeepsTheFirstVersion(t *testing.T) {
	var asked []metav1.ListOptions
	list := func(_ context.Context, opts metav1.ListOptions) (*corev1.PodList, error) {
		asked = append(asked, opts)
		page := &corev1.PodList{ListMeta: metav1.ListMeta{ResourceVersion: fmt.Sprint(100 + len(asked))}}
		page.Items = []corev1.Pod{{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("pod-", len(asked))}}}
		if len(asked) < 3 {
			page.Continue = fmt.Sprint("next-", len(asked))
		}
		return page, nil
	}
	var names []string
	version, err := Each(context.Background(), list, metav1.ListOptions{LabelSelector: "a=b"}, func(obj runtime.Object) error {
		names = append(names, obj.(*corev1.Pod).Name)
		return nil
	})
	if err != nil || version != "101" || fmt.Sprint(names) != "[pod-1 pod-2 pod-3]" {
		t.Errorf("version %q, names %v, err %v; want 101 and three pods", version, names, err)
	}
	for i, opts := range asked {
		if opts.Limit != PageSize || opts.LabelSelector != "a=b" || (i > 0 && opts.Continue != fmt.Sprint("next-", i)) {
			t.Errorf("page %d asked with %+v", i, opts)
		}
	}
}

func TestProtobufLeavesTheConfigAlone(t *testing.T) {
	config := &rest.Config{Host: "https://example"}
	pb := Protobuf(config)
	if pb.ContentType != runtime.ContentTypeProtobuf || config.ContentType != "" {
		t.Errorf("protobuf %q, original %q", pb.ContentType, config.ContentType)
	}
}

// Bulk reads are not held to client-go's 5 requests a second; a rate the
// user's config sets is kept, and the config given is not changed.
func TestUnthrottled(t *testing.T) {
	given := &rest.Config{Host: "https://example.invalid"}
	for _, c := range []*rest.Config{Unthrottled(given), Protobuf(given)} {
		if c.QPS != QPS || c.Burst != Burst {
			t.Errorf("rate %v/%d, want %v/%d", c.QPS, c.Burst, QPS, Burst)
		}
	}
	if given.QPS != 0 || given.Burst != 0 || given.ContentType != "" {
		t.Errorf("the config given changed: %+v", given)
	}
	if c := Unthrottled(&rest.Config{QPS: 2, Burst: 3}); c.QPS != 2 || c.Burst != 3 {
		t.Errorf("the user's rate %v/%d, want 2/3", c.QPS, c.Burst)
	}
}
