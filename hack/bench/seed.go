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
}

var scales = map[string]scale{
	"small": {namespaces: 1, bigApp: 2001, eventsPerPod: 6, kubectlRuns: 3},
	"large": {namespaces: 5, bigApp: 10000, apps: 40, appPods: 1000, eventsPerPod: 6, kubectlRuns: 1},
}

func (s scale) pods() int   { return s.bigApp + s.apps*s.appPods }
func (s scale) events() int { return s.pods() * s.eventsPerPod }

func namespaceName(i int) string { return fmt.Sprintf("bench-%d", i) }

// bigApp is the application cache-report app/NAME reads, in namespace bench-0.
const bigApp = "big"

// app is one application to seed.
type app struct {
	namespace, name string
	pods            int
}

func (s scale) applications() []app {
	apps := []app{{namespaceName(0), bigApp, s.bigApp}}
	for i := 0; i < s.apps; i++ {
		apps = append(apps, app{namespaceName(i % s.namespaces), fmt.Sprintf("app-%d", i), s.appPods})
	}
	return apps
}

var sparkAppGVR = schema.GroupVersionResource{Group: "sparkoperator.k8s.io", Version: "v1beta2", Resource: "sparkapplications"}

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
	work := make(chan job, writers)
	errs := make(chan error, writers)
	var done atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				if err := seedPod(ctx, client, j.app, j.index, s.eventsPerPod); err != nil {
					errs <- err
					return
				}
				done.Add(1)
			}
		}()
	}
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Second):
				fmt.Printf("  %d of %d pods and their events\n", done.Load(), s.pods())
			}
		}
	}()
	defer close(stop)
	var err error
feed:
	for _, a := range s.applications() {
		if err = createApp(ctx, dyn, a); err != nil {
			break
		}
		for i := 0; i < a.pods; i++ {
			select {
			case work <- job{a, i}:
			case err = <-errs:
				break feed
			}
		}
	}
	close(work)
	wg.Wait()
	close(errs)
	if err != nil {
		return err
	}
	return <-errs
}

func createApp(ctx context.Context, dyn dynamic.Interface, a app) error {
	obj := &unstructured.Unstructured{Object: map[string]interface{}{
		"apiVersion": "sparkoperator.k8s.io/v1beta2", "kind": "SparkApplication",
		"metadata": map[string]interface{}{"name": a.name, "namespace": a.namespace, "labels": map[string]interface{}{"team": "bench"}},
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
	role, node, name := "executor", "virtual-kubelet-cn-hangzhou-i", fmt.Sprintf("%s-8f2a-exec-%d", a.name, i)
	if i == 0 {
		role, node, name = "driver", "cn-hangzhou.192.168.0.10", a.name+"-driver"
	}
	pod, err := client.CoreV1().Pods(a.namespace).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			"sparkoperator.k8s.io/app-name": a.name, "sparkoperator.k8s.io/launched-by-spark-operator": "true", "spark-role": role,
			"sparkoperator.k8s.io/submission-id": "8f2a",
		}},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "spark-kubernetes-" + role, Image: image}}},
	}, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	at := time.Now().Add(-30 * time.Minute).Truncate(time.Second)
	messages := [][3]string{
		{"EciService", "ImageCacheMissed", "[eci.imagecache]Missed image cache."},
		{"kubelet", "Pulling", `Pulling image "` + image + `"`},
		{"kubelet", "Pulled", fmt.Sprintf(`Successfully pulled image "%s" in %d.%03ds (%d.%03ds including waiting). Image size: 336066994 bytes.`, image, 20+i%80, i%1000, 21+i%80, i%1000)},
		{"kubelet", "Created", "Created container: spark-kubernetes-" + role},
		{"kubelet", "Started", "Started container spark-kubernetes-" + role},
		{"default-scheduler", "Scheduled", "Successfully assigned " + a.namespace + "/" + name + " to " + node},
	}
	if i%3 == 0 {
		messages[0] = [3]string{"EciService", "SuccessfulHitImageCache", "[eci.imagecache]Successfully hit image cache imc-2zebench, eci will be scheduled with this image cache."}
		messages[2] = [3]string{"kubelet", "Pulled", `Container image "` + image + `" already present on machine`}
	}
	for k := 0; k < eventsPerPod; k++ {
		m := messages[k%len(messages)]
		_, err := client.CoreV1().Events(a.namespace).Create(ctx, &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{GenerateName: name + ".", Namespace: a.namespace},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: a.namespace, Name: name, UID: pod.UID, FieldPath: "spec.containers{spark-kubernetes-" + role + "}"},
			Reason:         m[1], Message: m[2], Type: corev1.EventTypeNormal,
			Source:         corev1.EventSource{Component: m[0], Host: node},
			FirstTimestamp: metav1.NewTime(at), LastTimestamp: metav1.NewTime(at.Add(time.Duration(k) * time.Second)), Count: 1,
		}, metav1.CreateOptions{})
		if err != nil {
			return err
		}
	}
	return nil
}
