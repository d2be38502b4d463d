package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// A burst is what a watch sees when an application's executors come at
// once: the scheduler binding them all (status --watch), then each one's
// pull and container events (cache-report --watch), written as fast as the
// API server takes them. Each change is timed to the plugin printing its
// row from its write returning (the change is made) and from its write being
// sent (what the API server took is in it too), and the plugin's CPU is
// divided by the changes it was sent.
type burst struct {
	executors int
	writers   int
}

func (b burst) namespace() string { return fmt.Sprintf("bench-burst-%d", b.executors) }

func (b burst) app() app { return app{namespace: b.namespace(), name: "burst", pods: b.executors + 1} }

// seed creates the application, its driver (bound, pulled) and its
// executors, not yet bound.
func (b burst) seed(ctx context.Context, client kubernetes.Interface, dyn dynamic.Interface) error {
	if _, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: b.namespace()}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	a := b.app()
	if err := createApp(ctx, dyn, a); err != nil {
		return err
	}
	if err := seedPod(ctx, client, a, 0, 6); err != nil {
		return err
	}
	return inParallel(b.writers, b.executors, func(j int) error {
		_, err := client.CoreV1().Pods(a.namespace).Create(ctx, sparkPod(a, j+1, false), metav1.CreateOptions{})
		return err
	})
}

// burstResult is what one burst measured.
type burstResult struct {
	changes  int             // watch events the plugin was sent
	returned []time.Duration // write returned to row printed
	sent     []time.Duration // write sent to row printed
	cpu      time.Duration   // the plugin's, from the first write to the last row
}

func (r burstResult) cpuPerChange() time.Duration { return r.cpu / time.Duration(r.changes) }

// status binds every executor while status --watch follows the application;
// status ends by itself when every expected pod has a node.
func (b burst) status(ctx context.Context, client kubernetes.Interface, plugin string, common []string) (burstResult, error) {
	a := b.app()
	p, err := startWatch(plugin, append([]string{"status", a.name, "-n", a.namespace, "--watch", "--timeout=10m"}, common...)...)
	if err != nil {
		return burstResult{}, err
	}
	defer p.stop()
	executors := b.executorNames()
	if _, err := p.awaitRows(append([]string{a.name + "-driver"}, executors...), func([]string) bool { return true }); err != nil {
		return burstResult{}, fmt.Errorf("status --watch: %w", err)
	}
	before, err := p.settledCPU(ctx)
	if err != nil {
		return burstResult{}, err
	}
	sent, returned := newTimes(), newTimes()
	err = inParallel(b.writers, len(executors), func(j int) error {
		binding := &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: executors[j]}, Target: corev1.ObjectReference{Kind: "Node", Name: eciNode}}
		sent.set(executors[j])
		if err := client.CoreV1().Pods(a.namespace).Bind(ctx, binding, metav1.CreateOptions{}); err != nil {
			return err
		}
		returned.set(executors[j])
		return nil
	})
	if err != nil {
		return burstResult{}, err
	}
	// A row with a node: NAME ROLE PHASE NODE ...
	printed, err := p.awaitRows(executors, func(f []string) bool { return len(f) > 3 && f[3] != "-" })
	if err != nil {
		return burstResult{}, fmt.Errorf("status --watch: %w", err)
	}
	if err := p.wait(); err != nil {
		return burstResult{}, fmt.Errorf("status --watch did not end when every pod had a node: %w", err)
	}
	// status ends with the last pod's node: its CPU then, to the
	// microsecond (with its last print and its exit, a few milliseconds).
	after := p.exitCPU()
	return burstResult{
		changes:  len(executors),
		returned: since(returned, printed, executors),
		sent:     since(sent, printed, executors),
		cpu:      after - before,
	}, nil
}

