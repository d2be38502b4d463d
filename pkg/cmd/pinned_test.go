package cmd

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/spark-eci/kubectl-spark-eci/pkg/imagecache"
)

// fakeSparkClient serves one application of each Spark kind in namespace
// spark, each pinning imc-1 by another path, and one in namespace ml.
func fakeSparkClient(t *testing.T) *dynamicfake.FakeDynamicClient {
	t.Helper()
	app := func(gv schema.GroupVersion, kind, ns, name string, annotationsAt ...string) *unstructured.Unstructured {
		obj := &unstructured.Unstructured{Object: map[string]interface{}{}}
		obj.SetAPIVersion(gv.String())
		obj.SetKind(kind)
		obj.SetNamespace(ns)
		obj.SetName(name)
		if err := unstructured.SetNestedStringMap(obj.Object, map[string]string{"k8s.aliyun.com/eci-imc-id": "imc-1"}, annotationsAt...); err != nil {
			t.Fatal(err)
		}
		return obj
	}
	lists := map[schema.GroupVersionResource]string{}
	var objects []runtime.Object
	for _, rt := range sparkTypes() {
		lists[rt.resource] = rt.noun + "List"
	}
	app0 := refTypeOf(refApp).resource.GroupVersion()
	objects = append(objects,
		app(app0, "SparkApplication", "spark", "etl", "spec", "executor", "annotations"),
		app(app0, "SparkApplication", "ml", "etl", "spec", "driver", "template", "metadata", "annotations"),
		app(app0, "ScheduledSparkApplication", "spark", "nightly", "spec", "template", "executor", "annotations"),
		app(refTypeOf(refConnect).resource.GroupVersion(), "SparkConnect", "spark", "sc", "spec", "server", "template", "metadata", "annotations"),
	)
	return dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), lists, objects...)
}

func TestListPinnings(t *testing.T) {
	client := fakeSparkClient(t)
	for _, tc := range []struct {
		namespace string
		types     []refType
		want      []string
	}{
		{"spark", sparkTypes(), []string{"spark/etl", "spark/scheduledsparkapplication/nightly", "spark/sparkconnect/sc"}},
		{"", sparkTypes(), []string{"ml/etl", "spark/etl", "spark/scheduledsparkapplication/nightly", "spark/sparkconnect/sc"}},
		// A kind the server does not serve is not read.
		{"spark", []refType{refTypeOf(refApp)}, []string{"spark/etl"}},
	} {
		pinnings, err := listPinnings(context.Background(), client, tc.namespace, tc.types)
		if err != nil {
			t.Fatal(err)
		}
		if got := imagecache.PinnedBy(pinnings)["imc-1"]; !reflect.DeepEqual(got, tc.want) {
			t.Errorf("namespace %q: imc-1 pinned by %q, want %q", tc.namespace, got, tc.want)
		}
	}
}

// What cannot be read is named, all of it, in one line; the rights to ask
// for follow the scope.
func TestListPinningsNamesWhatItCannotRead(t *testing.T) {
	for _, tc := range []struct {
		namespace string
		forbid    map[string]error
		want, fix string
		forbidden bool
	}{
		{"spark", map[string]error{
			"sparkapplications": apierrors.NewForbidden(schema.GroupResource{Group: "sparkoperator.k8s.io", Resource: "sparkapplications"}, "", errors.New("no")),
			"sparkconnects":     apierrors.NewForbidden(schema.GroupResource{Group: "sparkoperator.k8s.io", Resource: "sparkconnects"}, "", errors.New("no")),
		}, "you may not list sparkapplications.sparkoperator.k8s.io, sparkconnects.sparkoperator.k8s.io in namespace spark", "deploy/rbac/role.yaml", true},
		{"", map[string]error{
			"scheduledsparkapplications": apierrors.NewForbidden(schema.GroupResource{Group: "sparkoperator.k8s.io", Resource: "scheduledsparkapplications"}, "", errors.New("no")),
		}, "you may not list scheduledsparkapplications.sparkoperator.k8s.io in any namespace", "deploy/rbac/clusterrole.yaml", true},
		{"spark", map[string]error{
			"sparkconnects": apierrors.NewInternalError(errors.New("etcd is down")),
		}, "cannot list sparkconnects.sparkoperator.k8s.io in namespace spark: Internal error occurred: etcd is down", "deploy/rbac/role.yaml", false},
	} {
		client := fakeSparkClient(t)
		client.PrependReactor("list", "*", func(action k8stesting.Action) (bool, runtime.Object, error) {
			if err := tc.forbid[action.GetResource().Resource]; err != nil {
				return true, nil, err
			}
			return false, nil, nil
		})
		_, err := listPinnings(context.Background(), client, tc.namespace, sparkTypes())
		if err == nil || err.Error() != tc.want || !strings.Contains(pinReadFix(err), tc.fix) || apierrors.IsForbidden(err) != tc.forbidden {
			t.Errorf("err %v (fix %q), want %q (fix with %s)", err, pinReadFix(err), tc.want, tc.fix)
		}
	}
}

