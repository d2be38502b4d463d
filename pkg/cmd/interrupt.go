package cmd

import (
	"context"
	"io"
	"net/http"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
)

// endRequestsWith makes every request of the clients built from
// configFlags end when the context ctx gives ends (Ctrl-C), also the
// requests of libraries that take no context (cli-runtime's resource
// builder and helper send theirs with context.TODO). A write cut short is
// not applied: the API server applies a request whole or not at all.
func endRequestsWith(configFlags *genericclioptions.ConfigFlags, ctx func() context.Context) {
	wrap := configFlags.WrapConfigFn
	configFlags.WrapConfigFn = func(c *rest.Config) *rest.Config {
		if wrap != nil {
			c = wrap(c)
		}
		c.Wrap(func(rt http.RoundTripper) http.RoundTripper { return &interruptible{ctx: ctx, next: rt} })
		return c
	}
}

type interruptible struct {
	ctx  func() context.Context
	next http.RoundTripper
}

func (i *interruptible) RoundTrip(req *http.Request) (*http.Response, error) {
	outer := i.ctx()
	if outer == nil || outer.Done() == nil {
		return i.next.RoundTrip(req)
	}
	ctx, cancel := context.WithCancel(req.Context())
	stop := context.AfterFunc(outer, cancel)
	end := func() { stop(); cancel() }
	resp, err := i.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		end()
		return nil, err
	}
	// The body is read after RoundTrip returns (a watch, for long): the
	// request ends with it.
	resp.Body = &endOnClose{ReadCloser: resp.Body, end: end}
	return resp, nil
}

type endOnClose struct {
	io.ReadCloser
	end func()
}

func (b *endOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.end()
	return err
}
