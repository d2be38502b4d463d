// Command bench measures the plugin against kubectl on the same machine: its
// start-up and size, then cache-report on an application of 2,000 executors
// with 12,000 events in its namespace, on a real API server, against kubectl
// doing the same job on the same data. It prints ratios, not verdicts on a
// machine's speed: run it with `make bench`.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

const image = "registry-cn-hangzhou.ack.aliyuncs.com/ack-demo/spark:3.5.2"

func main() {
	executors := flag.Int("executors", 2000, "executor pods of the application")
	eventsPerPod := flag.Int("events-per-pod", 6, "events per pod (12,000 in all by default)")
	runs := flag.Int("runs", 3, "runs of each command; the median is reported")
	sample := flag.Int("sample", 100, "pods of the per-pod kubectl events loop, scaled to all pods")
	plugin := flag.String("plugin", "bin/kubectl-spark_eci", "the plugin binary")
	startupRuns := flag.Int("startup-runs", 40, "runs of each command in the start-up comparison")
	flag.Parse()
	if err := startup(*plugin, *startupRuns); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if err := run(*executors, *eventsPerPod, *runs, *sample, *plugin); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(executors, eventsPerPod, runs, sample int, plugin string) error {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		return fmt.Errorf("KUBEBUILDER_ASSETS is not set (make bench sets it from hack/testbin.sh)")
	}
	env := &envtest.Environment{BinaryAssetsDirectory: assets}
	cfg, err := env.Start()
	if err != nil {
		return fmt.Errorf("start the control plane: %w", err)
	}
	defer func() { _ = env.Stop() }()
	user, err := env.AddUser(envtest.User{Name: "bench", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return err
	}
	kubeconfigData, err := user.KubeConfig()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "spark-eci-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	kubeconfig := filepath.Join(tmp, "kubeconfig")
	if err := os.WriteFile(kubeconfig, kubeconfigData, 0o600); err != nil {
		return err
	}

	cfg.QPS, cfg.Burst = 2000, 4000
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ns := "bench"
	fmt.Printf("seeding %d pods and %d events ...\n", executors+1, (executors+1)*eventsPerPod)
	start := time.Now()
	pods, err := seed(context.Background(), client, ns, executors, eventsPerPod)
	if err != nil {
		return err
	}
	fmt.Printf("seeded in %s\n\n", time.Since(start).Round(time.Second))

	common := []string{"--kubeconfig", kubeconfig, "-n", ns, "--cache-dir", filepath.Join(tmp, "cache")}
	report := measure(runs, plugin, append([]string{"cache-report", "app/bench", "--wait=false", "-o", "json"}, common...)...)
	getEvents := measure(runs, "kubectl", append([]string{"get", "events", "-o", "json"}, common...)...)

	sampled := pods[:min(sample, len(pods))]
	loopStart := time.Now()
	for _, pod := range sampled {
		if r := measure(1, "kubectl", append([]string{"events", "--for", "pod/" + pod}, common...)...); r.err != nil {
			return r.err
		}
	}
	loop := time.Duration(float64(time.Since(loopStart)) * float64(len(pods)) / float64(len(sampled)))
	for _, r := range []result{report, getEvents} {
		if r.err != nil {
			return r.err
		}
	}
	requests, err := countRequests(plugin, append([]string{"cache-report", "app/bench", "--wait=false", "-o", "json", "-v=6"}, common...)...)
	if err != nil {
		return err
	}

	latencies, err := watchLatency(context.Background(), client, plugin, common, 50)
	if err != nil {
		return err
	}

	fmt.Printf("%-52s %10s %12s\n", "command", "wall", "peak memory")
	fmt.Printf("%-52s %10s %9.1f MiB\n", "kubectl spark-eci cache-report app/bench -o json", report.wall.Round(time.Millisecond), report.maxRSSMiB)
	fmt.Printf("%-52s %10s %9.1f MiB\n", "kubectl get events -o json", getEvents.wall.Round(time.Millisecond), getEvents.maxRSSMiB)
	fmt.Printf("%-52s %10s %12s\n", fmt.Sprintf("kubectl events --for pod/... (%d pods, scaled)", len(sampled)), loop.Round(time.Second), "-")
	fmt.Println()
	fmt.Printf("cache-report / get events wall:   %.2fx  (target <= 1.3x)\n", float64(report.wall)/float64(getEvents.wall))
	fmt.Printf("per-pod loop / cache-report wall: %.1fx  (target >= 20x)\n", float64(loop)/float64(report.wall))
	fmt.Printf("cache-report peak memory:         %.1f MiB  (target <= 150 MiB)\n", report.maxRSSMiB)
	fmt.Printf("cache-report API requests:        %d for %d pods and %d events\n", requests, len(pods), len(pods)*eventsPerPod)
	fmt.Printf("cache-report --watch latency:     p50 %s, p95 %s over %d pods, event posted to row printed  (target p95 <= 200ms)\n",
		latencies[len(latencies)/2].Round(time.Millisecond), latencies[len(latencies)*95/100].Round(time.Millisecond), len(latencies))
	return nil
}

// seed creates the application's pods, bound to an ECS node (the driver) and
// an ECI virtual node (the executors), and the events the kubelet and ECI post.
func seed(ctx context.Context, client kubernetes.Interface, ns string, executors, eventsPerPod int) ([]string, error) {
	if _, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return nil, err
	}
	names := []string{"bench-driver"}
	for i := 1; i <= executors; i++ {
		names = append(names, fmt.Sprintf("bench-8f2a-exec-%d", i))
	}
	work := make(chan int)
	errs := make(chan error, 16)
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if err := seedPod(ctx, client, ns, names[i], i, eventsPerPod); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range names {
		select {
		case work <- i:
		case err := <-errs:
			close(work)
			return nil, err
		}
	}
	close(work)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return names, nil
}

