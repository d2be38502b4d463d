package placer

import (
	"context"
	"errors"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
)

var errConflict = apierrors.NewConflict(schema.GroupResource{Resource: "sparkapplications"}, "spark-pi", errors.New("the object has been modified"))

func TestOnConflict(t *testing.T) {
	saved := ConflictBackoff
	t.Cleanup(func() { ConflictBackoff = saved })
	ConflictBackoff = wait.Backoff{Steps: 4, Duration: time.Millisecond}

	writes := 0
	err := onConflict(context.Background(), func() error {
		if writes++; writes < 3 {
			return errConflict
		}
		return nil
	})
	if err != nil || writes != 3 {
		t.Errorf("two conflicts, then a write: %v after %d writes", err, writes)
	}

	writes = 0
	err = onConflict(context.Background(), func() error { writes++; return errConflict })
	if !apierrors.IsConflict(err) || writes != 4 {
		t.Errorf("always a conflict: %v after %d writes, want the conflict after 4", err, writes)
	}

	writes = 0
	boom := errors.New("forbidden")
	if err := onConflict(context.Background(), func() error { writes++; return boom }); err != boom || writes != 1 {
		t.Errorf("another error: %v after %d writes, want it at once", err, writes)
	}
}

// An interruption during the back-off ends it at once, not after the
// back-off's sleep.
func TestOnConflictInterrupted(t *testing.T) {
	saved := ConflictBackoff
	t.Cleanup(func() { ConflictBackoff = saved })
	ConflictBackoff = wait.Backoff{Steps: 5, Duration: time.Hour}

	ctx, cancel := context.WithCancel(context.Background())
	writes := 0
	done := make(chan error, 1)
	go func() {
		done <- onConflict(ctx, func() error {
			writes++
			cancel() // interrupted while the conflict is answered
			return errConflict
		})
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || writes != 1 {
			t.Errorf("interrupted: %v after %d writes, want context.Canceled after 1", err, writes)
		}
	case <-time.After(time.Minute):
		t.Fatal("the back-off was waited out")
	}
}
