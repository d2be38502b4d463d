package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/cli-runtime/pkg/resource"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// conflictBackoff bounds the re-reads when others write the same object
// between our read and our write.
var conflictBackoff = wait.Backoff{Steps: 20, Duration: 10 * time.Millisecond, Factor: 1.4, Jitter: 0.5, Cap: time.Second}

// patch sends the placement as a JSON merge patch that carries the
// resourceVersion it was computed from, so the API server rejects it if anyone
// else wrote the object in between; then it reads the object again, places it
// again and retries. It returns the object as written, the object as it was
// just before (what the write was computed from) and the placement made.
func (o *PlaceOptions) patch(ctx context.Context, p *placePlan) (written, before *unstructured.Unstructured, result *placement.Result, err error) {
	helper := resource.NewHelper(p.info.Client, p.info.Mapping).
		DryRun(o.dryRun == dryRunServer).
		WithFieldManager(o.FieldManager)
	namespace, name := p.info.Namespace, p.info.Name

	current := p.before
	result = p.result
	reread := false
	err = onConflict(ctx, func() error {
		if reread {
			obj, err := helper.Get(namespace, name)
			if err != nil {
				return err
			}
			current = obj.(*unstructured.Unstructured)
			if result, err = placement.Apply(current.Object, o.request); err != nil {
				return err
			}
			if !result.Changed {
				written = current
				return nil
			}
			if change := o.operator.OnChange(current.GetKind(), sparkapp.StateOf(current.Object), current.Object, result.Object); change.Disruptive && !o.Restart {
				return fmt.Errorf("refusing to change an active application without --restart: %s", change.Effect)
			}
		}
		reread = true
		data, err := mergePatch(current, result.Object)
		if err != nil {
			return err
		}
		obj, err := helper.Patch(namespace, name, types.MergePatchType, data, nil)
		if err != nil {
			return err
		}
		written = obj.(*unstructured.Unstructured)
		return nil
	})
	if apierrors.IsConflict(err) {
		return nil, nil, nil, fmt.Errorf("place %s: gave up after %d writes by others got in first: %w", name, conflictBackoff.Steps, err)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("place %s: %w", name, o.explain(err))
	}
	return written, current, result, nil
}

// onConflict writes, and writes again while others got in first, backing off
// as conflictBackoff says (client-go's retry.OnError, whose sleeps an
// interruption would wait out). It returns the last conflict when it gives
// up, and the context's error at once when the command is interrupted.
func onConflict(ctx context.Context, write func() error) error {
	var conflict error
	err := wait.ExponentialBackoffWithContext(ctx, conflictBackoff, func(context.Context) (bool, error) {
		err := write()
		if apierrors.IsConflict(err) {
			conflict = err
			return false, nil
		}
		return err == nil, err
	})
	if ctx.Err() == nil && wait.Interrupted(err) && conflict != nil {
		return conflict // given up
	}
	return err
}

// mergePatch is the JSON merge patch from current to modified, made
// conditional on current's resourceVersion.
func mergePatch(current *unstructured.Unstructured, modified map[string]interface{}) ([]byte, error) {
	before, err := json.Marshal(current.Object)
	if err != nil {
		return nil, err
	}
	after, err := json.Marshal(modified)
	if err != nil {
		return nil, err
	}
	data, err := jsonpatch.CreateMergePatch(before, after)
	if err != nil {
		return nil, fmt.Errorf("compute patch: %w", err)
	}
	var patch map[string]interface{}
	if err := json.Unmarshal(data, &patch); err != nil {
		return nil, err
	}
	if err := unstructured.SetNestedField(patch, current.GetResourceVersion(), "metadata", "resourceVersion"); err != nil {
		return nil, err
	}
	return json.Marshal(patch)
}
