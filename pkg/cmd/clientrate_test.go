package cmd

import (
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"
)

func acceptedAtOnce(t *testing.T, config *rest.Config) int {
	t.Helper()
	config.GroupVersion = &schema.GroupVersion{Version: "v1"}
	config.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	client, err := rest.RESTClientFor(config)
	if err != nil {
		t.Fatal(err)
	}
	limiter := client.GetRateLimiter()
	accepted := 0
	for limiter.TryAccept() {
		accepted++
	}
	return accepted
}

// A bulk write (place over hundreds of applications) is not held back by
// client-go's default of 10 requests at once, 5 a second after.
func TestClientsSendThreeHundredRequestsAtOnce(t *testing.T) {
	flags := genericclioptions.NewConfigFlags(false)
	raiseRequestRate(flags)
	if got := acceptedAtOnce(t, flags.WrapConfigFn(&rest.Config{Host: "https://example.invalid"})); got < clientBurst {
		t.Errorf("the plugin's client accepts %d requests at once, want %d", got, clientBurst)
	}
	if got := acceptedAtOnce(t, &rest.Config{Host: "https://example.invalid"}); got >= clientBurst {
		t.Errorf("client-go's default client accepts %d requests at once: the test cannot tell the plugin's rate from it", got)
	}
}

// A rate set by the caller (a test, a library) is kept.
func TestClientRateSetByTheCallerIsKept(t *testing.T) {
	flags := genericclioptions.NewConfigFlags(false)
	raiseRequestRate(flags)
	limiter := flowcontrol.NewTokenBucketRateLimiter(1, 2)
	config := flags.WrapConfigFn(&rest.Config{Host: "https://example.invalid", RateLimiter: limiter})
	if config.RateLimiter != limiter || config.QPS != 0 {
		t.Errorf("rate limiter replaced: QPS %v", config.QPS)
	}
	config = flags.WrapConfigFn(&rest.Config{Host: "https://example.invalid", QPS: 7, Burst: 9})
	if config.QPS != 7 || config.Burst != 9 {
		t.Errorf("QPS %v, burst %d: want 7 and 9, as set", config.QPS, config.Burst)
	}
}
