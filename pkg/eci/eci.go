// Package eci names what Alibaba Cloud Elastic Container Instance reads from
// and writes onto pods: the annotations of its image cache, spot instances and
// other pod options, and the events it writes about its image cache.
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
	// AnnotationSpotDuration is the protection period of a spot instance in
	// hours: 1 (ECI's default) or 0, none.
	AnnotationSpotDuration = "k8s.aliyun.com/eci-spot-duration"
	// AnnotationSpotFallback "true" makes ECI create a pay-as-you-go
	// instance when no spot instance is to be had.
	AnnotationSpotFallback = "k8s.aliyun.com/eci-spot-fallback"
	// AnnotationExtraEphemeralStorage adds to the pod's free temporary
	// storage (30 GiB), where Spark spills shuffle data.
	AnnotationExtraEphemeralStorage = "k8s.aliyun.com/eci-extra-ephemeral-storage"
	// AnnotationUseSpecs lists, in order of preference, the instance specs
	// ECI may use: vCPU-memory pairs ("2-4Gi") and ECS instance types.
	AnnotationUseSpecs = "k8s.aliyun.com/eci-use-specs"
	// AnnotationVSwitch lists the vSwitches, one per zone, the pod may be
	// created in.
	AnnotationVSwitch = "k8s.aliyun.com/eci-vswitch"
	// AnnotationScheduleStrategy says how ECI picks among them:
	// VSwitchOrdered or VSwitchRandom.
	AnnotationScheduleStrategy = "k8s.aliyun.com/eci-schedule-strategy"
)

// Pod annotations ECI writes once it has created the pod.
const (
	// AnnotationMatchedImageCache is the image cache the pod was started from.
	AnnotationMatchedImageCache = "k8s.aliyun.com/eci-matched-image-cache"
	// AnnotationInstanceSpec is the instance the pod runs on: a vCPU-memory
	// spec ("2.0-4.0Gi") or an ECS instance type.
	AnnotationInstanceSpec = "k8s.aliyun.com/eci-instance-spec"
)

// CreatedPod tells a pod ECI created, by the annotations it writes onto it
// then: ECI's own word that the pod runs on ECI, whatever its node.
func CreatedPod(annotations map[string]string) bool {
	return annotations[AnnotationMatchedImageCache] != "" || annotations[AnnotationInstanceSpec] != ""
}

// Spot strategies.
const (
	SpotAsPriceGo      = "SpotAsPriceGo"
	SpotWithPriceLimit = "SpotWithPriceLimit"
)

// Schedule strategies across vSwitches.
const (
	VSwitchOrdered = "VSwitchOrdered"
	VSwitchRandom  = "VSwitchRandom"
)

// ConditionContainerInstanceCreated is the pod condition ECI keeps: reason
// Creating while it makes the instance, one of its instance reasons when it
// cannot, True once the instance exists.
const ConditionContainerInstanceCreated = "ContainerInstanceCreated"

// EventSource tells ECI's events by their source component: EciService,
// or the virtual node's eci-provider on older clusters.
func EventSource(component string) bool {
	return component == "EciService" || component == "eci-provider"
}

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