func TestImageCacheListBadInput(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"image-cache", "list", "-A", "-o", "yaml"}, "--all-namespaces reads the applications of the table's PINNED BY column, which -o does not print"},
		{[]string{"image-cache", "list", "--no-headers", "-o", "json"}, "--no-headers goes with the table, not with -o"},
	} {
		stdout, stderr, code := run(t, tc.args...)
		if code == 0 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.wantErr) {
			t.Errorf("%v: exit %d, %q, %q; want one line with %q", tc.args, code, stdout, stderr, tc.wantErr)
		}
	}
}

// create prefers a cache that pinned-caches would not warn of, even when one
// that expires soon has its own name; --name asks for a new one.
func TestCreatePrefersACacheThatLasts(t *testing.T) {
	images := []string{"spark:3.5.2"}
	app := &unstructured.Unstructured{Object: map[string]interface{}{
		"kind": "SparkApplication", "metadata": map[string]interface{}{"name": "etl", "namespace": "spark"},
	}}
	created := 0
	cache := func(name string, expires time.Duration) *unstructured.Unstructured {
		obj := imagecache.New(name, imagecache.Spec{Images: images}, "spark", "etl")
		status := map[string]interface{}{"phase": "Ready", "imageCacheId": "imc-" + strings.ReplaceAll(name, "-", "")}
		if expires != 0 {
			status["expireDateTime"] = time.Now().Add(expires).UTC().Format(time.RFC3339)
		}
		obj.Object["status"] = status
		created++ // each newer than the one before
		obj.SetCreationTimestamp(metav1.NewTime(time.Date(2026, 12, 1, created, 0, 0, 0, time.UTC)))
		return obj
	}
	own := imagecache.DefaultName("spark", "etl", images)
	spec := imagecache.Spec{Images: images}
	for _, tc := range []struct {
		name     string
		existing []*unstructured.Unstructured
		want     string // "" a new cache
	}{
		{"its own, newer, expiring soon, and an older one that lasts", []*unstructured.Unstructured{cache("lasting", 0), cache(own, 3*24*time.Hour)}, "lasting"},
		{"its own, expiring soon, alone", []*unstructured.Unstructured{cache(own, 3*24*time.Hour)}, own},
		{"its own, lasting, the newest", []*unstructured.Unstructured{cache("other", 0), cache(own, 30*24*time.Hour)}, own},
	} {
		reuse, err := (&ImageCacheCreateOptions{}).reusable(tc.existing, spec, app)
		if err != nil || reuse == nil || reuse.GetName() != tc.want {
			t.Errorf("%s: %v, %v; want %s reused", tc.name, reuse, err, tc.want)
		}
	}
	if reuse, err := (&ImageCacheCreateOptions{Name: "etl-new"}).reusable([]*unstructured.Unstructured{cache(own, 3*24*time.Hour)}, spec, app); err != nil || reuse != nil {
		t.Errorf("--name: %v, %v; want a new cache", reuse, err)
	}
}
