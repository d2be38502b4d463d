package cmd

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
)

// A request sent without a context of its own ends when the command's does:
// the command is interrupted once the server holds the request, and the
// request, which the server never answers, ends.
func TestRequestsEndWithTheCommand(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done() // never answers
	}))
	defer srv.Close()

	flags := genericclioptions.NewConfigFlags(false)
	ctx, cancel := context.WithCancel(context.Background())
	endRequestsWith(flags, func() context.Context { return ctx })
	config := flags.WrapConfigFn(&rest.Config{Host: srv.URL})
	client, err := rest.HTTPClientFor(config)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodGet, srv.URL, nil) // context.Background
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	select {
	case <-arrived:
	case err := <-done:
		t.Fatalf("the request ended before it reached the server: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the request did not end with the command's context")
	}
}
