// Package timeline tells where each Spark pod's start-up went, phase by
// phase: scheduling, instance (on ECI), pull, start and ready; and where an
// application's went: submit, request and executors. It knows nothing of
// Kubernetes, only of times: package fromcluster reads a pod's Marks from
// the pod and its events, and an application's AppMarks from its status
// and its pods, as cache-report reads them; SpansOf and AppSpansOf work
// out the phases, at a given now. A phase is done, open (the pod is in it
// now) or unknown (the pod went through it, but the events that told when
// are gone): never zero for want of an event. WriteChart draws a Timeline
// on one time axis, each application above its pods, Summarize sums the
// pods up by node kind and image cache result, and TraceOf writes them in
// the Trace Event Format that chrome://tracing and ui.perfetto.dev open.
//
// # Timeline schema
//
// Timeline is what timeline -o json prints: apiVersion spark-eci.io/v1alpha1,
// kind Timeline. Within that version fields are only ever added.
//
//	apiVersion: spark-eci.io/v1alpha1
//	kind: Timeline
//	now: RFC 3339 time        # when it was read: where open phases end
//	applications:             # one a submission of each application whose driver is shown;
//	                          # omitted for a pod alone
//	- kind: SparkApplication|SparkConnect
//	  namespace: string
//	  name: string
//	  submission: string      # the submission's id; omitted when not known (a SparkConnect)
//	  phases:                 # submit (the operator's submission to the driver pod; none for a
//	                          # SparkConnect, whose server is not submitted),
//	                          # request (the driver's start to its first executor),
//	                          # executors (the first executor to the last one asked for running),
//	                          # each as a pod's phases below
//	pods:
//	- namespace: string
//	  name: string
//	  role: string            # the spark-role label (driver, executor, connect-server); omitted when empty
//	  nodeKind: ECS|ECI       # omitted before the pod has a node
//	  application: string     # the application (or SparkConnect) it is of; omitted for none
//	  submission: string      # that application's submission the pod is of; omitted when not known
//	  cache: string           # ECI's image cache result, as cache-report reads it: hit, missed,
//	                          # auto-created, not-found, not-complete, auto-create-failed (misses),
//	                          # off; omitted on ECS and when nothing says
//	  cacheMissed: true       # cache is a miss; omitted when not
//	  pullSeconds: number     # the longest image pull, as cache-report times it; omitted when none is known
//	  phases:                 # in order; a phase not reached is left out
//	  - name: scheduling|instance|pull|start|ready
//	    state: done|open|unknown
//	    start: RFC 3339 time  # omitted when unknown
//	    end: RFC 3339 time    # now for an open phase; omitted when unknown
//	    seconds: number       # end less start; null when unknown
//	warmCacheSavingsSeconds: number  # what a warm cache would have spared the pods, as cache-report
//	                                 # sums it: the image pulls of those on ECI that did not hit
package timeline
