package follow

import (
	"context"
	"sync"

	"k8s.io/apimachinery/pkg/watch"
)

// Group follows resources that end together. Stop ends them all and returns
// once none of them runs, so that nothing of theirs (a reflector's last log
// line at -v=6) comes after the last word of the command that followed them.
type Group struct {
	ctx     context.Context
	cancel  context.CancelFunc
	running sync.WaitGroup
}

// NewGroup starts a group whose followers end with ctx, or on Stop.
func NewGroup(ctx context.Context) *Group {
	ctx, cancel := context.WithCancel(ctx)
	return &Group{ctx: ctx, cancel: cancel}
}

// Context ends when the group does.
func (g *Group) Context() context.Context { return g.ctx }

// Start is the package's Start, in the group.
func (g *Group) Start(src Source) (<-chan watch.Event, <-chan error) {
	return start(g.ctx, src, &g.running)
}

// Stream is the package's Stream, in the group.
func (g *Group) Stream(src Source) (<-chan watch.Event, <-chan error) {
	return stream(g.ctx, src, &g.running)
}

// Go runs fn in the group: fn returns once the group's context ends.
func (g *Group) Go(fn func(ctx context.Context)) {
	goCounted(&g.running, func() { fn(g.ctx) })
}

// Stop ends the group's followers and waits until none runs.
func (g *Group) Stop() {
	g.cancel()
	g.running.Wait()
}

// goCounted runs fn on a goroutine of its own, counted in running when given.
func goCounted(running *sync.WaitGroup, fn func()) {
	if running == nil {
		go fn()
		return
	}
	running.Add(1)
	go func() {
		defer running.Done()
		fn()
	}()
}
