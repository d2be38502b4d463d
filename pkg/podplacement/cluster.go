package podplacement

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// Cluster is what status knows of the applications it shows: each
// application, what it keeps of each of their pods (a record, not the pod),
// the latest FailedScheduling event of each pod, and the nodes. Callers fill
// it from their lists, a page at a time, and keep it as the cluster
// changes; Build makes the status of one application from it.
type Cluster struct {
	// Failed keeps each pod's latest FailedScheduling event.
	Failed FailedScheduling
	// Nodes are the nodes pods are placed on and could be.
	Nodes *Nodes
	// AllSubmissions shows the pods of every submission of an application,
	// not only those of its current one.
	AllSubmissions bool

	apps  map[string]*unstructured.Unstructured // by sparkapp.Key
	order []string                              // apps in the order shown
	pods  map[string][]record                   // by the key of their application
	owner map[types.UID]podAt                   // where each pod is kept
}

// podAt is where a pod is kept: its application, and its index among that
// application's pods.
type podAt struct {
	app   string
	index int
}

// NewCluster returns a cluster with no applications yet.
func NewCluster(nodes *Nodes, allSubmissions bool) *Cluster {
	return &Cluster{
		Failed: FailedScheduling{}, Nodes: nodes, AllSubmissions: allSubmissions,
		apps: map[string]*unstructured.Unstructured{}, pods: map[string][]record{}, owner: map[types.UID]podAt{},
	}
}

// PutApp keeps an application (or a SparkConnect) as it is now: a new one is
// shown after those put before. It returns the application's key (see
// sparkapp.Key).
func (c *Cluster) PutApp(app *unstructured.Unstructured) string {
	key := sparkapp.Key(app.GetKind(), app.GetNamespace(), app.GetName())
	if _, ok := c.apps[key]; !ok {
		c.order = append(c.order, key)
	}
	c.apps[key] = app
	return key
}

// DeleteApp forgets an application and its pods, and tells whether it was
// shown.
func (c *Cluster) DeleteApp(key string) bool {
	if c.apps[key] == nil {
		return false
	}
	for _, p := range c.pods[key] {
		delete(c.owner, p.row.UID)
	}
	delete(c.apps, key)
	delete(c.pods, key)
	for i, k := range c.order {
		if k == key {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	return true
}

// PutPod keeps a pod as it is now, or forgets it when deleted. It returns
// the key of the application it changed, "" when the pod is of no
// application shown or was deleted unseen.
func (c *Cluster) PutPod(pod *corev1.Pod, deleted bool) string {
	key := sparkapp.AppKey(pod)
	if c.apps[key] == nil {
		return ""
	}
	at, kept := c.owner[pod.UID]
	kept = kept && at.app == key
	pods := c.pods[key]
	switch {
	case deleted && kept:
		delete(c.owner, pod.UID)
		c.pods[key] = append(pods[:at.index], pods[at.index+1:]...)
		for i := at.index; i < len(c.pods[key]); i++ {
			c.owner[c.pods[key][i].row.UID] = podAt{key, i}
		}
	case deleted:
		return ""
	case kept:
		pods[at.index] = recordOf(pod)
	default:
		c.owner[pod.UID] = podAt{key, len(pods)}
		c.pods[key] = append(pods, recordOf(pod))
	}
	return key
}

// AppOf is the key of the application of a pod kept, "" for another pod.
func (c *Cluster) AppOf(pod types.UID) string { return c.owner[pod].app }

// Keys are the applications shown, in order.
func (c *Cluster) Keys() []string { return c.order }

// App is the application of key, nil when it is not shown.
func (c *Cluster) App(key string) *unstructured.Unstructured { return c.apps[key] }

// Submission is the id of the current submission of the application of
// key, "" before its pods name one.
func (c *Cluster) Submission(key string) string {
	return currentSubmissions(c.pods[key])[key]
}

// Build makes the status of the application of key (see the package
// function Build) from the pods of its current submission, or of all with
// AllSubmissions, and returns that submission's id too ("" before its pods
// name one).
func (c *Cluster) Build(key string) (Application, []string, string) {
	if c.apps[key] == nil {
		return Application{}, nil, ""
	}
	pods := c.pods[key]
	current := currentSubmissions(pods)
	if !c.AllSubmissions {
		kept := make([]record, 0, len(pods))
		for _, p := range pods {
			if current.HasSubmission(p.submission) {
				kept = append(kept, p)
			}
		}
		pods = kept
	}
	a, warnings := build(c.apps[key].Object, pods, c.Failed, c.Nodes)
	return a, warnings, current[key]
}

func currentSubmissions(pods []record) sparkapp.Submissions {
	return sparkapp.CurrentSubmissionsOf(func(yield func(sparkapp.PodSubmission) bool) {
		for i := range pods {
			if !yield(pods[i].submission) {
				return
			}
		}
	})
}
