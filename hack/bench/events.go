package main

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// eventCurve is cache-report over the same pods as their events grow: it
// seeds one application's pods, then raises each pod's events to each count
// in turn (the image, cache and container events again and again, as a pod
// whose containers restart gets them), measuring at each count.
type eventCurve struct {
	pods         int
	eventsPerPod []int
}

const curveNamespace, curveApp = "bench-events", "events"

func (c eventCurve) run(ctx context.Context, client kubernetes.Interface, dyn dynamic.Interface, r readers, plugin string, common []string, runs, writers int) error {
	if _, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: curveNamespace}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	a := app{namespace: curveNamespace, name: curveApp, pods: c.pods}
	if err := createApp(ctx, dyn, a); err != nil {
		return err
	}
	pods := make([]*corev1.Pod, c.pods)
	err := inParallel(writers, c.pods, func(i int) error {
		var err error
		pods[i], err = client.CoreV1().Pods(a.namespace).Create(ctx, sparkPod(a, i, true), metav1.CreateOptions{})
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("\ncache-report app/%s -n %s -o json as the events of its %d pods grow:\n", curveApp, curveNamespace, c.pods)
	have := 0
	for _, per := range c.eventsPerPod {
		from := have
		err := inParallel(writers, c.pods, func(i int) error {
			for k := from; k < per; k++ {
				if _, err := client.CoreV1().Events(a.namespace).Create(ctx, podEvent(pods[i], i, k), metav1.CreateOptions{}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		have = per
		command := benchCommand{
			label: fmt.Sprintf("  %d events", c.pods*per),
			args:  []string{"cache-report", "app/" + curveApp, "-n", curveNamespace, "--wait=false", "-o", "json"},
			floor: r.appReport(curveNamespace, curveApp),
		}
		if err := command.run(ctx, plugin, common, runs); err != nil {
			return err
		}
	}
	return nil
}
