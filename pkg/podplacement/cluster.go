package podplacement

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// Cluster is what status knows of the applications it shows: each
// application, what it keeps of each of their pods (a record, not the pod),
// what status reads of each pod's events, and the nodes. Callers fill
// it from their lists, a page at a time, and keep it as the cluster
// changes; Build makes the status of one application from it.
type Cluster struct {
	// Events keeps what status reads of each pod's events.
	Events PodEvents
	// Admission is what is known of how the cluster admits Spark pods;
	// Caches of the ECI image caches the applications may pin.
	Admission Admission
	Caches    Caches
	// Nodes are the nodes pods are placed on and could be.
	Nodes *Nodes
	// AllSubmissions shows the pods of every submission of an application,
	// not only those of its current one.
	AllSubmissions bool

	apps        map[string]*unstructured.Unstructured // by sparkapp.Key
	order       []string                              // apps in the order shown
	pods        map[string]map[types.UID]*record      // by the key of their application
	owner       map[types.UID]string                  // the application of each pod kept
	submissions *sparkapp.SubmissionTracker
}

// NewCluster returns a cluster with no applications yet.
func NewCluster(nodes *Nodes, allSubmissions bool) *Cluster {
	return &Cluster{
		Events: NewPodEvents(), Nodes: nodes, AllSubmissions: allSubmissions,
		apps: map[string]*unstructured.Unstructured{}, pods: map[string]map[types.UID]*record{}, owner: map[types.UID]string{},
		submissions: sparkapp.NewSubmissionTracker(),
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
	for uid, p := range c.pods[key] {
		delete(c.owner, uid)
		c.submissions.Put(uid, p.submission, true)
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
// application shown or was deleted unseen. Its work is about the pod alone.
func (c *Cluster) PutPod(pod *corev1.Pod, deleted bool) string {
	key, _ := c.putPod(pod, deleted)
	return key
}

// putPod is PutPod that also tells whether the application's current
// submission changed.
func (c *Cluster) putPod(pod *corev1.Pod, deleted bool) (key string, resubmitted bool) {
	key = sparkapp.AppKey(pod)
	if was := c.owner[pod.UID]; was != "" && was != key {
		c.forget(was, pod.UID) // relabelled away from its application
	}
	if c.apps[key] == nil {
		return "", false
	}
	if deleted {
		if c.owner[pod.UID] == "" {
			return "", false
		}
		return key, c.forget(key, pod.UID)
	}
	r := recordOf(pod)
	if c.pods[key] == nil {
		c.pods[key] = map[types.UID]*record{}
	}
	c.pods[key][pod.UID] = &r
	c.owner[pod.UID] = key
	before, after := c.submissions.Put(pod.UID, r.submission, false)
	return key, before != after
}

// forget drops a pod of an application, and tells whether that changed the
// application's current submission.
func (c *Cluster) forget(key string, uid types.UID) (resubmitted bool) {
	r := c.pods[key][uid]
	delete(c.pods[key], uid)
	delete(c.owner, uid)
	c.Events.Forget(uid)
	if r == nil {
		return false
	}
	before, after := c.submissions.Put(uid, r.submission, true)
	return before != after
}

// shown tells whether a pod kept is shown: it is of its application's
// current submission, or every submission is shown.
func (c *Cluster) shown(r *record) bool {
	return c.AllSubmissions || c.submissions.Has(r.submission)
}

func (c *Cluster) known() known { return known{c.Events, c.Nodes, c.Admission, c.Caches} }

// AppOf is the key of the application of a pod kept, "" for another pod.
func (c *Cluster) AppOf(pod types.UID) string { return c.owner[pod] }

// Keys are the applications shown, in order.
func (c *Cluster) Keys() []string { return c.order }

// App is the application of key, nil when it is not shown.
func (c *Cluster) App(key string) *unstructured.Unstructured { return c.apps[key] }

// Submission is the id of the current submission of the application of
// key, "" before its pods name one.
func (c *Cluster) Submission(key string) string {
	return c.submissions.Current(key)
}

// Build makes the status of the application of key (see the package
// function Build) from the pods of its current submission, or of all with
// AllSubmissions, and returns that submission's id too ("" before its pods
// name one).
func (c *Cluster) Build(key string) (Application, []string, string) {
	if c.apps[key] == nil {
		return Application{}, nil, ""
	}
	pods := make([]record, 0, len(c.pods[key]))
	for _, r := range c.pods[key] {
		if c.shown(r) {
			pods = append(pods, *r)
		}
	}
	a, warnings := build(c.apps[key].Object, pods, c.known())
	return a, warnings, c.Submission(key)
}