func seedPod(ctx context.Context, client kubernetes.Interface, ns, name string, i, eventsPerPod int) error {
	role, node := "executor", "virtual-kubelet-cn-hangzhou-i"
	if i == 0 {
		role, node = "driver", "cn-hangzhou.192.168.0.10"
	}
	pod, err := client.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			"sparkoperator.k8s.io/app-name": "bench", "sparkoperator.k8s.io/launched-by-spark-operator": "true", "spark-role": role,
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
		{"default-scheduler", "Scheduled", "Successfully assigned " + ns + "/" + name + " to " + node},
	}
	if i%3 == 0 {
		messages[0] = [3]string{"EciService", "SuccessfulHitImageCache", "[eci.imagecache]Successfully hit image cache imc-2zebench, eci will be scheduled with this image cache."}
		messages[2] = [3]string{"kubelet", "Pulled", `Container image "` + image + `" already present on machine`}
	}
	for k := 0; k < eventsPerPod; k++ {
		m := messages[k%len(messages)]
		_, err := client.CoreV1().Events(ns).Create(ctx, &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{GenerateName: name + ".", Namespace: ns},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: ns, Name: name, UID: pod.UID, FieldPath: "spec.containers{spark-kubernetes-" + role + "}"},
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

// watchLatency runs cache-report --watch on a new application and, pod by
// pod, measures the time from posting the event that completes its pulls to
// its row on the plugin's stdout. The latencies come back sorted.
func watchLatency(ctx context.Context, client kubernetes.Interface, plugin string, common []string, pods int) ([]time.Duration, error) {
	ns := "bench"
	c := exec.Command(plugin, append([]string{"cache-report", "app/latency", "--watch", "--timeout=10m", "--no-headers"}, common...)...)
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

type result struct {
	wall      time.Duration
	maxRSSMiB float64
	err       error
}

// measure runs a command runs times and returns the median wall time and the
// largest peak resident memory.
func measure(runs int, name string, args ...string) result {
	var walls []time.Duration
	var peak float64
	for i := 0; i < runs; i++ {
		c := exec.Command(name, args...)
		c.Stdout = io.Discard
		var stderr bytes.Buffer
		c.Stderr = &stderr
		start := time.Now()
		if err := c.Run(); err != nil {
			return result{err: fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, stderr.String())}
		}
		walls = append(walls, time.Since(start))
		if usage, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = max(peak, float64(usage.Maxrss)/1024) // KiB on Linux
		}
	}
	slices.Sort(walls)
	return result{wall: walls[len(walls)/2], maxRSSMiB: peak}
}

var requestLine = regexp.MustCompile(`(?m)"Response" verb="GET"|\] GET https://`)

// countRequests runs the plugin with client-go's request log and counts the
// API requests it made.
func countRequests(name string, args ...string) (int, error) {
	c := exec.Command(name, args...)
	c.Stdout = io.Discard
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Run(); err != nil {
		return 0, fmt.Errorf("%s: %v", name, err)
	}
	return len(requestLine.FindAllIndex(stderr.Bytes(), -1)), nil
}
