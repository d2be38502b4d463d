//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// completeThroughKubectl asks the real kubectl for the completions of
// "kubectl WORDS..." (the last word being the one completed), with the plugin
// and its completion helper on PATH, as a user's shell does on TAB. It returns
// the suggestions and cobra's directive line.
func completeThroughKubectl(t *testing.T, words ...string) (suggestions []string, directive string) {
	t.Helper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatalf("kubectl not found: %v", err)
	}
	helperDir, err := filepath.Abs(filepath.Join(repoRoot, "deploy", "completion"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, kubectl, append([]string{"__complete"}, words...)...)
	path := strings.Join([]string{pluginBinDir(t), helperDir, os.Getenv("PATH")}, string(os.PathListSeparator))
	// kubectl drops its own flags when completing a plugin, so the cluster
	// comes from KUBECONFIG.
	c.Env = append(environWithout("PATH", "HOME", "KUBECONFIG"),
		"PATH="+path, "HOME="+t.TempDir(), "KUBECONFIG="+cluster.kubeconfig)
	var out, errOut bytes.Buffer
	c.Stdout, c.Stderr = &out, &errOut
	if err := c.Run(); err != nil {
		t.Fatalf("kubectl __complete %s: %v\n%s", strings.Join(words, " "), err, &errOut)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[len(lines)-1], ":") {
		t.Fatalf("kubectl __complete %s: no directive line in %q", strings.Join(words, " "), out.String())
	}
	for _, l := range lines[:len(lines)-1] {
		// zsh and fish show descriptions after a tab; the name is before it.
		name, _, _ := strings.Cut(l, "\t")
		suggestions = append(suggestions, name)
	}
	return suggestions, lines[len(lines)-1]
}

