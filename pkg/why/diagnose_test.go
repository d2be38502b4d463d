package why

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
)

var at = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

// pod is an executor as the kubelet and ECI leave it, changed by each case.
func pod(change func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "spark-pi-exec-1", Namespace: "spark", UID: "u1"},
		Spec:       corev1.PodSpec{NodeName: "virtual-kubelet-cn-hangzhou-i", Containers: []corev1.Container{{Name: "spark-kubernetes-executor"}}},
		Status:     corev1.PodStatus{Phase: corev1.PodPending},
	}
	change(p)
	return p
}

func waiting(reason, message string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "spark-kubernetes-executor", Image: "apache/spark:3.5.3",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}}}}
	}
}

func terminated(phase corev1.PodPhase, reason string, exit int32, last bool) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Status.Phase = phase
		t := &corev1.ContainerStateTerminated{Reason: reason, ExitCode: exit, FinishedAt: metav1.NewTime(at)}
		c := corev1.ContainerStatus{Name: "spark-kubernetes-executor"}
		if last {
			c.LastTerminationState.Terminated = t
			c.State.Waiting = &corev1.ContainerStateWaiting{Reason: ReasonCrashLoopBackOff, Message: "back-off 10s restarting failed container"}
		} else {
			c.State.Terminated = t
		}
		p.Status.ContainerStatuses = []corev1.ContainerStatus{c}
	}
}

func instance(status corev1.ConditionStatus, reason, message string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: eci.ConditionContainerInstanceCreated, Status: status,
			Reason: reason, Message: message, LastTransitionTime: metav1.NewTime(at)})
	}
}

func eciEvent(reason, message string, t time.Time) *corev1.Event {
	return &corev1.Event{
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "spark-pi-exec-1", Namespace: "spark", UID: "u1"},
		Reason:         reason, Message: message, Type: corev1.EventTypeWarning, Source: corev1.EventSource{Component: "EciService"},
		LastTimestamp: metav1.NewTime(t), Count: 3,
	}
}

