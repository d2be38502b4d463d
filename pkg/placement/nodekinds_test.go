package placement_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spark-eci/kubectl-spark-eci/pkg/eci"
	"github.com/spark-eci/kubectl-spark-eci/pkg/imagepull"
	"github.com/spark-eci/kubectl-spark-eci/pkg/placement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/podplacement"
	"github.com/spark-eci/kubectl-spark-eci/pkg/sparkapp"
)

// One pod reads the same kind of node in status and in cache-report, each
// computing it its own way from what it reads, whether the nodes could be
// listed or not: a node listed by its label, one gone since (or not listed)
// by ACK's name, and ECI's own word about the pod first.
func TestOnePodOneNodeKind(t *testing.T) {
	labelled := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "eci-pool-1", Labels: map[string]string{"type": "virtual-kubelet"}}}
	ordinary := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "cn-hangzhou.192.168.0.10"}}
	byECI := map[string]string{eci.AnnotationInstanceSpec: "2.0-4.0Gi"}
	for _, tc := range []struct {
		name        string
		node        string
		annotations map[string]string
		listed      placement.NodeKind // the kind with the nodes listed
		unlisted    placement.NodeKind // without the right to list them
	}{
		{"on a labelled virtual node", "eci-pool-1", nil, placement.NodeECI, placement.NodeECS},
		{"on an ordinary node", "cn-hangzhou.192.168.0.10", nil, placement.NodeECS, placement.NodeECS},
		{"on a virtual node deleted since", "virtual-kubelet-cn-hangzhou-i", nil, placement.NodeECI, placement.NodeECI},
		{"on an ordinary node deleted since", "cn-hangzhou.192.168.0.99", nil, placement.NodeECS, placement.NodeECS},
		{"created by ECI, on a node not told ECI", "cn-hangzhou.192.168.0.99", byECI, placement.NodeECI, placement.NodeECI},
		{"on a labelled node, ECI's word unknown", "eci-pool-1", byECI, placement.NodeECI, placement.NodeECI},
		{"on no node", "", nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pod := corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Namespace: "spark", Name: "spark-pi-exec-1", UID: types.UID("uid-1"), Annotations: tc.annotations,
					Labels: map[string]string{sparkapp.LabelSparkRole: "executor", sparkapp.LabelAppName: "spark-pi"}},
				Spec: corev1.PodSpec{NodeName: tc.node, Containers: []corev1.Container{{Name: "spark-kubernetes-executor", Image: "spark:3.5.2"}}},
			}
			for _, listed := range []bool{true, false} {
				var nodes []corev1.Node
				want := tc.unlisted
				if listed {
					nodes, want = []corev1.Node{labelled, ordinary}, tc.listed
				}
				status := statusKind(t, pod, podplacement.NewNodes(nodes, listed, placement.AlibabaCloudECI))
				facts := imagepull.FactsOf(&pod)
				report := imagepull.ReportOf(&facts, nil, placement.NewNodeKinds(placement.AlibabaCloudECI, nodes).IsECI)
				if status != want || report.NodeKind != want {
					t.Errorf("nodes listed %t: status says %q, cache-report %q; want %q", listed, status, report.NodeKind, want)
				}
			}
		})
	}
}

// statusKind is the node kind status shows for the pod.
func statusKind(t *testing.T, pod corev1.Pod, nodes *podplacement.Nodes) placement.NodeKind {
	t.Helper()
	app := &unstructured.Unstructured{Object: map[string]interface{}{
		"apiVersion": "sparkoperator.k8s.io/v1beta2", "kind": "SparkApplication",
		"metadata": map[string]interface{}{"name": "spark-pi", "namespace": "spark"},
		"spec":     map[string]interface{}{"executor": map[string]interface{}{"instances": int64(1)}},
	}}
	a, _ := podplacement.Build(app.Object, []corev1.Pod{pod}, podplacement.PodEvents{}, nodes, podplacement.Admission{}, podplacement.Caches{})
	for _, p := range a.Pods {
		if p.Name == pod.Name {
			return p.NodeKind
		}
	}
	t.Fatalf("status shows no row of %s: %+v", pod.Name, a.Pods)
	return ""
}
