// Package imagepull reads what the kubelet and Alibaba Cloud ECI say about a
// pod's images in its events, and reports per pod how long each image took to
// pull and what ECI's image cache did: the model and output of cache-report.
//
// It talks to no cluster: callers list the pods and their events, and hand
// them to BuildPodReport one pod at a time.
//
// # Events
//
// ParseEvent reads every message variant kubelets have written since 1.18
// (the pull time appeared in 1.19, the time including waiting in 1.26, the
// image size in 1.30), the "(combined from similar events): " prefix of
// aggregated events, and ECI's image-cache events by reason, or by message
// when the reason is not known (the auto-create failure).
//
// # Report schema
//
// Report is what cache-report -o json prints (and -o yaml, converted from the
// JSON). Its apiVersion is spark-eci.io/v1alpha1 and its kind CacheReport.
// Within that version fields are only ever added. Durations are seconds as a
// JSON number (fractions allowed, never negative), in fields whose names end
// in "Seconds". Fields marked "omitted when empty" are left out when zero.
//
//	apiVersion: spark-eci.io/v1alpha1
//	kind: CacheReport
//	pods:                        # driver, then executors in natural name order, then others
//	- namespace: string
//	  name: string
//	  uid: string                # omitted when empty
//	  role: driver|executor      # the spark-role label; omitted when empty
//	  node: string               # spec.nodeName; omitted when not scheduled
//	  nodeKind: ECI|ECS          # omitted when not scheduled
//	  phase: Pending|Running|... # omitted when the pod is gone
//	  cache:                     # omitted when nothing is known
//	    outcome: hit|missed|auto-created|not-found|not-complete|auto-create-failed
//	                             # the most telling ECI cache event; omitted when
//	                             # there is none. Every outcome but hit is a miss:
//	                             # not-found and not-complete say why a pinned
//	                             # cache was not used, and outrank auto-created and
//	                             # auto-create-failed, what ECI did after the miss
//	                             # (before pinnedId was added, auto-created came first)
//	    missed: true             # the pod started without a cache although ECI
//	                             # looked for one (every outcome but hit);
//	                             # omitted when false
//	    id: imc-...              # the cache the event names; for not-found and
//	                             # not-complete else the pinned one, for the others
//	                             # else the pod's eci-matched-image-cache annotation;
//	                             # omitted when none
//	    autoCreatedId: imc-...   # the cache ECI began to make after the miss, for
//	                             # the pods that come next; omitted when none
//	    pinnedId: imc-...        # the cache the pod's annotations pin
//	                             # (eci-imc-id, else eci-image-snapshot-id); omitted when none
//	    off: true                # the pod's annotations turn ECI's matching off
//	                             # (eci-auto-imc: "false", without the older
//	                             # eci-image-cache: "true") and pin no cache;
//	                             # omitted when false
//	  images:                    # always a list: init containers first, then containers
//	  - container: string
//	    image: string
//	    init: true               # omitted when false
//	    state: pulled|present|pulling|failed|backoff|never-pull|waiting|unknown
//	    pullSeconds: number      # the last pull; present whenever pullTimeFrom is
//	    pullTimeFrom: message|timestamps
//	                             # timestamps: Pulling to Pulled, one-second resolution,
//	                             # for kubelets that do not write the pull time
//	    withWaitingSeconds: number  # pull time including queueing; omitted when unknown
//	    sizeBytes: integer       # omitted when the kubelet did not say
//	    error: string            # why the image could not be had; omitted when empty
//	    attempts: integer        # pulls started; omitted when none
//	  events: integer            # image and image-cache events seen (0: none, or expired)
//	  gone: true                 # the pod no longer exists; omitted when false
//	summary:                     # every field always present
//	  pods: integer
//	  eciPods: integer
//	  hits: integer              # pods whose cache outcome is hit
//	  misses: integer            # pods with any other cache outcome
//	  undecided: integer         # pods on ECI (or on no node yet) that no cache
//	                             # event names, matching not off: still pulling,
//	                             # or their events expired; --fail-on-miss fails
//	                             # on them as on misses
//	  autoCreated: integer       # of the misses, those that created a cache (also
//	                             # those whose outcome is not-found or not-complete)
//	  autoCreatedIds: [imc-...]  # the caches those misses created, sorted, each once
//	  failed: integer            # pods with an image failed, backing off or never-pull
//	  pulls: integer             # images pulled with a known pull time
//	  pullP50Seconds: number     # nearest-rank percentiles over those pulls
//	  pullP95Seconds: number
//	  pullMaxSeconds: number
//	  warmCacheSavingsSeconds: number
//	                             # pull time of ECI pods that did not hit a cache,
//	                             # summed over pods
//
// States: pulled and present (no pull needed) are done; pulling means a pull
// started and has not ended; waiting means no event yet (not scheduled, or
// behind other containers); unknown means the container started but no event
// about its image is left (events live one hour by default).
package imagepull
