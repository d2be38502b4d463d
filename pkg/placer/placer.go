// Package placer is what placing a Spark application means, written once for
// every command that places one (place, resource-policy --place, image-cache
// create --place), as kubectl keeps what draining means in drain.Helper: the
// placement of an object, what the operator does with the change, the
// refusal of a change that restarts an active application, and the write,
// guarded by the resourceVersion it was computed from and planned again when
// someone else wrote first.
//
// It knows no flags and builds no clients: commands give it the request, the
// operator they found, and where to read and write the objects.
package placer

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// Placer places Spark applications (SparkApplications,
// ScheduledSparkApplications, SparkConnects).
type Placer struct {
	// Request is the placement to make.
	Request placement.Request
	// Operator is what is known of the cluster's Spark operator: it decides
	// what a change does to a running application.
	Operator sparkapp.Operator
	// Restart lets a change restart an active application.
	Restart bool
	// GatesFlag is the flag that tells the operator's feature gates when
	// its Deployment cannot be read; the refusal names it.
	GatesFlag string
}

// Plan is what placing one object does.
type Plan struct {
	// Before is the object as read.
	Before *unstructured.Unstructured
	// Result is the object placed, and what changed.
	Result *placement.Result
	// Change is what the operator does with the change.
	Change sparkapp.SpecChange
}

// Plan works out what placing obj does. An error says why the object
// cannot take the request, prefixed with its name.
func (p *Placer) Plan(obj *unstructured.Unstructured) (*Plan, error) {
	result, err := placement.Apply(obj.Object, p.Request)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", obj.GetName(), err)
	}
	return &Plan{
		Before: obj,
		Result: result,
		Change: p.Operator.OnChange(obj.GetKind(), sparkapp.StateOf(obj.Object), obj.Object, result.Object),
	}, nil
}

// Refused tells whether the placer refuses a plan: it changes an
// application the operator would restart, and Restart was not given.
func (p *Placer) Refused(plan *Plan) bool {
	return plan.Result.Changed && plan.Change.Disruptive && !p.Restart
}

// Refusal is the one error of the plans refused, nil when none is: each
// application named with what the operator would do, and, when the
// operator's feature gates are not known and the change is of the
// executors' placement alone (which the PartialRestart gate exempts), how to
// tell them.
func (p *Placer) Refusal(plans ...*Plan) error {
	var refused []string
	gatesHint := false
	for _, plan := range plans {
		if !p.Refused(plan) {
			continue
		}
		refused = append(refused, fmt.Sprintf("%s: %s", plan.Before.GetName(), plan.Change.Effect))
		gatesHint = gatesHint || p.Operator.From == "" && sparkapp.WebhookFieldsOnlyChange(plan.Before.Object, plan.Result.Object)
	}
	if len(refused) == 0 {
		return nil
	}
	what := "an active application"
	if len(refused) > 1 {
		what = "active applications"
	}
	hint := ""
	if gatesHint && p.GatesFlag != "" {
		hint = fmt.Sprintf(" (the Spark operator's controller Deployment could not be read: if it runs with --feature-gates=%[1]s=true, which exempts the executors' placement, say so with %[2]s=%[1]s=true)",
			sparkapp.FeatureGatePartialRestart, p.GatesFlag)
	}
	return fmt.Errorf("refusing to change %s without --restart (the Spark operator resubmits an application whose spec changes): %s%s",
		what, strings.Join(refused, "; "), hint)
}

// Objects is where the placer reads and writes the objects of one kind:
// cli-runtime's resource.Helper is one.
type Objects interface {
	Get(namespace, name string) (runtime.Object, error)
	Patch(namespace, name string, pt types.PatchType, data []byte, options *metav1.PatchOptions) (runtime.Object, error)
}

// Written is what a write did.
type Written struct {
	// Object is the object as written (or as it is, when the placement
	// found it placed already).
	Object *unstructured.Unstructured
	// Before is what the write was computed from: the object as read, or as
	// read again after a conflict.
	Before *unstructured.Unstructured
	// Result is the placement written.
	Result *placement.Result
	// Change is what the operator does with the change written.
	Change sparkapp.SpecChange
}

// ConflictBackoff bounds the writes again when others write the same
// object between the placer's read and its write.
var ConflictBackoff = wait.Backoff{Steps: 20, Duration: 10 * time.Millisecond, Factor: 1.4, Jitter: 0.5, Cap: time.Second}

// Write writes a plan as a JSON merge patch that carries the resourceVersion
// it was computed from, so that the API server rejects it if anyone else
// wrote the object in between; then it reads the object again, plans again
// (and refuses again: the other writer may have started the application)
// and writes again, a change of no one else lost.
func (p *Placer) Write(ctx context.Context, objects Objects, plan *Plan) (Written, error) {
	namespace, name := plan.Before.GetNamespace(), plan.Before.GetName()
	current := plan
	again := false
	var written *unstructured.Unstructured
	err := onConflict(ctx, func() error {
		if again {
			obj, err := objects.Get(namespace, name)
			if err != nil {
				return err
			}
			u, ok := obj.(*unstructured.Unstructured)
			if !ok {
				return fmt.Errorf("read %s: unexpected object %T", name, obj)
			}
			if current, err = p.Plan(u); err != nil {
				return err
			}
			if !current.Result.Changed {
				written = u
				return nil
			}
			if err := p.Refusal(current); err != nil {
				return err
			}
		}
		again = true
		data, err := mergePatch(current.Before, current.Result.Object)
		if err != nil {
			return err
		}
		obj, err := objects.Patch(namespace, name, types.MergePatchType, data, nil)
		if err != nil {
			return err
		}
		u, ok := obj.(*unstructured.Unstructured)
		if !ok {
			return fmt.Errorf("patch %s: unexpected object %T", name, obj)
		}
		written = u
		return nil
	})
	if apierrors.IsConflict(err) {
		return Written{}, fmt.Errorf("gave up after %d writes by others got in first: %w", ConflictBackoff.Steps, err)
	}
	if err != nil {
		return Written{}, err
	}
	before := current.Before
	change := p.Operator.OnChange(written.GetKind(), sparkapp.StateOf(before.Object), before.Object, written.Object)
	return Written{Object: written, Before: before, Result: current.Result, Change: change}, nil
}

// onConflict writes, and writes again while others got in first, backing off
// as ConflictBackoff says (client-go's retry.OnError, whose sleeps an
// interruption would wait out). It returns the last conflict when it gives
// up, and the context's error at once when the command is interrupted.
func onConflict(ctx context.Context, write func() error) error {
	var conflict error
	err := wait.ExponentialBackoffWithContext(ctx, ConflictBackoff, func(context.Context) (bool, error) {
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
