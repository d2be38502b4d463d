package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// scale is how much a bench run seeds: the application cache-report
// app/NAME reads, in the first namespace, and other applications spread
// over the namespaces, each pod with its events (image and cache events,
// and noise of other kinds).
type scale struct {
	namespaces   int
	bigApp       int // pods of the application named: a driver and executors
	apps         int // other applications
	appPods      int // pods of each other application
	eventsPerPod int
	kubectlRuns  int // of kubectl get events, which takes minutes on the large scale
	curve        eventCurve
}

var scales = map[string]scale{
	"small": {namespaces: 1, bigApp: 2001, eventsPerPod: 6, kubectlRuns: 3,
		curve: eventCurve{pods: 1000, eventsPerPod: []int{1, 10, 30}}},
	"large": {namespaces: 5, bigApp: 10000, apps: 40, appPods: 1000, eventsPerPod: 6, kubectlRuns: 1,
		curve: eventCurve{pods: 10000, eventsPerPod: []int{1, 10, 30}}},
}

// Both scales run the bursts and place on the same sizes: what they measure
// does not depend on what else the cluster holds.
var (
	burstSizes = []int{500, 2000}
	placeMany  = placeBench{namespace: "bench-place", apps: 500, sampled: 10}
)

func (s scale) pods() int   { return s.bigApp + s.apps*s.appPods }
func (s scale) events() int { return s.pods() * s.eventsPerPod }

func namespaceName(i int) string { return fmt.Sprintf("bench-%d", i) }

// bigApp is the application cache-report app/NAME reads, in namespace bench-0.
const bigApp = "big"

// app is one application to seed.
type app struct {
	namespace, name string
	pods            int
	team            string // its label team, bench when empty
}

func (s scale) applications() []app {
	apps := []app{{namespace: namespaceName(0), name: bigApp, pods: s.bigApp}}
	for i := 0; i < s.apps; i++ {
		apps = append(apps, app{namespace: namespaceName(i % s.namespaces), name: fmt.Sprintf("app-%d", i), pods: s.appPods})
	}
	return apps
}

var sparkAppGVR = schema.GroupVersionResource{Group: "sparkoperator.k8s.io", Version: "v1beta2", Resource: "sparkapplications"}
var sparkConnectGVR = schema.GroupVersionResource{Group: "sparkoperator.k8s.io", Version: "v1alpha1", Resource: "sparkconnects"}

// seed creates the namespaces, a SparkApplication for each application,
// its pods (bound: the driver to an ECS node, the executors to an ECI
// virtual node) and the events the kubelet, ECI and the scheduler post, with
// writers in parallel. It reports its progress every ten seconds.
func seed(ctx context.Context, client kubernetes.Interface, dyn dynamic.Interface, s scale, writers int) error {
	for i := 0; i < s.namespaces; i++ {
		if _, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespaceName(i)}}, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	type job struct {
		app   app
		index int
	}
	var jobs []job
	for _, a := range s.applications() {
		if err := createApp(ctx, dyn, a); err != nil {
			return err
		}
		for i := 0; i < a.pods; i++ {
			jobs = append(jobs, job{a, i})
		}
	}
	var done atomic.Int64
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		// A rate, not a wait for something: a line every ten seconds.
		tick := time.NewTicker(10 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				fmt.Printf("  %d of %d pods and their events\n", done.Load(), s.pods())
			}
		}
	}()
	return inParallel(writers, len(jobs), func(j int) error {
		defer done.Add(1)
		return seedPod(ctx, client, jobs[j].app, jobs[j].index, s.eventsPerPod)
	})
}

