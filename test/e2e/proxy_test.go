//go:build e2e

package e2e

import (
	"io"
	"net"
	"net/url"
	"path/filepath"
	"sync"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
)

// cuttableProxy forwards TCP to the API server and can drop every open
// connection at once, as a network failure or a restarted server does.
type cuttableProxy struct {
	mu     sync.Mutex
	conns  []net.Conn
	paused bool // refuse new connections
}

// newCuttableProxy starts a proxy to the API server and returns it with a
// kubeconfig file (the admin's) that goes through it.
func newCuttableProxy(t *testing.T) (*cuttableProxy, string) {
	t.Helper()
	target, err := url.Parse(cluster.cfg.Host)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttableProxy{}
	t.Cleanup(func() { l.Close(); p.cut() })
	go func() {
		for {
			client, err := l.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			paused := p.paused
			p.mu.Unlock()
			if paused {
				client.Close()
				continue
			}
			server, err := net.Dial("tcp", target.Host)
			if err != nil {
				client.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, client, server)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(server, client); server.Close() }()
			go func() { _, _ = io.Copy(client, server); client.Close() }()
		}
	}()

	return p, kubeconfigTo(t, l.Addr().String())
}

// kubeconfigTo is the admin's kubeconfig with its clusters' server at
// address (host:port), written to a file of the test's.
func kubeconfigTo(t *testing.T, address string) string {
	t.Helper()
	config, err := clientcmd.LoadFromFile(cluster.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range config.Clusters {
		c.Server = "https://" + address
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*config, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// cut closes every connection open now.
func (p *cuttableProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// pause cuts every connection and refuses new ones until resume.
func (p *cuttableProxy) pause() {
	p.mu.Lock()
	p.paused = true
	p.mu.Unlock()
	p.cut()
}

func (p *cuttableProxy) resume() {
	p.mu.Lock()
	p.paused = false
	p.mu.Unlock()
}
