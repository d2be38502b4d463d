package sparkapp

import (
	"iter"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Submissions maps each application, by namespace/name, to the id of its
// current submission: the one whose pods the application runs now, or ran
// last. An application the operator submits again (a spec change, a retry,
// a resume) gets a new id, which spark-submit puts on every pod of that
// submission (LabelSubmission) while the pods of the one before are deleted.
type Submissions map[string]string

// AppKey is the Key of the application (or SparkConnect) a pod belongs to,
// "" for a pod that names none.
func AppKey(pod *corev1.Pod) string {
	if name := pod.Labels[LabelAppName]; name != "" {
		return Key(KindSparkApplication, pod.Namespace, name)
	}
	if name := pod.Labels[LabelConnectName]; name != "" {
		return Key(KindSparkConnect, pod.Namespace, name)
	}
	return ""
}

// Key names an object of one of the Spark kinds, as the pods that belong to
// it name it: namespace/name; a SparkConnect or a ScheduledSparkApplication,
// which may share its name with an application, namespace/sparkconnect/name
// or namespace/scheduledsparkapplication/name.
func Key(kind, namespace, name string) string {
	if kind == KindSparkConnect || kind == KindScheduledSparkApplication {
		return namespace + "/" + strings.ToLower(kind) + "/" + name
	}
	return namespace + "/" + name
}

// ParseKey reads a Key back: the kind, namespace and name it names.
func ParseKey(key string) (kind, namespace, name string) {
	namespace, rest, _ := strings.Cut(key, "/")
	typ, name, typed := strings.Cut(rest, "/")
	switch {
	case !typed:
		return KindSparkApplication, namespace, rest
	case typ == strings.ToLower(KindSparkConnect):
		return KindSparkConnect, namespace, name
	}
	return KindScheduledSparkApplication, namespace, name
}

// RoleOf is the role of a Spark pod, told by its spark-role label: a
// SparkConnect's server is its driver; "" for a pod of no role.
func RoleOf(pod *corev1.Pod) Role {
	return RoleOfLabel(pod.Labels[LabelSparkRole])
}

// RoleOfLabel is RoleOf for the value of a spark-role label.
func RoleOfLabel(label string) Role {
	switch label {
	case string(Driver), RoleConnectServer:
		return Driver
	case string(Executor):
		return Executor
	}
	return ""
}

// PodSubmission is what of a pod tells its application's current
// submission: a few fields, kept for each pod by what follows many.
type PodSubmission struct {
	// App is the pod's AppKey; ID its submission label.
	App, ID string
	Name    string
	// Deleting and Driver rank the pod (see CurrentSubmissionsOf).
	Deleting, Driver bool
	Created          time.Time
}

// SubmissionOf reads what of pod tells its application's current submission.
func SubmissionOf(pod *corev1.Pod) PodSubmission {
	return PodSubmission{
		App: AppKey(pod), ID: pod.Labels[LabelSubmission], Name: pod.Name,
		Deleting: pod.DeletionTimestamp != nil, Driver: RoleOf(pod) == Driver,
		Created: pod.CreationTimestamp.Time,
	}
}

// CurrentSubmissionsOf reads each application's current submission from
// what its pods tell. It is the submission of the application's driver
// while one exists and is not being deleted: the operator deletes a driver
// before it submits the application again, and a new driver takes the old
// one's name, so there is at most one. Between two drivers (the old one
// deleted, the new one not yet created), it is the submission of the newest
// pod not being deleted, else of the newest pod. The pods tell sooner than
// the application's status.submissionID, which the operator writes only
// after spark-submit created the new driver, and they need no right to read
// the application.
func CurrentSubmissionsOf(pods iter.Seq[PodSubmission]) Submissions {
	best := map[string]PodSubmission{}
	for pod := range pods {
		if pod.App == "" || pod.ID == "" {
			continue
		}
		if b, ok := best[pod.App]; !ok || pod.Newer(b) {
			best[pod.App] = pod
		}
	}
	current := make(Submissions, len(best))
	for key, pod := range best {
		current[key] = pod.ID
	}
	return current
}

// HasSubmission tells whether a pod is of its application's current
// submission. A pod that names no application or no submission cannot be
// told apart, and is kept.
func (s Submissions) HasSubmission(pod PodSubmission) bool {
	current, ok := s[pod.App]
	return pod.ID == "" || !ok || pod.ID == current
}

// Newer tells whether p tells its application's current submission rather
// than o: a live driver, then the newest live pod, then the newest pod being
// deleted. Pods created in the same second are told apart by name.
func (p PodSubmission) Newer(o PodSubmission) bool {
	if rp, ro := p.rank(), o.rank(); rp != ro {
		return rp > ro
	}
	if !p.Created.Equal(o.Created) {
		return o.Created.Before(p.Created)
	}
	return p.Name > o.Name
}

func (p PodSubmission) rank() int {
	switch {
	case p.Deleting:
		return 0
	case p.Driver:
		return 2
	}
	return 1
}

// KeepCurrent keeps, in place and in order, the items (what a command keeps
// of each pod) of their application's current submission, as
// CurrentSubmissionsOf tells it from them all, and tells how many it left
// out.
func KeepCurrent[T any](items []T, submission func(*T) PodSubmission) (kept []T, left int) {
	current := CurrentSubmissionsOf(func(yield func(PodSubmission) bool) {
		for i := range items {
			if !yield(submission(&items[i])) {
				return
			}
		}
	})
	kept = items[:0]
	for i := range items {
		if current.HasSubmission(submission(&items[i])) {
			kept = append(kept, items[i])
		}
	}
	return kept, len(items) - len(kept)
}