// cacheReport posts each executor's events (scheduled, cache, pulling,
// pulled, created, started) while cache-report --watch follows the
// application; a pod's row comes with its Pulled event.
func (b burst) cacheReport(ctx context.Context, client kubernetes.Interface, plugin string, common []string) (burstResult, error) {
	a := b.app()
	p, err := startWatch(plugin, append([]string{"cache-report", "app/" + a.name, "-n", a.namespace, "--watch", "--timeout=10m", "--no-headers"}, common...)...)
	if err != nil {
		return burstResult{}, err
	}
	defer p.stop()
	if _, err := p.awaitRows([]string{a.name + "-driver"}, func([]string) bool { return true }); err != nil {
		return burstResult{}, fmt.Errorf("cache-report --watch: %w", err)
	}
	pods, err := client.CoreV1().Pods(a.namespace).List(ctx, metav1.ListOptions{LabelSelector: "spark-role=executor"})
	if err != nil {
		return burstResult{}, err
	}
	before, err := p.settledCPU(ctx)
	if err != nil {
		return burstResult{}, err
	}
	sent, returned := newTimes(), newTimes()
	order := []int{5, 0, 1, 2, 3, 4} // scheduled first
	err = inParallel(b.writers, len(pods.Items), func(j int) error {
		pod := &pods.Items[j]
		i, _ := strconv.Atoi(pod.Name[strings.LastIndexByte(pod.Name, '-')+1:])
		for _, k := range order {
			e := podEvent(pod, i, k)
			if e.Reason == "Pulled" {
				sent.set(pod.Name)
			}
			if _, err := client.CoreV1().Events(a.namespace).Create(ctx, e, metav1.CreateOptions{}); err != nil {
				return err
			}
			if e.Reason == "Pulled" {
				returned.set(pod.Name)
			}
		}
		return nil
	})
	if err != nil {
		return burstResult{}, err
	}
	executors := b.executorNames()
	printed, err := p.awaitRows(executors, func([]string) bool { return true })
	if err != nil {
		return burstResult{}, fmt.Errorf("cache-report --watch: %w", err)
	}
	// The created and started events, which come after a pod's row, are
	// changes too: the CPU is read once they are worked on.
	after, err := p.settledCPU(ctx)
	if err != nil {
		return burstResult{}, err
	}
	return burstResult{
		changes:  len(executors) * len(order),
		returned: since(returned, printed, executors),
		sent:     since(sent, printed, executors),
		cpu:      after - before,
	}, nil
}

func (b burst) executorNames() []string {
	names := make([]string, b.executors)
	for j := range names {
		names[j] = sparkPod(b.app(), j+1, false).Name
	}
	return names
}

// times are when something happened to each pod, first time only.
type times struct {
	mu sync.Mutex
	at map[string]time.Time
}

func newTimes() *times { return &times{at: map[string]time.Time{}} }

func (t *times) set(name string) { t.setAt(name, time.Now()) }

func (t *times) setAt(name string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.at[name]; !ok {
		t.at[name] = now
	}
}

func (t *times) get(name string) (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	at, ok := t.at[name]
	return at, ok
}

// since is, for each pod, the time from one thing to another (its write
// to its row); a row printed before its write returned counts as 0.
func since(from, to *times, names []string) []time.Duration {
	var d []time.Duration
	for _, name := range names {
		f, ok1 := from.get(name)
		t, ok2 := to.get(name)
		if ok1 && ok2 {
			d = append(d, max(0, t.Sub(f)))
		}
	}
	return d
}

// watchProcess is a plugin command that follows (--watch), its rows timed
// as they come.
type watchProcess struct {
	cmd  *exec.Cmd
	rows chan row
	done chan struct{} // closed when the process has ended; then err is its error
	err  error
}

// row is a line the plugin printed, split into fields, and when it came.
type row struct {
	fields []string
	at     time.Time
}

func startWatch(plugin string, args ...string) (*watchProcess, error) {
	c := exec.Command(plugin, args...)
	stdout, err := c.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c.Stderr = io.Discard
	if err := c.Start(); err != nil {
		return nil, err
	}
	p := &watchProcess{cmd: c, rows: make(chan row, 1<<16), done: make(chan struct{})}
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			if f := strings.Fields(scanner.Text()); len(f) > 0 {
				p.rows <- row{fields: f, at: time.Now()}
			}
		}
		close(p.rows)
		p.err = c.Wait()
		close(p.done)
	}()
	return p, nil
}

// awaitRows reads rows until each pod named has one that is complete, and
// returns when each came.
func (p *watchProcess) awaitRows(names []string, complete func([]string) bool) (*times, error) {
	waiting := make(map[string]bool, len(names))
	for _, n := range names {
		waiting[n] = true
	}
	printed := newTimes()
	timeout := time.After(5 * time.Minute)
	for len(waiting) > 0 {
		select {
		case r, ok := <-p.rows:
			if !ok {
				return nil, fmt.Errorf("ended with %d pods not printed", len(waiting))
			}
			if name := r.fields[0]; waiting[name] && complete(r.fields) {
				printed.setAt(name, r.at)
				delete(waiting, name)
			}
		case <-timeout:
			return nil, fmt.Errorf("%d pods not printed in 5 minutes", len(waiting))
		}
	}
	return printed, nil
}