func TestDiagnose(t *testing.T) {
	subject := Subject{App: "spark-pi", Namespace: "spark", Pod: "spark-pi-exec-1", OnECI: true}
	noStock := "Create ECI failed because the specified instance is out of stock. cn-hangzhou-i"
	for _, tc := range []struct {
		name    string
		pod     *corev1.Pod
		events  []*corev1.Event
		subject func(*Subject)
		// want is "" for no problem, else reason|source|message.
		want string
		fix  string
	}{
		{name: "starting as it should", pod: pod(waiting("ContainerCreating", "")), want: ""},
		{name: "running", pod: pod(func(p *corev1.Pod) { p.Status.Phase = corev1.PodRunning }), want: ""},
		{name: "ECI's condition", pod: pod(instance(corev1.ConditionFalse, ReasonNoStock, noStock)),
			want: "NoStock|ECI|" + noStock, fix: "kubectl spark-eci place spark-pi -n spark --vswitches=VSW,VSW --zone-strategy=VSwitchRandom"},
		{name: "the condition's Creating is no problem", pod: pod(instance(corev1.ConditionFalse, "Creating", "Creating")), want: ""},
		{name: "ECI's event when the condition is gone", pod: pod(func(*corev1.Pod) {}),
			events: []*corev1.Event{eciEvent(ReasonStockClose, "Create ECI failed because current zone closed or limited without living instance. cn-hangzhou-i", at)},
			want:   "StockClose|ECI|Create ECI failed because current zone closed or limited without living instance. cn-hangzhou-i"},
		{name: "the newest ECI event of two", pod: pod(func(*corev1.Pod) {}),
			events: []*corev1.Event{eciEvent(ReasonNoStock, noStock, at), eciEvent(ReasonQuotaFull, "quota", at.Add(time.Minute))},
			want:   "QuotaFull|ECI|quota", fix: "raise the ECI quota"},
		{name: "an ECI event of a pod that runs is past", pod: pod(func(p *corev1.Pod) { p.Status.Phase = corev1.PodRunning }),
			events: []*corev1.Event{eciEvent(ReasonNoStock, noStock, at)}, want: ""},
		{name: "ECI's FailedScheduling", pod: pod(func(*corev1.Pod) {}),
			events: []*corev1.Event{eciEvent(ReasonECIFailedScheduling, "Schedule eci failed:no available resource", at)},
			want:   "FailedScheduling|ECI|Schedule eci failed:no available resource"},
		{name: "the image", pod: pod(waiting(ReasonImagePullBackOff, `Back-off pulling image "apache/spark:3.5.3"`)),
			want: `ImagePullBackOff|kubelet|container spark-kubernetes-executor: Back-off pulling image "apache/spark:3.5.3"`, fix: "spec.imagePullSecrets"},
		{name: "the image, no message", pod: pod(waiting(ReasonErrImagePull, "")),
			want: `ErrImagePull|kubelet|container spark-kubernetes-executor, image "apache/spark:3.5.3"`},
		{name: "a missing secret", pod: pod(waiting(ReasonCreateContainerConfigError, `secret "s3" not found`)),
			want: `CreateContainerConfigError|kubelet|container spark-kubernetes-executor: secret "s3" not found`},
		{name: "the image before ECI's stock", pod: pod(func(p *corev1.Pod) {
			waiting(ReasonErrImagePull, "pull access denied")(p)
			instance(corev1.ConditionFalse, ReasonNoStock, noStock)(p)
		}), want: "ErrImagePull|kubelet|container spark-kubernetes-executor: pull access denied"},
		{name: "OOMKilled", pod: pod(terminated(corev1.PodFailed, ReasonOOMKilled, 137, false)),
			want: "OOMKilled|kubelet|container spark-kubernetes-executor was killed for memory (exit 137)", fix: "spec.executor.memoryOverhead"},
		{name: "exit 137 of a failed pod", pod: pod(terminated(corev1.PodFailed, ReasonError, 137, false)),
			want: "OOMKilled|kubelet|container spark-kubernetes-executor was killed for memory (exit 137)"},
		{name: "a crash loop after an OOM kill", pod: pod(terminated(corev1.PodRunning, ReasonOOMKilled, 137, true)),
			want: "OOMKilled|kubelet|container spark-kubernetes-executor was last killed for memory (exit 137)"},
		{name: "a crash loop", pod: pod(terminated(corev1.PodRunning, ReasonError, 1, true)),
			want: "CrashLoopBackOff|kubelet|container spark-kubernetes-executor: back-off 10s restarting failed container", fix: "kubectl logs --previous spark-pi-exec-1 -n spark"},
		{name: "failed", pod: pod(terminated(corev1.PodFailed, ReasonError, 1, false)),
			want: "Error|kubelet|container spark-kubernetes-executor: exit code 1", fix: "kubectl logs spark-pi-exec-1 -n spark"},
		{name: "ECI's OOM event of a failed pod", pod: pod(func(p *corev1.Pod) { p.Status.Phase = corev1.PodFailed }),
			events: []*corev1.Event{eciEvent(ReasonOOMKilled, "Out of memory", at)}, want: "OOMKilled|ECI|Out of memory"},
		{name: "evicted", pod: pod(func(p *corev1.Pod) {
			p.Status.Phase, p.Status.Reason, p.Status.Message = corev1.PodFailed, ReasonEvicted, "The node was low on resource: ephemeral-storage."
		}), want: "Evicted|kubelet|The node was low on resource: ephemeral-storage.", fix: "--ephemeral-storage=50Gi"},
		{name: "spot released", pod: pod(terminated(corev1.PodFailed, ReasonError, 143, false)),
			events: []*corev1.Event{eciEvent(ReasonSpotToBeReleased, "Spot ECI will be released in 3 minutes", at)},
			want:   "SpotToBeReleased|ECI|its spot instance was released: Spot ECI will be released in 3 minutes", fix: "--spot-fallback"},
		{name: "spot to be released", pod: pod(func(p *corev1.Pod) { p.Status.Phase = corev1.PodRunning }),
			events: []*corev1.Event{eciEvent(ReasonSpotToBeReleased, "Spot ECI will be released in 3 minutes", at)},
			want:   "SpotToBeReleased|ECI|Spot ECI will be released in 3 minutes"},
		{name: "a pinned cache gone", pod: pod(func(p *corev1.Pod) { p.Status.Phase = corev1.PodRunning }),
			events: []*corev1.Event{eciEvent(ReasonImageCacheNotFound, "The specified image cache imc-1 does not exist.", at)},
			want:   "ImageCacheNotFound|ECI|The specified image cache imc-1 does not exist.", fix: "--image-cache=auto"},
		{name: "the scheduler", pod: pod(func(p *corev1.Pod) { p.Spec.NodeName = "" }),
			subject: func(s *Subject) { s.OnECI, s.Unschedulable = false, "0/3 nodes are available: 3 Insufficient cpu." },
			want:    "Unschedulable|scheduler|0/3 nodes are available: 3 Insufficient cpu.", fix: "kubectl spark-eci status spark-pi -n spark -o wide"},
		{name: "the placement not applied", pod: pod(func(p *corev1.Pod) { p.Status.Phase = corev1.PodRunning }),
			subject: func(s *Subject) {
				s.NotPlaced = &Problem{Reason: ReasonPlacementNotApplied, Source: SourcePlacement, Message: "it lacks the node affinity"}
			},
			want: "PlacementNotApplied|placement|it lacks the node affinity"},
		{name: "ECI's stock before the placement", pod: pod(instance(corev1.ConditionFalse, ReasonNoStock, noStock)),
			subject: func(s *Subject) {
				s.NotPlaced = &Problem{Reason: ReasonPlacementNotApplied, Source: SourcePlacement, Message: "x"}
			},
			want: "NoStock|ECI|" + noStock},
		{name: "the placement before the scheduler", pod: pod(func(p *corev1.Pod) { p.Spec.NodeName = "" }),
			subject: func(s *Subject) {
				s.OnECI, s.Unschedulable = false, "0/3 nodes are available"
				s.NotPlaced = &Problem{Reason: ReasonPlacementNotApplied, Source: SourcePlacement, Message: "it lacks the toleration"}
			},
			want: "PlacementNotApplied|placement|it lacks the toleration"},
		{name: "the scheduler's FailedScheduling is not ECI's", pod: pod(func(p *corev1.Pod) { p.Spec.NodeName = "" }),
			events: []*corev1.Event{{InvolvedObject: corev1.ObjectReference{Kind: "Pod", UID: "u1"}, Reason: "FailedScheduling",
				Message: "0/3 nodes are available", Source: corev1.EventSource{Component: "default-scheduler"}}},
			subject: func(s *Subject) { s.OnECI = false }, want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := subject
			if tc.subject != nil {
				tc.subject(&s)
			}
			events := Events{}
			for _, e := range tc.events {
				events.Put(e)
			}
			got := Diagnose(s, PodOf(tc.pod), events[tc.pod.UID])
			if tc.want == "" {
				if got != nil {
					t.Fatalf("Diagnose = %+v, want no problem", got)
				}
				return
			}
			if got == nil {
				t.Fatalf("Diagnose = nil, want %s", tc.want)
			}
			if s := strings.Join([]string{got.Reason, string(got.Source), got.Message}, "|"); s != tc.want {
				t.Errorf("Diagnose = %s, want %s", s, tc.want)
			}
			if !strings.Contains(got.Fix, tc.fix) || strings.Contains(got.Fix, "APP") || strings.Contains(got.Fix, "POD") {
				t.Errorf("fix %q, want it to hold %q, its names filled in", got.Fix, tc.fix)
			}
		})
	}
}

