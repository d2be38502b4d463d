package sparkapp

import (
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var t0 = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

// sparkPod is a pod of application app in namespace ns, of submission id,
// created at second s after t0.
func sparkPod(ns, app, name string, role Role, id string, s int) corev1.Pod {
	p := corev1.Pod{ObjectMeta: metav1.ObjectMeta{
		Namespace: ns, Name: name,
		CreationTimestamp: metav1.NewTime(t0.Add(time.Duration(s) * time.Second)),
		Labels:            map[string]string{LabelAppName: app, LabelSparkRole: string(role)},
	}}
	if id != "" {
		p.Labels[LabelSubmission] = id
	}
	return p
}

func deleting(p corev1.Pod) corev1.Pod {
	now := metav1.NewTime(t0.Add(time.Hour))
	p.DeletionTimestamp = &now
	return p
}

func TestCurrentSubmissions(t *testing.T) {
	for _, tc := range []struct {
		name string
		pods []corev1.Pod
		want Submissions
	}{
		{"no pods", nil, Submissions{}},
		{"one submission", []corev1.Pod{
			sparkPod("ns", "pi", "pi-driver", Driver, "a", 0),
			sparkPod("ns", "pi", "pi-exec-1", Executor, "a", 5),
		}, Submissions{"ns/pi": "a"}},
		{"the live driver wins over newer executors of an old submission", []corev1.Pod{
			sparkPod("ns", "pi", "pi-exec-9", Executor, "a", 30),
			sparkPod("ns", "pi", "pi-driver", Driver, "b", 20),
		}, Submissions{"ns/pi": "b"}},
		{"a driver being deleted loses to a newer executor that is not", []corev1.Pod{
			deleting(sparkPod("ns", "pi", "pi-driver", Driver, "a", 0)),
			sparkPod("ns", "pi", "pi-exec-1", Executor, "b", 10),
		}, Submissions{"ns/pi": "b"}},
		{"between drivers: the newest live pod", []corev1.Pod{
			sparkPod("ns", "pi", "pi-exec-1", Executor, "a", 5),
			sparkPod("ns", "pi", "pi-exec-2", Executor, "b", 9),
			deleting(sparkPod("ns", "pi", "pi-exec-3", Executor, "c", 12)),
		}, Submissions{"ns/pi": "b"}},
		{"every pod going: the newest", []corev1.Pod{
			deleting(sparkPod("ns", "pi", "pi-driver", Driver, "a", 0)),
			deleting(sparkPod("ns", "pi", "pi-exec-1", Executor, "a", 3)),
		}, Submissions{"ns/pi": "a"}},
		{"same second: told by name, whatever the order", []corev1.Pod{
			sparkPod("ns", "pi", "pi-exec-2", Executor, "b", 1),
			sparkPod("ns", "pi", "pi-exec-1", Executor, "a", 1),
		}, Submissions{"ns/pi": "b"}},
		{"applications apart, by namespace too", []corev1.Pod{
			sparkPod("ns", "pi", "pi-driver", Driver, "a", 0),
			sparkPod("other", "pi", "pi-driver", Driver, "x", 0),
			sparkPod("ns", "wc", "wc-driver", Driver, "w", 0),
		}, Submissions{"ns/pi": "a", "other/pi": "x", "ns/wc": "w"}},
		{"pods without a submission or an application tell nothing", []corev1.Pod{
			sparkPod("ns", "pi", "pi-driver", Driver, "", 50),
			sparkPod("ns", "", "loose", Driver, "z", 50),
			sparkPod("ns", "pi", "pi-exec-1", Executor, "a", 0),
		}, Submissions{"ns/pi": "a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, pods := range [][]corev1.Pod{tc.pods, reversed(tc.pods)} {
				got := currentOf(pods)
				if len(got) != len(tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
				for key, id := range tc.want {
					if got[key] != id {
						t.Errorf("got %v, want %v", got, tc.want)
					}
				}
			}
		})
	}
}

// currentOf is CurrentSubmissionsOf what pods tell.
func currentOf(pods []corev1.Pod) Submissions {
	return CurrentSubmissionsOf(func(yield func(PodSubmission) bool) {
		for i := range pods {
			if !yield(SubmissionOf(&pods[i])) {
				return
			}
		}
	})
}

func reversed(pods []corev1.Pod) []corev1.Pod {
	r := slices.Clone(pods)
	slices.Reverse(r)
	return r
}

func TestHasSubmission(t *testing.T) {
	pods := []corev1.Pod{
		deleting(sparkPod("ns", "pi", "pi-exec-1", Executor, "old", 0)),
		sparkPod("ns", "pi", "pi-driver", Driver, "new", 10),
		sparkPod("ns", "pi", "pi-exec-2", Executor, "new", 12),
		sparkPod("ns", "pi", "pi-exec-3", Executor, "", 12),
		sparkPod("ns", "wc", "wc-driver", Driver, "w", 0),
		sparkPod("ns", "", "loose", Driver, "z", 0),
	}
	current := currentOf(pods)
	var names []string
	left := 0
	for i := range pods {
		if current.HasSubmission(SubmissionOf(&pods[i])) {
			names = append(names, pods[i].Name)
		} else {
			left++
		}
	}
	if want := []string{"pi-driver", "pi-exec-2", "pi-exec-3", "wc-driver", "loose"}; !slices.Equal(names, want) || left != 1 {
		t.Errorf("kept %v, left out %d; want %v, 1", names, left, want)
	}
}

func TestAppKeyAndRoleOfConnectPods(t *testing.T) {
	pod := func(labels map[string]string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Labels: labels}}
	}
	for _, tc := range []struct {
		labels map[string]string
		key    string
		role   Role
	}{
		{map[string]string{LabelAppName: "pi", LabelSparkRole: "driver"}, "ns/pi", Driver},
		{map[string]string{LabelConnectName: "pi", LabelSparkRole: RoleConnectServer}, "ns/sparkconnect/pi", Driver},
		{map[string]string{LabelConnectName: "pi", LabelSparkRole: "executor"}, "ns/sparkconnect/pi", Executor},
		{map[string]string{LabelSparkRole: "other"}, "", ""},
	} {
		p := pod(tc.labels)
		if got := AppKey(p); got != tc.key {
			t.Errorf("AppKey(%v) = %q, want %q", tc.labels, got, tc.key)
		}
		if got := RoleOf(p); got != tc.role {
			t.Errorf("RoleOf(%v) = %q, want %q", tc.labels, got, tc.role)
		}
	}
	if Key(KindSparkConnect, "ns", "pi") != AppKey(pod(map[string]string{LabelConnectName: "pi"})) {
		t.Error("a SparkConnect's key differs from its pods'")
	}
}

