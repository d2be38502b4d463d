package cmd

import (
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
)

// The plugin's clients may send 50 requests a second, 300 at once: what
// kubectl allows its discovery client. client-go's default, 5 a second and
// 10 at once, would make place over 500 applications take 100 seconds of
// waiting on the client alone; the API server protects itself (API Priority
// and Fairness) and says so with 429s, which client-go retries.
const (
	clientQPS   = 50
	clientBurst = 300
)

// raiseRequestRate gives the clients built from configFlags the plugin's
// request rate, unless a caller set one of its own.
func raiseRequestRate(configFlags *genericclioptions.ConfigFlags) {
	wrap := configFlags.WrapConfigFn
	configFlags.WrapConfigFn = func(c *rest.Config) *rest.Config {
		if wrap != nil {
			c = wrap(c)
		}
		if c.QPS == 0 && c.Burst == 0 && c.RateLimiter == nil {
			c.QPS, c.Burst = clientQPS, clientBurst
		}
		return c
	}
}
