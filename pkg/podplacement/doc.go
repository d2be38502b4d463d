// Package podplacement tells where the pods of Spark applications landed, and
// where they could land: the model and output of the status command.
//
// It talks to no cluster. Callers list the applications, their pods, the
// nodes and the scheduler's FailedScheduling events, and keep them in a
// Cluster, which builds the status of one application at a time (Build) from
// the pods of its current submission. A Watch follows a Cluster as its objects
// change and tells what of the status to print again. Which nodes a role's pods may use is worked out
// the way kube-scheduler filters nodes, with the scheduler's own helpers
// (k8s.io/component-helpers): taints against tolerations (NoSchedule and
// NoExecute), the node selector and required node affinity, and cordoned
// nodes.
//
// # Status schema
//
// Status is what status -o json prints (and -o yaml, converted from the
// JSON). Its apiVersion is spark-eci.io/v1alpha1 and its kind
// PlacementStatus. Within that version fields are only ever added. Fields
// marked "omitted when empty" are left out when zero.
//
//	apiVersion: spark-eci.io/v1alpha1
//	kind: PlacementStatus
//	applications:                # in the order asked for; by namespace and name for -l and -A
//	- kind: SparkApplication|SparkConnect
//	  namespace: string
//	  name: string
//	  state: string              # .status.applicationState.state (a SparkConnect's
//	                             # .status.state: Ready, NotReady); "" before the operator saw it
//	  placement:                 # what place would report for each role
//	    driver: ecs|eci|ecs-first|eci-first|custom
//	    executor: ecs|eci|ecs-first|eci-first|custom
//	  settled: bool              # every expected pod is there and has a node, or the
//	                             # application has ended: what status --watch waits for.
//	                             # Never while the operator submits it again
//	                             # (INVALIDATING, PENDING_RERUN)
//	  roles:                     # driver (a SparkConnect's server), then executor
//	  - role: driver|executor
//	    expectedPods: integer    # 1 driver; executors: spec.executor.instances (Spark's
//	                             # default 2), or the initial count of dynamic allocation
//	    pods: integer            # pods of the role that exist, but those being deleted
//	    scheduled: integer       # of those, pods with a node
//	    eciPods: integer         # of those, pods on an ECI virtual node
//	    eligibleNodes:           # omitted when the nodes could not be listed
//	      ecs: integer           # schedulable ECS nodes the role's pods may use
//	      eci: integer           # schedulable ECI virtual nodes the role's pods may use
//	  pods:                      # of the current submission (see below), or of
//	                             # every submission with --all-submissions; driver,
//	                             # then executors by executor id, then others
//	  - name: string
//	    uid: string
//	    role: driver|executor|connect-server
//	                             # the spark-role label; omitted when empty
//	    executorId: string       # the spark-exec-id label; omitted when empty
//	    phase: Pending|Running|Succeeded|Failed|Unknown
//	    terminating: true        # the pod is being deleted (the table's PHASE says
//	                             # Terminating); omitted otherwise. Such a pod counts
//	                             # in no role's pods, scheduled or eciPods
//	    node: string             # spec.nodeName; omitted when not scheduled
//	    nodeKind: ECI|ECS        # omitted when not scheduled
//	    nominatedNode: string    # status.nominatedNodeName; omitted when empty
//	    ip: string               # status.podIP; omitted when empty
//	    ready: string            # ready containers / containers, as kubectl shows it
//	    restarts: integer        # container restarts, summed
//	    createdAt: RFC 3339 time
//	    instanceSpec: string     # on ECI: the instance ECI created (its
//	                             # k8s.aliyun.com/eci-instance-spec: 2.0-4.0Gi or an
//	                             # ECS type); omitted elsewhere, or until ECI writes it
//	    spot: SpotAsPriceGo|SpotWithPriceLimit
//	                             # on ECI: the spot strategy the pod asked for
//	                             # (k8s.aliyun.com/eci-spot-strategy); omitted when none
//	    scheduler:               # only for a pod still waiting for a node; omitted otherwise
//	      message: string        # why the scheduler found no node, "" when it has not said
//	      from: event|condition  # the latest FailedScheduling event, else the pod's
//	                             # PodScheduled condition (events expire after one hour)
//	      time: RFC 3339 time    # when the scheduler last said so; omitted when unknown
//	      count: integer         # attempts the event counts; omitted when not from an event
//
// An application's current submission is the one its pods tell
// (sparkapp.CurrentSubmissionsOf): the submission of its driver, or between two
// drivers, of its newest pod. Pods of earlier submissions, which the operator
// deletes when it submits the application again, are left out unless asked
// for.
//
// An application's eligible nodes are counted from what its pods get: the
// role's pod template (spec.driver.template, spec.executor.template), the
// application's spec.nodeSelector, and what the operator's pod webhook adds
// from the role's spec: its tolerations (appended), its nodeSelector (merged)
// and its affinity (in place of the template's).
package podplacement
