package main

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/spark-eci/kubectl-spark-eci/pkg/bulkread"
)

// A floor is what a command cannot go below: one raw read, with the
// plugin's own client, protobuf and page size, of the objects the command
// must read, each decoded and dropped, nothing done with it.
type floor []func(ctx context.Context) error

// listOf reads a list a page at a time, as the plugin does, and drops it.
func listOf[L bulkread.List](list func(context.Context, metav1.ListOptions) (L, error), opts metav1.ListOptions) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := bulkread.Each(ctx, list, opts, func(runtime.Object) error { return nil })
		return err
	}
}

// readers are the clients a floor reads with: protobuf for core objects,
// JSON for custom resources, which have no protobuf form.
type readers struct {
	core kubernetes.Interface
	dyn  dynamic.Interface
}

func (r readers) pods(namespace, selector string) func(context.Context) error {
	return listOf(r.core.CoreV1().Pods(namespace).List, metav1.ListOptions{LabelSelector: selector})
}

func (r readers) events(namespace, selector string) func(context.Context) error {
	return listOf(r.core.CoreV1().Events(namespace).List, metav1.ListOptions{FieldSelector: selector})
}

func (r readers) nodes(selector string) func(context.Context) error {
	return listOf(r.core.CoreV1().Nodes().List, metav1.ListOptions{LabelSelector: selector})
}

func (r readers) sparkApps(namespace string) func(context.Context) error {
	return listOf(r.dyn.Resource(sparkAppGVR).Namespace(namespace).List, metav1.ListOptions{})
}

func (r readers) sparkConnects(namespace string) func(context.Context) error {
	return listOf(r.dyn.Resource(sparkConnectGVR).Namespace(namespace).List, metav1.ListOptions{})
}

// eciNodes selects the virtual nodes, which cache-report lists.
const eciNodes = "type=virtual-kubelet"

// appReport is the floor of cache-report app/NAME: the application's pods,
// the pod events of its namespace, the virtual nodes.
func (r readers) appReport(namespace, app string) floor {
	return floor{r.pods(namespace, "sparkoperator.k8s.io/app-name="+app), r.events(namespace, "involvedObject.kind=Pod"), r.nodes(eciNodes)}
}

// read reads the floor once, and returns its wall time.
func (f floor) read(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	for _, read := range f {
		if err := read(ctx); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}
