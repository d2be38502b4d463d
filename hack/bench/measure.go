package main

import (
	"bytes"
	"fmt"
	"io"
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
