// Package why tells why a Spark pod does not run as its application asks,
// from what the cluster already says of it: ECI's events and its
// ContainerInstanceCreated condition, the containers' states and the pod's
// status the kubelet writes, the scheduler's message, and the operator's
// state of the application. Each reason is one row of one table (Reasons):
// the word the cluster writes, who writes it, what it means and the fix,
// in place's own flags where one exists.
//
// It talks to no cluster and knows no flags. Callers read the pods and
// events they already read, keep what PodOf and Events keep of them (a few
// shared strings per pod), and ask Diagnose for each pod's Problem and
// Verdict for each application's one line.
//
// # Problem schema
//
// A Problem is what status -o json gives a pod as its "problem", and
// Verdict the application's "verdict":
//
//	problem:                   # omitted when the pod has none
//	  reason: string           # the word of the table: NoStock, ImagePullBackOff, OOMKilled, ...
//	  message: string          # the cluster's own line, else what the reason means
//	  source: ECI|kubelet|scheduler|operator|placement
//	  fix: string              # what to do, with the commands filled in
//	  time: RFC 3339 time      # when the cluster said so; omitted when unknown
package why
