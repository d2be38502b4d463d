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
