package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// watchLatency runs cache-report --watch on a new application and, pod by
// pod, measures the time from posting the event that completes its pulls to
// its row on the plugin's stdout. The latencies come back sorted.
func watchLatency(ctx context.Context, client kubernetes.Interface, plugin string, common []string, pods int) ([]time.Duration, error) {
	ns := namespaceName(0)
	if _, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, err
	}
	c := exec.Command(plugin, append([]string{"cache-report", "app/latency", "-n", ns, "--watch", "--timeout=10m", "--no-headers"}, common...)...)
	stdout, err := c.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c.Stderr = io.Discard
	// The application needs a pod for the watch to start on.
	if err := seedLatencyPod(ctx, client, ns, "latency-driver", true); err != nil {
		return nil, err
	}
	if err := c.Start(); err != nil {
		return nil, err
	}
	defer func() { _ = c.Process.Kill(); _ = c.Wait() }()
	rows := make(chan string)
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			if f := strings.Fields(scanner.Text()); len(f) > 0 {
				rows <- f[0]
			}
		}
		close(rows)
	}()
	if err := awaitRow(rows, "latency-driver"); err != nil {
		return nil, err
	}
	var latencies []time.Duration
	for i := 1; i <= pods; i++ {
		name := fmt.Sprintf("latency-exec-%d", i)
		if err := seedLatencyPod(ctx, client, ns, name, false); err != nil {
			return nil, err
		}
		time.Sleep(20 * time.Millisecond) // the pod is known before its last event
		posted := time.Now()
		if err := pulledEvent(ctx, client, ns, name); err != nil {
			return nil, err
		}
		if err := awaitRow(rows, name); err != nil {
			return nil, err
		}
		latencies = append(latencies, time.Since(posted))
	}
	slices.Sort(latencies)
	return latencies, nil
}

func awaitRow(rows <-chan string, pod string) error {
	timeout := time.After(30 * time.Second)
	for {
		select {
		case row, ok := <-rows:
			if !ok {
				return fmt.Errorf("cache-report --watch ended before printing %s", pod)
			}
			if row == pod {
				return nil
			}
		case <-timeout:
			return fmt.Errorf("cache-report --watch printed no row for %s in 30s", pod)
		}
	}
}

// seedLatencyPod creates a pod of the latency application; a driver comes
// with its pull already done.
func seedLatencyPod(ctx context.Context, client kubernetes.Interface, ns, name string, done bool) error {
	_, err := client.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"sparkoperator.k8s.io/app-name": "latency", "spark-role": "executor"}},
		Spec:       corev1.PodSpec{NodeName: "virtual-kubelet-cn-hangzhou-i", Containers: []corev1.Container{{Name: "spark-kubernetes-executor", Image: image}}},
	}, metav1.CreateOptions{})
	if err != nil || !done {
		return err
	}
	return pulledEvent(ctx, client, ns, name)
}

func pulledEvent(ctx context.Context, client kubernetes.Interface, ns, name string) error {
	pod, err := client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	now := metav1.Now()
	_, err = client.CoreV1().Events(ns).Create(ctx, &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: name + ".", Namespace: ns},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: ns, Name: name, UID: pod.UID, FieldPath: "spec.containers{spark-kubernetes-executor}"},
		Reason:         "Pulled", Message: `Container image "` + image + `" already present on machine`, Type: corev1.EventTypeNormal,
		Source:         corev1.EventSource{Component: "kubelet", Host: pod.Spec.NodeName},
		FirstTimestamp: now, LastTimestamp: now, Count: 1,
	}, metav1.CreateOptions{})
	return err
}
