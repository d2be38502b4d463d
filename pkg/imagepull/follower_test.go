package imagepull

import (
	"fmt"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// ofSubmission makes p a pod of application app's submission id, created at
// second s.
func ofSubmission(p *corev1.Pod, app, id string, s float64) *corev1.Pod {
	p.Labels[sparkapp.LabelAppName] = app
	p.Labels[sparkapp.LabelSubmission] = id
	p.CreationTimestamp = metav1.NewTime(at(s))
	return p
}

func pulledEvent(p *corev1.Pod, s float64) *corev1.Event {
	e := kubelet("Pulled", present(sparkImage), s, p.Spec.Containers[0].Name, about(p.Namespace, p.Name, string(p.UID)))
	e.UID = types.UID("ev-" + p.Name)
	return &e
}

// The follower reports each pod once, as its pulls complete, in the order
// the pods came; a new submission of an application is told once, and from
// then on the report is about it.
func TestFollower(t *testing.T) {
	f := NewFollower(NewEventStoreOfAll(), isECI, false)
	driver := ofSubmission(pod("pi-driver", "driver", ecsNode), "pi", "one", 0)
	exec1 := ofSubmission(pod("pi-a-exec-1", "executor", eciNode), "pi", "one", 1)
	f.PutPod(driver, false)
	f.PutPod(exec1, false)
	if done, resubmitted := f.Completed(); len(done) != 0 || len(resubmitted) != 0 {
		t.Fatalf("before any pull: %v, %v", names(done), resubmitted)
	}

	f.PutEvent(pulledEvent(exec1, 5))
	f.PutEvent(pulledEvent(driver, 6))
	if done, _ := f.Completed(); !slices.Equal(names(done), []string{"pi-driver", "pi-a-exec-1"}) {
		t.Errorf("completed %v, want both, in the order the pods came", names(done))
	}
	if done, _ := f.Completed(); len(done) != 0 {
		t.Errorf("reported again: %v", names(done))
	}
	if f.PutEvent(&corev1.Event{Reason: "Killing", Message: "Stopping container spark-kubernetes-driver", InvolvedObject: corev1.ObjectReference{UID: driver.UID}}) {
		t.Error("kept an event no report reads")
	}

	// The operator submits pi again: the old driver goes, a new one comes.
	f.PutPod(driver, true)
	driver2 := ofSubmission(pod("pi-driver", "driver", ecsNode), "pi", "two", 30)
	driver2.UID = "uid-pi-driver-2"
	f.PutPod(driver2, false)
	f.PutEvent(pulledEvent(driver2, 31))
	done, resubmitted := f.Completed()
	if !slices.Equal(resubmitted, []Resubmission{{App: "spark/pi", ID: "two"}}) || !slices.Equal(names(done), []string{"pi-driver"}) {
		t.Errorf("after the new submission: %v, %v", names(done), resubmitted)
	}
	if _, again := f.Completed(); len(again) != 0 {
		t.Errorf("the new submission told twice: %v", again)
	}

	exec2 := ofSubmission(pod("pi-b-exec-1", "executor", eciNode), "pi", "two", 32)
	f.PutPod(exec2, false)
	report, pending := f.Final()
	if report.Summary.Pods != 2 || !slices.Equal(pending, []string{"pi-b-exec-1"}) {
		t.Errorf("final: %d pods, pending %v; want the second submission's 2, exec-1 of it pending", report.Summary.Pods, pending)
	}

	all := NewFollower(NewEventStoreOfAll(), isECI, true)
	for _, p := range []*corev1.Pod{driver, exec1, driver2, exec2} {
		all.PutPod(p, false)
	}
	all.Completed()
	if report, _ := all.Final(); report.Summary.Pods != 4 {
		t.Errorf("every submission: %d pods, want 4", report.Summary.Pods)
	}
}

// Each change makes again the report of the pod it is about, and no other:
// the work of an event does not grow with the pods followed.
func TestFollowerWorksOnThePodChanged(t *testing.T) {
	reports := 0
	counting := func(node string) bool { reports++; return isECI(node) }
	f := NewFollower(NewEventStoreOfAll(), counting, false)
	var pods []*corev1.Pod
	for i := range 2000 {
		p := ofSubmission(pod(fmt.Sprintf("pi-a-exec-%d", i+1), "executor", eciNode), "pi", "one", float64(i))
		pods = append(pods, p)
		f.PutPod(p, false)
	}
	f.Completed()
	if reports != 2000 {
		t.Fatalf("%d reports made for 2,000 new pods, want one each", reports)
	}
	for _, change := range []struct {
		name string
		do   func()
	}{
		{"an event", func() { f.PutEvent(pulledEvent(pods[999], 5)) }},
		{"a pod update", func() { f.PutPod(pods[1500], false) }},
		{"an event of a pod reported", func() { f.PutEvent(pulledEvent(pods[999], 6)) }},
	} {
		reports = 0
		change.do()
		done, _ := f.Completed()
		if reports > 1 {
			t.Errorf("%s: %d reports made again, want at most the pod's", change.name, reports)
		}
		if change.name == "an event" && !slices.Equal(names(done), []string{"pi-a-exec-1000"}) {
			t.Errorf("%s: completed %v", change.name, names(done))
		}
	}
	reports = 0
	if done, _ := f.Completed(); len(done) != 0 || reports != 0 {
		t.Errorf("nothing changed, yet %d reports made, %v completed", reports, names(done))
	}
}
