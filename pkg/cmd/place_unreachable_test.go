package cmd

import (
	"net"
	"strings"
	"testing"
)

// A server that accepts connections and never answers: only the request
// timeout can end the wait.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() { <-done; conn.Close() }()
		}
	}()
	return l.Addr().String()
}

func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestPlaceUnreachableServer(t *testing.T) {
	for _, tc := range []struct {
		name, addr string
		extra      []string
		want       string
	}{
		{"connection refused", closedPort(t), nil, "connection refused"},
		{"no answer within --request-timeout", silentServer(t), []string{"--request-timeout=1s"}, "cannot reach the API server at https://"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"place", "spark-pi", "--preset=eci-only", "--server", "https://" + tc.addr,
				"--insecure-skip-tls-verify", "--cache-dir", t.TempDir()}, tc.extra...)
			stdout, stderr, code := run(t, args...)
			if code == 0 || stdout != "" {
				t.Fatalf("exit %d, stdout %q", code, stdout)
			}
			if !strings.HasPrefix(stderr, "error: cannot reach the API server at https://"+tc.addr) ||
				strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr = %q, want one line saying the server cannot be reached (%s)", stderr, tc.want)
			}
		})
	}
}
