package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// usage is what one run of a command took: its wall time, from its start
// to its end, and its CPU time (user and system) and peak resident memory,
// from its rusage.
type usage struct {
	wall      time.Duration
	cpu       time.Duration
	maxRSSMiB float64
}

// cpuOf is the CPU time, user and system, of a process's rusage: the one
// source of CPU time in the bench, whether the kernel gives the rusage at a
// process's end (os.ProcessState) or while it runs (cpuNow).
func cpuOf(ru *syscall.Rusage) time.Duration {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs a command runs times and returns the medians of its wall
// and CPU times and the largest of its peaks of resident memory.
func measure(runs int, name string, args ...string) (usage, error) {
	var walls, cpus []time.Duration
	var peak float64
	for i := 0; i < runs; i++ {
		got, err := measureOnce(name, args...)
		if err != nil {
			return usage{}, err
		}
		walls, cpus, peak = append(walls, got.wall), append(cpus, got.cpu), max(peak, got.maxRSSMiB)
	}
	return usage{wall: median(walls), cpu: median(cpus), maxRSSMiB: peak}, nil
}

// measuredFlag makes the bench run a command and report its usage (see
// measureOnce).
const measuredFlag = "-measured"

// measureOnce runs a command once, its output discarded, and returns its
// usage: every command the bench times is timed here. It runs it through a
// small process of the bench's own (bench -measured NAME ARGS...), which
// times it and reports its usage. Not directly: Linux counts in a child's
// peak the memory of the process that started it (Go starts a child
// sharing its memory until the child's exec), and the bench holds far more
// than the plugin does.
func measureOnce(name string, args ...string) (usage, error) {
	self, err := os.Executable()
	if err != nil {
		return usage{}, err
	}
	report, w, err := os.Pipe()
	if err != nil {
		return usage{}, err
	}
	defer report.Close()
	c := exec.Command(self, append([]string{measuredFlag, name}, args...)...)
	c.Stdout = io.Discard
	var stderr bytes.Buffer
	c.Stderr = &stderr
	c.ExtraFiles = []*os.File{w}
	err = c.Start()
	w.Close()
	if err != nil {
		return usage{}, err
	}
	line, _ := io.ReadAll(report)
	if err := c.Wait(); err != nil {
		return usage{}, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	var wallNS, cpuNS, maxRSSKiB int64
	if _, err := fmt.Sscan(string(line), &wallNS, &cpuNS, &maxRSSKiB); err != nil {
		return usage{}, fmt.Errorf("%s: no usage reported: %q", name, line)
	}
	return usage{wall: time.Duration(wallNS), cpu: time.Duration(cpuNS), maxRSSMiB: float64(maxRSSKiB) / 1024}, nil
}

// runMeasured is bench -measured: it runs the command with the bench's
// output, writes its wall time (ns), CPU time (ns) and peak memory (KiB)
// to file descriptor 3, and exits as it exited.
func runMeasured(name string, args ...string) int {
	// The command does not inherit the report's pipe: the bench reads it
	// to its end, which would wait for the command's children too.
	syscall.CloseOnExec(3)
	c := exec.Command(name, args...)
	c.Stdout, c.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	err := c.Run()
	wall := time.Since(start)
	if c.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Fprintln(os.Stderr, "bench: no rusage of", name)
		return 1
	}
	// Maxrss is in KiB on Linux.
	fmt.Fprintf(os.NewFile(3, "report"), "%d %d %d\n", wall.Nanoseconds(), cpuOf(ru).Nanoseconds(), ru.Maxrss)
	return c.ProcessState.ExitCode()
}

var requestLine = regexp.MustCompile(`"Response" verb="([A-Z]+)" url="([^"]+)"|\] ([A-Z]+) (https://\S+)`)

// request is one API request: its verb and URL.
type request struct{ verb, url string }

// requests are the API requests of one run.
type requests []request

// count is how many requests have the verb and a URL that contains part.
func (r requests) count(verb, part string) (n int) {
	for _, q := range r {
		if q.verb == verb && strings.Contains(q.url, part) {
			n++
		}
	}
	return n
}

// countRequests runs the plugin with client-go's request log (give it -v=6)
// and returns the API requests it made.
func countRequests(name string, args ...string) (requests, error) {
	c := exec.Command(name, args...)
	c.Stdout = io.Discard
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Run(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	var made requests
	for _, m := range requestLine.FindAllSubmatch(stderr.Bytes(), -1) {
		made = append(made, request{verb: string(m[1]) + string(m[3]), url: string(m[2]) + string(m[4])})
	}
	return made, nil
}
