package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
)

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
		got := measureOnce(name, args...)
		if got.err != nil {
			return got
		}
		walls, peak = append(walls, got.wall), max(peak, got.maxRSSMiB)
	}
	slices.Sort(walls)
	return result{wall: walls[len(walls)/2], maxRSSMiB: peak}
}

// measuredFlag makes the bench run a command and report its wall time and
// peak memory (see measureOnce).
const measuredFlag = "-measured"

// measureOnce runs a command once through a small process of the bench's
// own (bench -measured NAME ARGS...), which reports the command's wall time
// and peak resident memory. Not directly: Linux counts in a child's peak
// the memory of the process that started it (Go starts a child sharing its
// memory until the child's exec), and the bench holds far more than the
// plugin does.
func measureOnce(name string, args ...string) result {
	self, err := os.Executable()
	if err != nil {
		return result{err: err}
	}
	report, w, err := os.Pipe()
	if err != nil {
		return result{err: err}
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
		return result{err: err}
	}
	line, _ := io.ReadAll(report)
	if err := c.Wait(); err != nil {
		return result{err: fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, stderr.String())}
	}
	var wallNS, maxRSSKiB int64
	if _, err := fmt.Sscan(string(line), &wallNS, &maxRSSKiB); err != nil {
		return result{err: fmt.Errorf("%s: no measure reported: %q", name, line)}
	}
	return result{wall: time.Duration(wallNS), maxRSSMiB: float64(maxRSSKiB) / 1024}
}

// runMeasured is bench -measured: it runs the command with the bench's
// output, writes its wall time (ns) and peak memory (KiB) to file
// descriptor 3, and exits as it exited.
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
	usage, _ := c.ProcessState.SysUsage().(*syscall.Rusage)
	var maxRSS int64
	if usage != nil {
		maxRSS = usage.Maxrss // KiB on Linux
	}
	fmt.Fprintf(os.NewFile(3, "report"), "%d %d\n", wall.Nanoseconds(), maxRSS)
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
