package fromcluster

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/spark-eci/kubectl-spark-eci/pkg/timeline"
)

var t0 = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

// at is s seconds after t0.
func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

// brief writes spans as name:state:seconds.
func brief(spans []timeline.Span) string {
	var parts []string
	for _, s := range spans {
		p := string(s.Name) + ":" + string(s.State)
		if s.Seconds != nil {
			p += fmt.Sprintf(":%g", *s.Seconds)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

func condition(t corev1.PodConditionType, status corev1.ConditionStatus, s float64) corev1.PodCondition {
	return corev1.PodCondition{Type: t, Status: status, LastTransitionTime: metav1.NewTime(at(s))}
}

func event(component, reason string, first, last float64) *corev1.Event {
	return &corev1.Event{Reason: reason, Source: corev1.EventSource{Component: component},
		FirstTimestamp: metav1.NewTime(at(first)), LastTimestamp: metav1.NewTime(at(last)), Count: 1}
}
