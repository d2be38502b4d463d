package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"time"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// placeBench is place -l over many applications against a kubectl patch
// loop doing the same writes, one kubectl process an application (sampled:
// a loop over all of them takes minutes).
type placeBench struct {
	namespace string
	apps      int // placed by the plugin, labelled team=place
	sampled   int // patched by kubectl in each turn, labelled team=place-kubectl
}

// targets alternate between runs, so that every run changes every
// application.
var placeTargets = []string{"--executors=eci", "--executors=ecs"}

func (b placeBench) seed(ctx context.Context, client kubernetes.Interface, dyn dynamic.Interface) error {
	if _, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: b.namespace}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	for i := 0; i < b.apps+b.sampled; i++ {
		a := app{namespace: b.namespace, name: fmt.Sprintf("place-%d", i), pods: 3, team: "place"}
		if i >= b.apps {
			a.name, a.team = fmt.Sprintf("place-kubectl-%d", i-b.apps), "place-kubectl"
		}
		if err := createApp(ctx, dyn, a); err != nil {
			return err
		}
	}
	return nil
}

// run measures the plugin and the kubectl loop in turns and prints both,
// with the plugin's requests by verb.
func (b placeBench) run(ctx context.Context, dyn dynamic.Interface, plugin string, common []string, runs int) error {
	placeArgs := func(target string) []string {
		return append([]string{"place", "-n", b.namespace, "-l", "team=place", target}, common...)
	}
	var walls, patches []time.Duration
	var peak float64
	for i := 0; i < runs; i++ {
		target := placeTargets[i%len(placeTargets)]
		got, err := measureOnce(plugin, placeArgs(target)...)
		if err != nil {
			return err
		}
		walls, peak = append(walls, got.wall), max(peak, got.maxRSSMiB)
		sample, err := b.kubectlLoop(ctx, dyn, plugin, common, target)
		if err != nil {
			return err
		}
		patches = append(patches, sample...)
	}
	counted, err := countRequests(plugin, append(placeArgs(placeTargets[runs%len(placeTargets)]), "-v=6")...)
	if err != nil {
		return err
	}
	lists, patched := counted.count("GET", "/sparkapplications"), counted.count("PATCH", "/sparkapplications/")
	if lists != 1 || patched != b.apps {
		return fmt.Errorf("place -l sent %d lists and %d patches of applications for %d applications: want 1 and %d", lists, patched, b.apps, b.apps)
	}
	pluginWall, perPatch := median(walls), median(patches)
	loop := perPatch * time.Duration(b.apps)
	fmt.Printf("\nplace -l over %d applications, every one changed (median of %d runs; targets alternate):\n", b.apps, runs)
	fmt.Printf("  kubectl spark-eci place -l team=place --executors=...  %9s  %8.1f MiB  requests: %d list and %d patches of applications, %d others\n",
		pluginWall.Round(time.Millisecond), peak, lists, patched, len(counted)-lists-patched)
	fmt.Printf("  kubectl patch loop, one process an application        %9s  (%s a patch, median of %d sampled, times %d)\n",
		loop.Round(time.Second), perPatch.Round(time.Millisecond), len(patches), b.apps)
	fmt.Printf("  ratio                                                 %8.1fx  (target >= 5x)\n", float64(loop)/float64(pluginWall))
	return nil
}

// kubectlLoop patches the sampled applications to target with kubectl, one
// process each, with the merge patch place makes (computed beforehand, from
// place's dry run: kubectl is timed on the writes alone).
func (b placeBench) kubectlLoop(ctx context.Context, dyn dynamic.Interface, plugin string, common []string, target string) ([]time.Duration, error) {
	patch, err := placePatch(ctx, dyn, plugin, common, b.namespace, "place-kubectl-0", target)
	if err != nil {
		return nil, err
	}
	var walls []time.Duration
	for i := 0; i < b.sampled; i++ {
		args := append([]string{"patch", "sparkapplications.sparkoperator.k8s.io", fmt.Sprintf("place-kubectl-%d", i),
			"-n", b.namespace, "--type=merge", "-p", string(patch)}, common...)
		got, err := measureOnce("kubectl", args...)
		if err != nil {
			return nil, err
		}
		walls = append(walls, got.wall)
	}
	return walls, nil
}

// placePatch is the merge patch that place would send to the application.
func placePatch(ctx context.Context, dyn dynamic.Interface, plugin string, common []string, namespace, name, target string) ([]byte, error) {
	c := exec.Command(plugin, append([]string{"place", "-n", namespace, "sparkapplication/" + name, target, "--dry-run=client", "-o", "json"}, common...)...)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return nil, fmt.Errorf("place --dry-run: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	current, err := dyn.Resource(sparkAppGVR).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	before, err := json.Marshal(current.Object)
	if err != nil {
		return nil, err
	}
	return jsonpatch.CreateMergePatch(before, stdout.Bytes())
}
