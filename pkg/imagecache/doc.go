// Package imagecache knows Alibaba Cloud ECI's image caches: the cluster-scoped
// ImageCache objects (eci.alibabacloud.com/v1) that ECI fills with images ahead
// of time, so that pods pinned to a cache, or matched to one, start without
// pulling. It finds every image a Spark application's pods pull, builds the
// ImageCache that holds them, reads a cache's progress, and tells which cache
// covers an application: the model of the image-cache command.
//
// It talks to no cluster: callers read the application and the caches, and
// hand them in as unstructured objects.
//
// # Pinned caches
//
// An application pins a cache by the pod annotation k8s.aliyun.com/eci-imc-id
// (today's name) or k8s.aliyun.com/eci-image-snapshot-id (the older name of
// ACK's Spark guide), in a role's annotations or its pod template's (a
// SparkConnect: its templates only; a ScheduledSparkApplication: those of
// spec.template). Once that cache is gone, has failed or has expired, the
// role's pods miss it with ImageCacheNotFound and pull their images. One
// rule tells it, for every command that judges it:
//
//   - PinningOf(obj) reads, from an application of any of the three kinds
//     (unstructured content), the cache each role pins and where
//     (Pinning.Pins: role, id, annotation, path); Pinning.Key names the
//     application as status does (namespace/name,
//     namespace/sparkconnect/name, namespace/scheduledsparkapplication/name).
//   - PinFindings(pinning, caches, now) judges those pins against the caches
//     read with CacheOf: one Finding per id that no cache has
//     (ReasonGone), whose cache failed (ReasonFailed), has expired
//     (ReasonExpired) or expires within ExpiryWarning, 7 days
//     (ReasonExpiring, with Expires); none when all is well. A cache still
//     being made is no finding. Each Finding carries the roles, the cache's
//     name, a one-line Message without the application's name (status shows
//     it beside the application; doctor prefixes the Key) and a Fix in the
//     plugin's commands (image-cache create ... --place, or place
//     --image-cache=auto).
//   - PinnedBy(pinnings) maps each id to the applications that pin it:
//     image-cache list's PINNED BY column (Pinners, WriteTable).
//
// # The ImageCache object
//
// As ECI documents it (ACK's ack-virtual-node component installs the CRD
// imagecaches.eci.alibabacloud.com, short name ic):
//
//	spec:
//	  images: [string]          # required, at least one
//	  imagePullSecrets: [ns:name]
//	  imageCacheSize: integer   # GiB, 20 to 32768; ECI's default is 20
//	  retentionDays: integer    # 1 to 65536; none: the cache never expires
//	status:
//	  phase: string             # Ready when done; the full list is not
//	                            # documented: ...Failed is a failure, any other
//	                            # phase is still in progress
//	  progress: "42%"
//	  imageCacheId: imc-...
//	  expireDateTime: string    # also 24 hours after a failure
//	  events: [{type, reason, message, ...}]
package imagecache