// Objects of three kinds may share a name: each kind but the
// SparkApplication is named in the key.
func TestKeyQualifiesOtherKinds(t *testing.T) {
	for kind, want := range map[string]string{
		KindSparkApplication:          "ns/pi",
		KindSparkConnect:              "ns/sparkconnect/pi",
		KindScheduledSparkApplication: "ns/scheduledsparkapplication/pi",
	} {
		if got := Key(kind, "ns", "pi"); got != want {
			t.Errorf("Key(%s) = %q, want %q", kind, got, want)
		}
	}
}

func TestKeepCurrent(t *testing.T) {
	pods := []corev1.Pod{
		sparkPod("ns", "pi", "pi-exec-1", Executor, "a", 5),
		sparkPod("ns", "pi", "pi-driver", Driver, "b", 20),
		sparkPod("ns", "pi", "pi-exec-2", Executor, "b", 25),
		sparkPod("ns", "", "loose", Driver, "", 1),
		sparkPod("other", "pi", "pi-driver", Driver, "x", 0),
	}
	kept, left := KeepCurrent(pods, func(p *corev1.Pod) PodSubmission { return SubmissionOf(p) })
	var names []string
	for _, p := range kept {
		names = append(names, p.Namespace+"/"+p.Name)
	}
	if want := []string{"ns/pi-driver", "ns/pi-exec-2", "ns/loose", "other/pi-driver"}; !slices.Equal(names, want) || left != 1 {
		t.Errorf("KeepCurrent kept %v, left %d out; want %v, 1", names, left, want)
	}
}

func TestParseKey(t *testing.T) {
	for _, kind := range []string{KindSparkApplication, KindSparkConnect, KindScheduledSparkApplication} {
		gotKind, ns, name := ParseKey(Key(kind, "ns", "pi"))
		if gotKind != kind || ns != "ns" || name != "pi" {
			t.Errorf("ParseKey(Key(%s, ns, pi)) = %s, %s, %s", kind, gotKind, ns, name)
		}
	}
}
