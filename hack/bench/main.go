// Command bench measures the plugin on a real API server, each command
// against its floor measured in the same run: one raw read, with the
// plugin's own client, of the objects the command must read. It also
// compares the plugin's start-up and size with kubectl's, and reads the
// same events with kubectl. It prints ratios, not verdicts on a machine's
// speed: run it with `make bench` (-scale=small, 2,001 pods) or
// `make bench-large` (50,000 pods, 300,000 events).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/spark-eci/kubectl-spark-eci/pkg/bulkread"
)

const image = "registry-cn-hangzhou.ack.aliyuncs.com/ack-demo/spark:3.5.2"

func main() {
	if len(os.Args) > 2 && os.Args[1] == measuredFlag {
		os.Exit(runMeasured(os.Args[2], os.Args[3:]...))
	}
	scaleName := flag.String("scale", "small", "how much to seed: small (2,001 pods, 12,006 events) or large (50,000 pods, 300,000 events)")
	runs := flag.Int("runs", 5, "runs of each command and of its floor, in turns; the medians are reported")
	plugin := flag.String("plugin", "bin/kubectl-spark_eci", "the plugin binary")
	startupRuns := flag.Int("startup-runs", 40, "runs of each command in the start-up comparison")
	writers := flag.Int("writers", 48, "parallel writers seeding the API server")
	serve := flag.Bool("serve", false, "seed, print the kubeconfig, and keep the API server up until interrupted, to measure by hand")
	only := flag.String("only", "", "run only these parts, comma-separated: "+strings.Join(allParts, ",")+" (default all)")
	flag.Parse()
	parts, err := partsOf(*only)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	s, ok := scales[*scaleName]
	if !ok {
		fmt.Fprintf(os.Stderr, "bench: unknown -scale %q: want small or large\n", *scaleName)
		os.Exit(2)
	}
	if !*serve && parts["startup"] {
		if err := startup(*plugin, *startupRuns); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
	}
	if err := run(s, *scaleName, *runs, *writers, *plugin, *serve, parts); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// The parts of a run, in the order they run.
var allParts = []string{"startup", "commands", "watch", "burst", "place", "events"}

func partsOf(only string) (map[string]bool, error) {
	parts := map[string]bool{}
	if only == "" {
		for _, p := range allParts {
			parts[p] = true
		}
		return parts, nil
	}
	for _, p := range strings.Split(only, ",") {
		if !slices.Contains(allParts, p) {
			return nil, fmt.Errorf("unknown part %q in -only: want some of %s", p, strings.Join(allParts, ","))
		}
		parts[p] = true
	}
	return parts, nil
}

func run(s scale, scaleName string, runs, writers int, plugin string, serve bool, parts map[string]bool) error {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		return fmt.Errorf("KUBEBUILDER_ASSETS is not set (make bench sets it from hack/testbin.sh)")
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(assets, "crds")},
	}
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

	cfg.QPS, cfg.Burst = 5000, 10000
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx := context.Background()
	if parts["commands"] || serve {
		fmt.Printf("scale %s: seeding %d Spark pods and %d events in %d namespace(s), %d applications, with %d writers ...\n",
			scaleName, s.pods(), s.events(), s.namespaces, len(s.applications()), writers)
		start := time.Now()
		if err := seed(ctx, client, dyn, s, writers); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		seeded := time.Since(start)
		objects := s.pods() + s.events() + len(s.applications())
		fmt.Printf("seeded %d objects in %s (%.0f a second)\n\n", objects, seeded.Round(time.Second), float64(objects)/seeded.Seconds())
	}
	if serve {
		fmt.Printf("serving: KUBECONFIG=%s; interrupt to stop\n", kubeconfig)
		interrupted := make(chan os.Signal, 1)
		signal.Notify(interrupted, os.Interrupt, syscall.SIGTERM)
		<-interrupted
		return nil
	}

	core, err := kubernetes.NewForConfig(bulkread.Protobuf(cfg))
	if err != nil {
		return err
	}
	r := readers{core: core, dyn: dyn}
	podEvents := "involvedObject.kind=Pod"
	common := []string{"--kubeconfig", kubeconfig, "--cache-dir", filepath.Join(tmp, "cache")}
	sparkPods := "sparkoperator.k8s.io/launched-by-spark-operator=true"
	commands := []benchCommand{
		{
			args:  []string{"cache-report", "app/" + bigApp, "-n", namespaceName(0), "--wait=false", "-o", "json"},
			floor: r.appReport(namespaceName(0), bigApp),
		},
		{
			args:  []string{"cache-report", "-A", "-l", sparkPods, "--wait=false", "-o", "json"},
			floor: floor{r.pods("", sparkPods), r.events("", podEvents), r.nodes(eciNodes)},
		},
		{
			args: []string{"timeline", "-A", "-o", "json"},
			floor: floor{r.nodes(""), r.pods("", "spark-role"), r.events("", podEvents),
				r.sparkApps(""), r.sparkConnects("")},
		},
		{
			args: []string{"status", "-A", "-o", "json"},
			floor: floor{r.sparkApps(""), r.sparkConnects(""), r.pods("", "spark-role"),
				r.events("", podEvents), r.nodes("")},
		},
	}
	if parts["commands"] {
		fmt.Printf("%-62s %9s %9s %7s %12s %9s\n", "command", "wall", "floor", "ratio", "peak memory", "requests")
		for _, c := range commands {
			if err := c.run(ctx, plugin, common, runs); err != nil {
				return err
			}
		}
		getEvents, err := measure(s.kubectlRuns, "kubectl", append([]string{"get", "events", "-A", "-o", "json"}, common...)...)
		if err != nil {
			return err
		}
		fmt.Printf("%-62s %9s %9s %7s %8.1f MiB %9s\n", "kubectl get events -A -o json (for comparison)", getEvents.wall.Round(time.Millisecond), "", "", getEvents.maxRSSMiB, "")
		fmt.Println("targets: wall <= 1.3x the floor, peak memory <= 150 MiB, requests O(pages)")
	}
	if parts["watch"] {
		latencies, err := watchLatency(ctx, client, plugin, common, 50)
		if err != nil {
			return err
		}
		fmt.Printf("\ncache-report --watch latency: p50 %s, p95 %s over %d pods, one at a time, event posted to row printed\n",
			percentile(latencies, 50).Round(time.Millisecond), percentile(latencies, 95).Round(time.Millisecond), len(latencies))
	}
	if parts["burst"] {
		if err := runBursts(ctx, client, dyn, plugin, common, writers); err != nil {
			return err
		}
	}
	if parts["place"] {
		if err := placeMany.seed(ctx, client, dyn); err != nil {
			return fmt.Errorf("seed the applications to place: %w", err)
		}
		if err := placeMany.run(ctx, dyn, plugin, common, runs); err != nil {
			return err
		}
	}
	if parts["events"] {
		if err := s.curve.run(ctx, client, dyn, r, plugin, common, runs, writers); err != nil {
			return err
		}
	}
	return nil
}

