package main

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// watchLatency runs cache-report --watch on a new application and, pod by
// pod, measures the time from posting the event that completes its pulls to
// its row on the plugin's stdout.
func watchLatency(ctx context.Context, client kubernetes.Interface, plugin string, common []string, pods int) ([]time.Duration, error) {
	a := app{namespace: namespaceName(0), name: "latency"}
	if _, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: a.namespace}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, err
	}
	// The application needs a pod for the watch to start on: its driver,
	// its pulls done.
	if err := seedPod(ctx, client, a, 0, 6); err != nil {
		return nil, err
	}
	// Each pod is known before its last event: the pods are there before
	// the watch starts, which lists them. Pod 1 is the first change the
	// watch is sent, untimed: its row tells that the events are followed.
	created := make([]*corev1.Pod, pods+2)
	for i := 1; i < len(created); i++ {
		var err error
		if created[i], err = client.CoreV1().Pods(a.namespace).Create(ctx, sparkPod(a, i, true), metav1.CreateOptions{}); err != nil {
			return nil, err
		}
	}
	p, err := startWatch(plugin, append([]string{"cache-report", "app/" + a.name, "-n", a.namespace, "--watch", "--timeout=10m", "--no-headers"}, common...)...)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	all := func([]string) bool { return true }
	// The driver's row comes once the pods and the events are listed.
	if _, err := p.awaitRows([]string{a.name + "-driver"}, all); err != nil {
		return nil, fmt.Errorf("cache-report --watch: %w", err)
	}
	var latencies []time.Duration
	for i := 1; i < len(created); i++ {
		pod := created[i]
		posted := time.Now()
		if _, err := client.CoreV1().Events(a.namespace).Create(ctx, podEvent(pod, i, 2), metav1.CreateOptions{}); err != nil {
			return nil, err
		}
		printed, err := p.awaitRows([]string{pod.Name}, all)
		if err != nil {
			return nil, fmt.Errorf("cache-report --watch: %w", err)
		}
		if i > 1 {
			at, _ := printed.get(pod.Name)
			latencies = append(latencies, at.Sub(posted))
		}
	}
	return latencies, nil
}
