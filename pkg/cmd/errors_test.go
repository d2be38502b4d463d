package cmd

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// Formatting an error asks the server nothing: the namespace is read only
// where a command asks for it, with the command's context.
func TestExplainErrorAsksNothing(t *testing.T) {
	var requests atomic.Int32
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.NotFound(w, r) // every namespace is missing
	}))
	t.Cleanup(server.Close)
	flags := genericclioptions.NewConfigFlags(false)
	flags.APIServer = &server.URL
	ns := "sparks"
	flags.Namespace = &ns

	appGone := apierrors.NewNotFound(schema.GroupResource{Group: "sparkoperator.k8s.io", Resource: "sparkapplications"}, "spark-pi")
	if err := explainError(flags, appGone); err != appGone {
		t.Errorf("explainError(not found) = %v, want it unchanged", err)
	}
	nsGone := apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "sparks")
	if err := explainError(flags, nsGone); err == nil || err.Error() != `namespace "sparks" not found` {
		t.Errorf("explainError(namespace not found) = %v", err)
	}
	if n := requests.Load(); n != 0 {
		t.Fatalf("explainError made %d requests", n)
	}

	if err := notFoundIn(context.Background(), flags, ns, appGone); err == nil || err.Error() != `namespace "sparks" not found` {
		t.Errorf("notFoundIn = %v", err)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("notFoundIn made %d requests, want 1", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := notFoundIn(ctx, flags, ns, appGone); err != appGone {
		t.Errorf("notFoundIn, called off = %v, want the error as it was", err)
	}
}
