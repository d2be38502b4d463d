package main

import (
	"context"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// cpuNow reads a running child's CPU time, leaves it running, and reads no
// more than its rusage at its end; once it has ended, it says so.
func TestCPUNow(t *testing.T) {
	ctx := context.Background()
	c := exec.Command("sleep", "0.3")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{})
	waited := make(chan error, 1)
	go func() {
		waited <- c.Wait()
		close(ended)
	}()
	first, err := cpuNow(ctx, c.Process, ended)
	if err != nil {
		t.Fatal(err)
	}
	second, err := cpuNow(ctx, c.Process, ended)
	if err != nil {
		t.Fatal(err)
	}
	if second < first {
		t.Errorf("CPU time went back: %v, then %v", first, second)
	}
	select {
	case err := <-waited:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		_ = c.Process.Kill()
		t.Fatal("the child was left stopped")
	}
	if exit := cpuOf(c.ProcessState.SysUsage().(*syscall.Rusage)); second > exit {
		t.Errorf("CPU time while running %v, more than at the end %v", second, exit)
	}
	if _, err := cpuNow(ctx, c.Process, ended); err == nil {
		t.Error("read the CPU time of a child that ended")
	}
}
