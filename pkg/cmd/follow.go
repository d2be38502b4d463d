package cmd

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/follow"
)

// followPods follows, in g, the pods of a namespace (all with "") that a label
// selector selects, from the list they were read in: pods and its version.
func followPods(g *follow.Group, client corev1client.PodsGetter, namespace, labelSelector string, pods []corev1.Pod, version string) (<-chan watch.Event, <-chan error) {
	list, watchFn := follow.Narrow(client.Pods(namespace).List, client.Pods(namespace).Watch, metav1.ListOptions{LabelSelector: labelSelector})
	listed := &corev1.PodList{ListMeta: metav1.ListMeta{ResourceVersion: version}, Items: pods}
	return g.Start(follow.Source{Resource: "pods", Listed: listed, Object: &corev1.Pod{}, List: list, Watch: watchFn})
}

// followEvents follows, in g, the events of a namespace (all with "") that a field
// selector selects, from the version they were listed at, in order (a
// stream: an event's deletion, when it expires, matters to no report).
func followEvents(g *follow.Group, client corev1client.EventsGetter, namespace, fieldSelector, version string) (<-chan watch.Event, <-chan error) {
	list, watchFn := follow.Narrow(client.Events(namespace).List, client.Events(namespace).Watch, metav1.ListOptions{FieldSelector: fieldSelector})
	listed := &corev1.EventList{ListMeta: metav1.ListMeta{ResourceVersion: version}}
	return g.Stream(follow.Source{Resource: "events", Listed: listed, Object: &corev1.Event{}, List: list, Watch: watchFn})
}
