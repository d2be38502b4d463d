package placement

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Node kinds: by the label when the node is read, by ACK's naming when not.
func TestNodeKinds(t *testing.T) {
	node := func(name string, labels map[string]string) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	}
	for _, tc := range []struct {
		node *corev1.Node
		want NodeKind
	}{
		{node("virtual-kubelet-cn-hangzhou-i", map[string]string{"type": "virtual-kubelet"}), NodeECI},
		{node("eci-1", map[string]string{"type": "virtual-kubelet"}), NodeECI},
		{node("virtual-kubelet-cn-hangzhou-i", nil), NodeECS}, // read: its label decides
		{node("cn-hangzhou.192.168.0.10", map[string]string{"type": "ecs"}), NodeECS},
	} {
		if got := AlibabaCloudECI.KindOf(tc.node); got != tc.want {
			t.Errorf("KindOf(%s %v) = %s, want %s", tc.node.Name, tc.node.Labels, got, tc.want)
		}
	}
	for name, want := range map[string]NodeKind{
		"virtual-kubelet-cn-hangzhou-i": NodeECI,
		"cn-hangzhou.192.168.0.10":      NodeECS,
		"":                              "",
	} {
		if got := KindByName(name); got != want {
			t.Errorf("KindByName(%q) = %q, want %q", name, got, want)
		}
	}
}
