// Package eci names what Alibaba Cloud Elastic Container Instance reads from
// and writes onto pods: image-cache and spot annotations.
package eci

// Pod annotations read by ECI when it creates the pod.
const (
	// AnnotationImageCache "true" lets ECI match an image cache automatically
	// and create one when none matches (the name of ACK's Spark guide).
	AnnotationImageCache = "k8s.aliyun.com/eci-image-cache"
	// AnnotationImageSnapshotID pins a given image cache (imc-...), by the
	// name of ACK's Spark guide.
	AnnotationImageSnapshotID = "k8s.aliyun.com/eci-image-snapshot-id"
	// AnnotationAutoImageCache is today's switch of automatic matching. It is
	// "true" when absent: ECI matches a cache unless it is "false".
	AnnotationAutoImageCache = "k8s.aliyun.com/eci-auto-imc"
	// AnnotationImageCacheID is today's name for pinning a given cache.
	AnnotationImageCacheID = "k8s.aliyun.com/eci-imc-id"
	// AnnotationSpotStrategy is SpotAsPriceGo or SpotWithPriceLimit.
	AnnotationSpotStrategy = "k8s.aliyun.com/eci-spot-strategy"
	// AnnotationSpotPriceLimit is the hourly price cap of SpotWithPriceLimit.
	AnnotationSpotPriceLimit = "k8s.aliyun.com/eci-spot-price-limit"
	// AnnotationMatchedImageCache is written by ECI after scheduling: the cache used.
	AnnotationMatchedImageCache = "k8s.aliyun.com/eci-matched-image-cache"
)

// Spot strategies.
const (
	SpotAsPriceGo      = "SpotAsPriceGo"
	SpotWithPriceLimit = "SpotWithPriceLimit"
)

// Reasons of the events ECI writes about a pod's image cache (source EciService,
// older eci-provider; the reason, not the source, tells them apart).
const (
	ReasonImageCacheHit         = "SuccessfulHitImageCache"
	ReasonImageCacheMissed      = "ImageCacheMissed"
	ReasonImageCacheAutoCreated = "ImageCacheAutoCreated"
	ReasonImageCacheNotFound    = "ImageCacheNotFound"
	ReasonImageCacheNotComplete = "ImageCacheNotComplete"
)

// Messages of the image-cache events. ECI tags newer ones with
// MessageTagImageCache. The reason of the auto-create failure is not
// documented, so that event is known by its message alone.
const (
	MessageTagImageCache              = "[eci.imagecache]"
	MessageImageCacheAutoCreateFailed = "Image cache auto create failed"
)

// ImageCacheAnnotations are every pod annotation that says which image cache
// ECI uses, by the older names and today's.
var ImageCacheAnnotations = []string{
	AnnotationImageCache, AnnotationImageSnapshotID, AnnotationAutoImageCache, AnnotationImageCacheID,
}

// RequestedImageCache reads what a pod's annotations ask of ECI's image
// cache: the cache they pin, by today's name or the older one, and whether
// they turn automatic matching off. An explicit id wins over matching in both
// schemes, so a pinned pod is never "off".
func RequestedImageCache(annotations map[string]string) (pinned string, off bool) {
	pinned = annotations[AnnotationImageCacheID]
	if pinned == "" {
		pinned = annotations[AnnotationImageSnapshotID]
	}
	off = pinned == "" && annotations[AnnotationAutoImageCache] == "false" && annotations[AnnotationImageCache] != "true"
	return pinned, off
}
