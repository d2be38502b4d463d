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
