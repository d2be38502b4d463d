package cmd

import (
	"context"
	"fmt"

	"k8s.io/cli-runtime/pkg/resource"

	"github.com/spark-eci/kubectl-spark-eci/pkg/placer"
)

// write writes a plan through the placer, with the object's own client:
// the patch carries the resourceVersion it was computed from, and a conflict
// makes the placer read, plan and refuse again.
func (o *PlaceOptions) write(ctx context.Context, p *placePlan) (placer.Written, error) {
	helper := resource.NewHelper(p.info.Client, p.info.Mapping).
		DryRun(o.dryRun == dryRunServer).
		WithFieldManager(o.FieldManager)
	w, err := o.placer.Write(ctx, helper, p.Plan)
	if err != nil {
		return placer.Written{}, fmt.Errorf("place %s: %w", p.info.Name, o.explain(err))
	}
	return w, nil
}