func TestCompletionThroughKubectl(t *testing.T) {
	ns := newNamespace(t)
	for _, name := range []string{"spark-pi", "spark-sql", "other-job"} {
		createFromYAML(t, ns, strings.ReplaceAll(sparkPi, "name: spark-pi", "name: "+name))
	}
	createFromYAML(t, ns, sparkConnectManifest)
	ecs, _ := ensureNodes(t)
	sparkPod(t, ns, "spark-pi", "spark-pi-driver", "driver", ecs)

	t.Run("subcommands", func(t *testing.T) {
		got, _ := completeThroughKubectl(t, "spark-eci", "")
		for _, want := range []string{"place", "cache-report", "timeline", "version"} {
			if !slices.Contains(got, want) {
				t.Errorf("completions of %q: %v lack %q", "kubectl spark-eci ", got, want)
			}
		}
	})

	t.Run("application names from the cluster", func(t *testing.T) {
		got, directive := completeThroughKubectl(t, "spark-eci", "place", "-n", ns, "sp")
		if want := []string{"spark-pi", "spark-sql"}; !slices.Equal(got, want) {
			t.Errorf("kubectl spark-eci place -n NS sp<TAB> = %v, want %v", got, want)
		}
		if directive != ":4" {
			t.Errorf("directive %s, want :4 (no file completion)", directive)
		}
	})

	t.Run("typed names", func(t *testing.T) {
		got, _ := completeThroughKubectl(t, "spark-eci", "place", "-n", ns, "sparkapplication/o")
		if want := []string{"sparkapplication/other-job"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		for _, command := range []string{"place", "status", "cache-report", "timeline"} {
			got, _ = completeThroughKubectl(t, "spark-eci", command, "-n", ns, "sparkconnect/")
			if want := []string{"sparkconnect/spark-connect"}; !slices.Equal(got, want) {
				t.Errorf("%s sparkconnect/<TAB> = %v, want %v", command, got, want)
			}
		}
		got, _ = completeThroughKubectl(t, "spark-eci", "status", "-n", ns, "scheduledsparkapplication/")
		if len(got) != 0 {
			t.Errorf("status, which takes no ScheduledSparkApplication, offers %v", got)
		}
	})

	t.Run("one application for status", func(t *testing.T) {
		got, _ := completeThroughKubectl(t, "spark-eci", "status", "-n", ns, "spark-p")
		if want := []string{"spark-pi"}; !slices.Equal(got, want) {
			t.Errorf("status completions %v, want %v", got, want)
		}
		got, _ = completeThroughKubectl(t, "spark-eci", "status", "-n", ns, "spark-pi", "")
		if len(got) != 0 {
			t.Errorf("status takes one application, yet a second is offered: %v", got)
		}
	})

	t.Run("presets", func(t *testing.T) {
		got, _ := completeThroughKubectl(t, "spark-eci", "place", "spark-pi", "--preset", "")
		if want := []string{"ecs-only", "eci-only", "ecs-first", "driver-on-ecs"}; !slices.Equal(got, want) {
			t.Errorf("--preset completions %v, want %v", got, want)
		}
	})

	t.Run("pods and apps for cache-report and timeline", func(t *testing.T) {
		for _, command := range []string{"cache-report", "timeline"} {
			got, _ := completeThroughKubectl(t, "spark-eci", command, "-n", ns, "")
			for _, want := range []string{"spark-pi-driver", "app/spark-pi", "app/other-job"} {
				if !slices.Contains(got, want) {
					t.Errorf("%s completions %v lack %q", command, got, want)
				}
			}
			got, _ = completeThroughKubectl(t, "spark-eci", command, "-n", ns, "app/spark-s")
			if want := []string{"app/spark-sql"}; !slices.Equal(got, want) {
				t.Errorf("%s app/spark-s<TAB> = %v, want %v", command, got, want)
			}
		}
	})

	t.Run("applications and image caches for image-cache", func(t *testing.T) {
		got, _ := completeThroughKubectl(t, "spark-eci", "image-cache", "create", "-n", ns, "app/spark-p")
		if want := []string{"app/spark-pi"}; !slices.Equal(got, want) {
			t.Errorf("image-cache create app/spark-p<TAB> = %v, want %v", got, want)
		}
		got, _ = completeThroughKubectl(t, "spark-eci", "image-cache", "list", "-n", ns, "--for", "")
		if want := []string{"other-job", "spark-pi", "spark-sql"}; !slices.Equal(got, want) {
			t.Errorf("image-cache list --for <TAB> = %v, want %v (NAME alone names an application)", got, want)
		}
		got, _ = completeThroughKubectl(t, "spark-eci", "image-cache", "list", "-n", ns, "--for", "a")
		for _, want := range []string{"app/spark-pi", "app/other-job"} {
			if !slices.Contains(got, want) {
				t.Errorf("image-cache list --for completions %v lack %q", got, want)
			}
		}
		ensureImageCacheCRD(t)
		cache := &unstructured.Unstructured{Object: map[string]interface{}{
			"apiVersion": "eci.alibabacloud.com/v1", "kind": "ImageCache",
			"metadata": map[string]interface{}{"name": ns + "-cache"},
			"spec":     map[string]interface{}{"images": []interface{}{sparkImage}},
		}}
		if _, err := cluster.dyn.Resource(imageCacheGVR).Create(t.Context(), cache, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = cluster.dyn.Resource(imageCacheGVR).Delete(context.Background(), cache.GetName(), metav1.DeleteOptions{})
		})
		got, _ = completeThroughKubectl(t, "spark-eci", "image-cache", "delete", ns[:len(ns)-2])
		if want := []string{ns + "-cache"}; !slices.Equal(got, want) {
			t.Errorf("image-cache delete completions %v, want %v", got, want)
		}
	})

	t.Run("namespaces", func(t *testing.T) {
		got, _ := completeThroughKubectl(t, "spark-eci", "place", "-n", ns[:len(ns)-2])
		if !slices.Contains(got, ns) {
			t.Errorf("-n completions %v lack %q", got, ns)
		}
	})
}
