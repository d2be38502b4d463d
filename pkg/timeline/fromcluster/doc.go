// Package fromcluster makes a timeline.Timeline of what a command reads of
// the cluster, as cache-report reads it: the pods (their times, conditions
// and containers' start), their events (the kubelet's pulls, ECI's first
// word), and the applications they are of (the operator's submission, the
// executors asked for). It keeps what cache-report keeps of each pod, for
// the same cache result and pull time, and a few times: never the pods or
// the events themselves. It talks to no cluster.
package fromcluster