func TestEventsKeepTheNewestOfEachReason(t *testing.T) {
	es := Events{}
	newer := eciEvent(ReasonNoStock, "newer", at.Add(time.Minute))
	if !es.Put(newer) || es.Put(eciEvent(ReasonNoStock, "older", at)) {
		t.Fatal("an older event of the same reason replaced a newer one")
	}
	if !es.Put(eciEvent(ReasonImageCacheNotFound, "gone", at)) {
		t.Fatal("another reason was not kept")
	}
	for _, e := range []*corev1.Event{
		{InvolvedObject: corev1.ObjectReference{Kind: "Pod", UID: "u1"}, Reason: "Pulled", Message: "pulled"},
		{InvolvedObject: corev1.ObjectReference{Kind: "Pod", UID: "u1"}, Reason: ReasonOOMKilled, Source: corev1.EventSource{Component: "kubelet"}},
		{InvolvedObject: corev1.ObjectReference{Kind: "SparkApplication", UID: "u1"}, Reason: ReasonNoStock},
		{InvolvedObject: corev1.ObjectReference{Kind: "Pod"}, Reason: ReasonNoStock},
	} {
		if es.Put(e) {
			t.Errorf("kept %s of %s", e.Reason, e.InvolvedObject.Kind)
		}
	}
	kept := es[types.UID("u1")]
	if len(kept) != 2 || kept[0].Message != "newer" || kept[0].Count != 3 || !kept[0].Time.Equal(at.Add(time.Minute)) {
		t.Errorf("kept %+v", kept)
	}
	es.Forget("u1")
	if len(es) != 0 {
		t.Errorf("Forget left %v", es)
	}
}
