package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// startup compares the plugin's start-up and size with kubectl's on this
// machine: `kubectl-spark_eci version` against `kubectl version --client`,
// run in turns so that both see the same load, and the binaries' sizes.
func startup(plugin string, runs int) error {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		return fmt.Errorf("kubectl not found: %w", err)
	}
	// kubectl is often a symlink (to a distribution's copy): measure the file.
	if kubectl, err = filepath.EvalSymlinks(kubectl); err != nil {
		return err
	}
	var pluginWalls, kubectlWalls []time.Duration
	for i := 0; i < runs; i++ {
		got, err := measureOnce(plugin, "version")
		if err != nil {
			return err
		}
		pluginWalls = append(pluginWalls, got.wall)
		if got, err = measureOnce(kubectl, "version", "--client"); err != nil {
			return err
		}
		kubectlWalls = append(kubectlWalls, got.wall)
	}
	p, k := median(pluginWalls), median(kubectlWalls)

	pluginInfo, err := os.Stat(plugin)
	if err != nil {
		return err
	}
	kubectlInfo, err := os.Stat(kubectl)
	if err != nil {
		return err
	}
	ps, ks := float64(pluginInfo.Size())/(1<<20), float64(kubectlInfo.Size())/(1<<20)

	fmt.Printf("start-up, median of %d runs in turns:\n", runs)
	fmt.Printf("  kubectl-spark_eci version       %8s\n", p.Round(100*time.Microsecond))
	fmt.Printf("  kubectl version --client        %8s  (%s)\n", k.Round(100*time.Microsecond), kubectl)
	fmt.Printf("  ratio                           %8.2fx  (target <= 0.4x)\n", float64(p)/float64(k))
	fmt.Printf("binary size:\n")
	fmt.Printf("  kubectl-spark_eci               %6.1f MiB\n", ps)
	fmt.Printf("  kubectl                         %6.1f MiB\n", ks)
	fmt.Printf("  ratio                           %8.2fx  (target <= 0.6x)\n\n", ps/ks)
	return nil
}