// benchCommand is a command of the plugin and the floor of what it reads.
type benchCommand struct {
	label string // what the line says; the command when empty
	args  []string
	floor floor
}

// run measures the command and its floor in turns, so that both see the
// same load of a shared machine, and prints the medians.
func (c benchCommand) run(ctx context.Context, plugin string, common []string, runs int) error {
	args := append(append([]string{}, c.args...), common...)
	var walls, floors []time.Duration
	var peak float64
	for i := 0; i < runs; i++ {
		got, err := measureOnce(plugin, args...)
		if err != nil {
			return err
		}
		walls, peak = append(walls, got.wall), max(peak, got.maxRSSMiB)
		floorWall, err := c.floor.read(ctx)
		if err != nil {
			return fmt.Errorf("floor of %s: %w", strings.Join(c.args, " "), err)
		}
		floors = append(floors, floorWall)
	}
	wall, floorWall := median(walls), median(floors)
	requests, err := countRequests(plugin, append(args, "-v=6")...)
	if err != nil {
		return err
	}
	label := c.label
	if label == "" {
		label = "kubectl spark-eci " + strings.Join(c.args, " ")
	}
	fmt.Printf("%-62s %9s %9s %6.2fx %8.1f MiB %9d\n", label,
		wall.Round(time.Millisecond), floorWall.Round(time.Millisecond), float64(wall)/float64(floorWall), peak, len(requests))
	return nil
}