// inParallel calls do(0) ... do(n-1) from writers goroutines, and returns
// the first error; after one, the jobs not started are not.
func inParallel(writers, n int, do func(j int) error) error {
	writers = max(1, writers)
	var next atomic.Int64
	var first error
	var once sync.Once
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				j := int(next.Add(1)) - 1
				if j >= n {
					return
				}
				if err := do(j); err != nil {
					once.Do(func() { first = err })
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	return first
}

func createApp(ctx context.Context, dyn dynamic.Interface, a app) error {
	team := a.team
	if team == "" {
		team = "bench"
	}
	obj := &unstructured.Unstructured{Object: map[string]interface{}{
		"apiVersion": "sparkoperator.k8s.io/v1beta2", "kind": "SparkApplication",
		"metadata": map[string]interface{}{"name": a.name, "namespace": a.namespace, "labels": map[string]interface{}{"team": team}},
		"spec": map[string]interface{}{
			"type": "Scala", "mode": "cluster", "image": image, "sparkVersion": "3.5.2",
			"mainClass": "org.apache.spark.examples.SparkPi", "mainApplicationFile": "local:///opt/spark/examples/jars/spark-examples.jar",
			"driver":   map[string]interface{}{"cores": int64(1), "memory": "512m"},
			"executor": map[string]interface{}{"instances": int64(a.pods - 1), "cores": int64(1), "memory": "512m"},
		},
	}}
	_, err := dyn.Resource(sparkAppGVR).Namespace(a.namespace).Create(ctx, obj, metav1.CreateOptions{})
	return err
}

// seedPod creates pod i of an application (0 is the driver) and its events.
func seedPod(ctx context.Context, client kubernetes.Interface, a app, i, eventsPerPod int) error {
	pod, err := client.CoreV1().Pods(a.namespace).Create(ctx, sparkPod(a, i, true), metav1.CreateOptions{})
	if err != nil {
		return err
	}
	for k := 0; k < eventsPerPod; k++ {
		if _, err := client.CoreV1().Events(a.namespace).Create(ctx, podEvent(pod, i, k), metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	return nil
}

const (
	ecsNode = "cn-hangzhou.192.168.0.10"
	eciNode = "virtual-kubelet-cn-hangzhou-i"
)

// sparkPod is pod i of an application (0 is the driver, on ECS; executors
// on ECI), bound to its node or not.
func sparkPod(a app, i int, bound bool) *corev1.Pod {
	role, node, name := "executor", eciNode, fmt.Sprintf("%s-8f2a-exec-%d", a.name, i)
	if i == 0 {
		role, node, name = "driver", ecsNode, a.name+"-driver"
	}
	if !bound {
		node = ""
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: a.namespace, Labels: map[string]string{
			"sparkoperator.k8s.io/app-name": a.name, "sparkoperator.k8s.io/launched-by-spark-operator": "true", "spark-role": role,
			"sparkoperator.k8s.io/submission-id": "8f2a",
		}},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "spark-kubernetes-" + role, Image: image}}},
	}
}

// podEvent is event k of pod i of an application, as its node is bound:
// ECI's cache event, the kubelet's pull and container events, the
// scheduler's, in turn (then again, from k = 6). Every third pod hits the
// image cache; the others miss it and pull. One in ten has ECI's NoStock in
// place of its cache event.
func podEvent(pod *corev1.Pod, i, k int) *corev1.Event {
	role, node := pod.Labels["spark-role"], pod.Spec.NodeName
	if node == "" {
		node = eciNode
	}
	messages := [][3]string{
		{"EciService", "ImageCacheMissed", "[eci.imagecache]Missed image cache."},
		{"kubelet", "Pulling", `Pulling image "` + image + `"`},
		{"kubelet", "Pulled", fmt.Sprintf(`Successfully pulled image "%s" in %d.%03ds (%d.%03ds including waiting). Image size: 336066994 bytes.`, image, 20+i%80, i%1000, 21+i%80, i%1000)},
		{"kubelet", "Created", "Created container: spark-kubernetes-" + role},
		{"kubelet", "Started", "Started container spark-kubernetes-" + role},
		{"default-scheduler", "Scheduled", "Successfully assigned " + pod.Namespace + "/" + pod.Name + " to " + node},
	}
	if i%3 == 0 {
		messages[0] = [3]string{"EciService", "SuccessfulHitImageCache", "[eci.imagecache]Successfully hit image cache imc-2zebench, eci will be scheduled with this image cache."}
		messages[2] = [3]string{"kubelet", "Pulled", `Container image "` + image + `" already present on machine`}
	}
	// One executor in ten waits on ECI's stock: a problem for status.
	if i%10 == 5 {
		messages[0] = [3]string{"EciService", "NoStock", "Create ECI failed because the specified instance is out of stock. cn-hangzhou-i"}
	}
	at := time.Now().Add(-30 * time.Minute).Truncate(time.Second)
	m := messages[k%len(messages)]
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: pod.Name + ".", Namespace: pod.Namespace},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID, FieldPath: "spec.containers{spark-kubernetes-" + role + "}"},
		Reason:         m[1], Message: m[2], Type: corev1.EventTypeNormal,
		Source:         corev1.EventSource{Component: m[0], Host: node},
		FirstTimestamp: metav1.NewTime(at), LastTimestamp: metav1.NewTime(at.Add(time.Duration(k) * time.Second)), Count: 1,
	}
}