// A watch has settled when its CPU time grew by less than settleIdle in
// settleWindow: 2% of a core, more than an idle Go process takes (the
// runtime returning memory to the system may take 1%), far less than one
// working on changes.
const (
	settleWindow = 500 * time.Millisecond
	settleIdle   = 10 * time.Millisecond
)

// settledCPU waits for the work at hand (the lists of the start and their
// garbage; changes still coming) to end, its CPU time read every
// settleWindow until it stops growing, and returns its CPU time then.
func (p *watchProcess) settledCPU(ctx context.Context) (time.Duration, error) {
	last, err := p.cpu(ctx)
	if err != nil {
		return 0, err
	}
	err = wait.PollUntilContextTimeout(ctx, settleWindow, 2*time.Minute, false, func(ctx context.Context) (bool, error) {
		now, err := p.cpu(ctx)
		if err != nil {
			return false, err
		}
		settled := now-last < settleIdle
		last = now
		return settled, nil
	})
	if err != nil {
		return 0, fmt.Errorf("wait for the plugin to settle: %w", err)
	}
	return last, nil
}

// cpu is the CPU time the process has used so far, from its rusage.
func (p *watchProcess) cpu(ctx context.Context) (time.Duration, error) {
	return cpuNow(ctx, p.cmd.Process, p.done)
}

// wait waits a minute at most for the process to end by itself.
func (p *watchProcess) wait() error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(time.Minute):
		return fmt.Errorf("still running a minute later")
	}
}

// exitCPU is the CPU time of a process that ended, from its rusage.
func (p *watchProcess) exitCPU() time.Duration {
	return cpuOf(p.cmd.ProcessState.SysUsage().(*syscall.Rusage))
}

// stop interrupts the process, as Ctrl-C does, and kills it if it has not
// ended a few seconds later.
func (p *watchProcess) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt) // an error when it has ended: nothing to stop
	go func() {
		for range p.rows { // what it prints as it ends
		}
	}()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// runBursts runs each burst size through status --watch, then
// cache-report --watch, and prints their figures.
func runBursts(ctx context.Context, client kubernetes.Interface, dyn dynamic.Interface, plugin string, common []string, writers int) error {
	fmt.Printf("\nwatches under a burst: every executor at once, %d writers; each pod's row timed from its write\n", writers)
	fmt.Printf("%-46s %8s %21s %21s %12s\n", "", "changes", "returned: p50   p95", "sent: p50   p95", "CPU a change")
	type measured struct {
		what string
		r    burstResult
	}
	var all [][2]measured
	for _, n := range burstSizes {
		b := burst{executors: n, writers: writers}
		if err := b.seed(ctx, client, dyn); err != nil {
			return fmt.Errorf("seed the burst of %d: %w", n, err)
		}
		st, err := b.status(ctx, client, plugin, common)
		if err != nil {
			return err
		}
		cr, err := b.cacheReport(ctx, client, plugin, common)
		if err != nil {
			return err
		}
		pair := [2]measured{
			{fmt.Sprintf("status --watch, %d executors bound", n), st},
			{fmt.Sprintf("cache-report --watch, %d executors pulling", n), cr},
		}
		for _, m := range pair {
			fmt.Printf("%-46s %8d %14s %6s %14s %6s %12s\n", m.what, m.r.changes,
				rowTime(m.r.returned, 50), rowTime(m.r.returned, 95),
				rowTime(m.r.sent, 50), rowTime(m.r.sent, 95), m.r.cpuPerChange().Round(time.Microsecond))
		}
		all = append(all, pair)
	}
	first, last := all[0], all[len(all)-1]
	fmt.Printf("CPU a change at %d executors against %d: status %.2fx, cache-report %.2fx (target: flat); row p95 target <= 100ms\n",
		burstSizes[len(burstSizes)-1], burstSizes[0],
		float64(last[0].r.cpuPerChange())/float64(first[0].r.cpuPerChange()),
		float64(last[1].r.cpuPerChange())/float64(first[1].r.cpuPerChange()))
	return nil
}

// rowTime is the p-th percentile of rows' times, to the millisecond; - when
// there are none.
func rowTime(ds []time.Duration, p int) string {
	if len(ds) == 0 {
		return "-"
	}
	return percentile(ds, p).Round(time.Millisecond).String()
}
