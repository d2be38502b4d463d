package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
	"unsafe"

	"k8s.io/apimachinery/pkg/util/wait"
)

// cpuNow is the CPU time a running child has used so far, from its rusage,
// as the kernel gives it to the parent when the child stops: the child is
// stopped (SIGSTOP) for as long as that takes, a millisecond or so, and
// continued. ended is closed when the child has ended.
func cpuNow(ctx context.Context, p *os.Process, ended <-chan struct{}) (time.Duration, error) {
	if err := p.Signal(syscall.SIGSTOP); err != nil {
		return 0, fmt.Errorf("read the CPU time of process %d: %w", p.Pid, err)
	}
	defer func() { _ = p.Signal(syscall.SIGCONT) }() // an error when it has ended: nothing to continue
	var ru syscall.Rusage
	err := wait.PollUntilContextTimeout(ctx, time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		stopped, err := waitStopped(p.Pid, &ru)
		if err != nil || stopped {
			return stopped, err
		}
		select {
		case <-ended:
			return false, errors.New("it ended")
		default:
			return false, nil
		}
	})
	if err != nil {
		return 0, fmt.Errorf("read the CPU time of process %d: %w", p.Pid, err)
	}
	return cpuOf(&ru), nil
}

// waitStopped is waitid(P_PID, pid, WSTOPPED|WNOHANG): whether the child
// has stopped, and then its rusage. Stops only: a child that ended is left
// to its own Wait.
func waitStopped(pid int, ru *syscall.Rusage) (bool, error) {
	const pPID = 1
	var info [128]byte // siginfo_t, whose first field, si_signo, is SIGCHLD when a child was found, 0 when not
	_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid), uintptr(unsafe.Pointer(&info[0])),
		syscall.WSTOPPED|syscall.WNOHANG, uintptr(unsafe.Pointer(ru)), 0)
	if errno != 0 {
		return false, errno
	}
	return syscall.Signal(binary.NativeEndian.Uint32(info[:4])) == syscall.SIGCHLD, nil
}
