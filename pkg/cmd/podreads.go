package cmd

import (
	"context"
	"fmt"
	"iter"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"

	"github.com/spark-eci/kubectl-spark-eci/pkg/bulkread"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
)

// podReads is how cache-report and timeline choose Spark pods and read
// them, their events and the nodes they run on: each list once, a page at
// a time, never a request per pod. The two commands read the same pods the
// same way, so that what one reports of a pod the other does too.
type podReads struct {
	// Selector and AllNamespaces are the commands' -l and -A.
	Selector      string
	AllNamespaces bool

	podName   string // one pod, by name
	appName   string // the pods of one SparkApplication (or SparkConnect)
	kind      string // of the application named
	namespace string
	nodes     placement.VirtualNodes
	client    corev1client.CoreV1Interface
}

// complete reads the argument by what the command takes, the virtual
// nodes' label, the namespace and the client; it returns the REST config,
// for the command's other clients.
func (r *podReads) complete(f *genericclioptions.ConfigFlags, takes argKinds, args []string, nodeLabel string) (*rest.Config, error) {
	if len(args) == 1 {
		ref, err := takes.resolve(args[0])
		if err != nil {
			return nil, err
		}
		if ref.kind == refPod {
			r.podName = ref.name
		} else {
			r.appName, r.kind = ref.name, refTypeOf(ref.kind).noun
		}
	}
	var err error
	if r.nodes, err = placement.ParseVirtualNodes(nodeLabel, placement.DefaultTaint); err != nil {
		return nil, err
	}
	if r.namespace, _, err = f.ToRawKubeConfigLoader().Namespace(); err != nil {
		return nil, fmt.Errorf("read kubeconfig: %w", err)
	}
	config, err := f.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("read kubeconfig: %w", err)
	}
	r.client, err = corev1client.NewForConfig(bulkread.Protobuf(config))
	return config, err
}

// eachPod calls fn with each selected pod (none for a pod named but gone),
// and returns the resource version to watch them from.
func (r *podReads) eachPod(ctx context.Context, fn func(*corev1.Pod)) (string, error) {
	if r.podName != "" {
		pod, err := r.client.Pods(r.namespace).Get(ctx, r.podName, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		fn(pod)
		return pod.ResourceVersion, nil
	}
	namespace, selector := r.podScope()
	return bulkread.Each(ctx, r.client.Pods(namespace).List, metav1.ListOptions{LabelSelector: selector}, func(obj runtime.Object) error {
		fn(obj.(*corev1.Pod))
		return nil
	})
}

// podScope is the namespace and label selector of the selected pods: an
// application's, those of -l, or with -A alone every Spark pod.
func (r *podReads) podScope() (string, string) {
	namespace, selector := r.namespace, r.Selector
	if r.AllNamespaces {
		namespace = metav1.NamespaceAll
	}
	if r.appName != "" || selector == "" {
		selector = sparkPodSelector(r.kind, r.appName)
	}
	return namespace, selector
}

// eventScope is where the events of pods, given by namespace and UID, are
// listed and watched: the pod's own for one, else the pod events of their
// namespace, or of all namespaces when they are of several.
func eventScope(pods iter.Seq2[string, types.UID]) (string, fields.Set) {
	selector := fields.Set{"involvedObject.kind": "Pod"}
	n, namespace, uid := 0, "", types.UID("")
	for ns, u := range pods {
		if n > 0 && ns != namespace {
			return metav1.NamespaceAll, selector
		}
		n, namespace, uid = n+1, ns, u
	}
	if n == 1 {
		selector["involvedObject.uid"] = string(uid)
	}
	return namespace, selector
}

func (r *podReads) eventsOfPodNamed(ctx context.Context, name string, keep func(*corev1.Event) bool) ([]corev1.Event, error) {
	var events []corev1.Event
	selector := fields.Set{"involvedObject.kind": "Pod", "involvedObject.name": name}
	_, err := r.eachEvent(ctx, r.namespace, selector, func(e *corev1.Event) {
		if keep(e) {
			events = append(events, *e)
		}
	})
	return events, err
}

// eachEvent calls fn with each event the list yields, a page at a time, and
// returns the list's resource version. What the command does not read, the
// caller drops (an EventStore parses each event once, and keeps what it
// reads).
func (r *podReads) eachEvent(ctx context.Context, namespace string, selector fields.Set, fn func(*corev1.Event)) (string, error) {
	return bulkread.Each(ctx, r.client.Events(namespace).List, metav1.ListOptions{FieldSelector: selector.AsSelector().String()}, func(obj runtime.Object) error {
		fn(obj.(*corev1.Event))
		return nil
	})
}

// eciNodes tells ECI virtual nodes by placement.NodeKinds' rule, listing the
// nodes once: a node listed by its label, one not (the user may not list
// nodes, or it is gone since) by ACK's name for virtual nodes.
func (r *podReads) eciNodes(ctx context.Context) func(string) bool {
	list, err := r.client.Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return placement.NewNodeKinds(r.nodes, nil).IsECI
	}
	return placement.NewNodeKinds(r.nodes, list.Items).IsECI
}
