// Package eci names what Alibaba Cloud Elastic Container Instance reads from
// and writes onto pods: image-cache and spot annotations.
package eci

// Pod annotations read by ECI when it creates the pod.
const (
	// AnnotationImageCache "true" lets ECI match an image cache automatically
	// and create one when none matches.
	AnnotationImageCache = "k8s.aliyun.com/eci-image-cache"
	// AnnotationImageSnapshotID pins a given image cache (imc-...).
	AnnotationImageSnapshotID = "k8s.aliyun.com/eci-image-snapshot-id"
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
