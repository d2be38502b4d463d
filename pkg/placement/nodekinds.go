package placement

import (
	corev1 "k8s.io/api/core/v1"
)

// NodeKinds tells where a pod runs, ECS or ECI, by one rule that every
// command uses, so that a pod reads the same in each:
//   - ECI's own word about the pod wins: an annotation ECI writes once it
//     created the pod (eci.CreatedPod), or an event of its image cache;
//   - else a node read is an ECI virtual node by the virtual nodes' label;
//   - else a node not read (the user may not list nodes, or it was deleted
//     since) by ACK's name for virtual nodes (KindByName).
type NodeKinds struct {
	virtual VirtualNodes
	read    map[string]NodeKind
}

// NewNodeKinds reads the kinds of nodes, those listed (none when they could
// not be listed).
func NewNodeKinds(virtual VirtualNodes, nodes []corev1.Node) NodeKinds {
	k := NodeKinds{virtual: virtual, read: make(map[string]NodeKind, len(nodes))}
	for i := range nodes {
		k.read[nodes[i].Name] = virtual.KindOf(&nodes[i])
	}
	return k
}

// Of is the kind of the node named; "" for no node.
func (k NodeKinds) Of(node string) NodeKind {
	if kind, ok := k.read[node]; ok {
		return kind
	}
	return KindByName(node)
}

// OfPod is the kind of the node a pod runs on, eciSaid when ECI wrote of
// the pod (its annotations, its image-cache events); "" for a pod on no node
// that ECI said nothing of.
func (k NodeKinds) OfPod(node string, eciSaid bool) NodeKind {
	return PodNodeKind(node, eciSaid, k.Of)
}

// PodNodeKind is NodeKinds' rule for a pod, its node's kind told by
// nodeKind: ECI's word first, then the node's.
func PodNodeKind(node string, eciSaid bool, nodeKind func(string) NodeKind) NodeKind {
	switch {
	case eciSaid:
		return NodeECI
	case node == "":
		return ""
	}
	return nodeKind(node)
}

// IsECI tells an ECI virtual node by its name, as Of does.
func (k NodeKinds) IsECI(node string) bool { return k.Of(node) == NodeECI }
