package why

import "strings"

// Source is what tells a reason: who wrote it into the cluster, or, for
// PlacementNotApplied, the pod compared with its application.
type Source string

// The sources of the reasons.
const (
	// SourceECI: ECI's events (component EciService, older eci-provider)
	// and its ContainerInstanceCreated condition.
	SourceECI Source = "ECI"
	// SourceKubelet: the container states and the pod's status the kubelet
	// (or the virtual node standing for it) writes.
	SourceKubelet Source = "kubelet"
	// SourceScheduler: the pod's PodScheduled condition and the scheduler's
	// FailedScheduling events.
	SourceScheduler Source = "scheduler"
	// SourceOperator: the Spark operator's status of the application.
	SourceOperator Source = "operator"
	// SourcePlacement: the pod compared with what its role's spec asks.
	SourcePlacement Source = "placement"
)

// Reason is one reason a pod does not run as its application asks: the word
// the cluster writes for it (or, where the cluster has none, this tool's),
// what it means and what to do about it.
type Reason struct {
	Name   string
	Source Source
	// Pods says what the pods of a role with this reason do, after a count
	// ("3 of 5 executors wait on ECI"); Pod what one does ("the driver
	// waits on ECI").
	Pods, Pod string
	// Means says, in one line, what it means.
	Means string
	// Fix says what to do. APP stands for the application as place takes it,
	// POD for the pod, each with its namespace; Problem.Fix has them filled
	// in.
	Fix string
}

// Reasons of ECI's own, as it writes them in its events and in the
// ContainerInstanceCreated condition.
const (
	ReasonNoStock                = "NoStock"
	ReasonStockExhaust           = "StockExhaust"
	ReasonStockClose             = "StockClose"
	ReasonResourceInsufficient   = "ResourceInsufficient"
	ReasonQuotaFull              = "QuotaFull"
	ReasonInsufficientBalance    = "InsufficientBalance"
	ReasonUnauthorized           = "Unauthorized"
	ReasonDiskCapacityQuotaFull  = "DiskCapacityQuotaFull"
	ReasonECIFailedScheduling    = "FailedScheduling"
	ReasonUnknownError           = "UnknownError"
	ReasonAttachDiskFailed       = "AttachDiskFailed"
	ReasonCPUOptionsNotSupported = "CpuOptionsNotSupported"
	ReasonCPUOptionsNotValid     = "CpuOptionsNotValid"
	ReasonSpotToBeReleased       = "SpotToBeReleased"
	ReasonImageCacheNotFound     = "ImageCacheNotFound"
	ReasonImageCacheNotComplete  = "ImageCacheNotComplete"
)

// Reasons of the kubelet, in container states and the pod's status.
const (
	ReasonErrImagePull               = "ErrImagePull"
	ReasonImagePullBackOff           = "ImagePullBackOff"
	ReasonInvalidImageName           = "InvalidImageName"
	ReasonCreateContainerConfigError = "CreateContainerConfigError"
	ReasonCrashLoopBackOff           = "CrashLoopBackOff"
	ReasonOOMKilled                  = "OOMKilled"
	ReasonError                      = "Error"
	ReasonEvicted                    = "Evicted"
)

// Reasons of the scheduler, the operator and the placement.
const (
	ReasonUnschedulable       = "Unschedulable"
	ReasonApplicationFailed   = "ApplicationFailed"
	ReasonSparkDriverNotFound = "SparkDriverNotFound"
	ReasonPlacementNotApplied = "PlacementNotApplied"
)

const (
	moreZones   = "give ECI vSwitches in other zones: kubectl spark-eci place APP --vswitches=VSW,VSW --zone-strategy=VSwitchRandom"
	anotherSpec = "let ECI choose another spec: kubectl spark-eci place APP --instance-types=2-4Gi,4-8Gi"
	retryECI    = "ECI tries again; if it goes on, submit a ticket to Alibaba Cloud"
	moreMemory  = "give the role more memory: spec.driver.memoryOverhead or spec.executor.memoryOverhead (or memory)"
	checkImage  = "check the image's name and tag, and the pull secret (spec.imagePullSecrets)"
	matchCache  = "or let ECI match one: kubectl spark-eci place APP --image-cache=auto"
)

// reasons is the one table of reasons: the docs' table is checked against
// it. ECI's are those of Alibaba Cloud's "Custom events of ECI" and "Custom
// conditions of ECI-based pods".
var reasons = []Reason{
	{ReasonNoStock, SourceECI, "wait on ECI", "waits on ECI", "ECI is out of stock of the instance in the zone",
		moreZones + " and more specs: --instance-types=2-4Gi,4-8Gi"},
	{ReasonStockExhaust, SourceECI, "wait on ECI", "waits on ECI", "the stock of ECI in the zones given runs out", moreZones},
	{ReasonStockClose, SourceECI, "wait on ECI", "waits on ECI", "the zone is closed to new ECI instances", moreZones},
	{ReasonResourceInsufficient, SourceECI, "wait on ECI", "waits on ECI", "ECI has not the resources the pod's spec asks for",
		"let ECI choose among more specs: kubectl spark-eci place APP --instance-types=2-4Gi,4-8Gi,ecs.c6.xlarge"},
	{ReasonQuotaFull, SourceECI, "wait on ECI", "waits on ECI", "the account's ECI quota is reached", "raise the ECI quota in Alibaba Cloud's Quota Center, or run fewer pods on ECI"},
	{ReasonInsufficientBalance, SourceECI, "wait on ECI", "waits on ECI", "the account's balance cannot pay for the instance", "top up the Alibaba Cloud account"},
	{ReasonUnauthorized, SourceECI, "wait on ECI", "waits on ECI", "ECI is not allowed to create the instance for this account", "check the RAM role and authorization the virtual node uses"},
	{ReasonDiskCapacityQuotaFull, SourceECI, "wait on ECI", "waits on ECI", "the account's disk capacity quota is reached", "raise the disk capacity quota in Alibaba Cloud's Quota Center"},
	{ReasonECIFailedScheduling, SourceECI, "wait on ECI", "waits on ECI", "ECI could not schedule the instance", retryECI},
	{ReasonUnknownError, SourceECI, "wait on ECI", "waits on ECI", "ECI is under heavy load or met an unknown error", retryECI},
	{ReasonAttachDiskFailed, SourceECI, "wait on ECI", "waits on ECI", "ECI could not attach a disk the pod mounts", "check the pod's disk volumes and their zone"},
	{ReasonCPUOptionsNotSupported, SourceECI, "wait on ECI", "waits on ECI", "the instance type does not take the pod's CPU options", anotherSpec},
	{ReasonCPUOptionsNotValid, SourceECI, "wait on ECI", "waits on ECI", "the pod's CPU options are not valid for the instance type", anotherSpec},
	{ReasonSpotToBeReleased, SourceECI, "run on spot instances ECI releases", "runs on a spot instance ECI releases", "ECI releases the pod's spot instance",
		"let ECI fall back to pay-as-you-go and protect the instance for an hour: kubectl spark-eci place APP --spot-fallback --spot-duration=1"},
	{ReasonOOMKilled, SourceECI, "were killed for memory", "was killed for memory", "ECI says the pod ran out of memory",
		moreMemory},
	{ReasonImageCacheNotFound, SourceECI, "pull without their image cache", "pulls without its image cache", "the image cache the pod pins does not exist",
		"pin a cache that exists (kubectl spark-eci image-cache list), " + matchCache},
	{ReasonImageCacheNotComplete, SourceECI, "pull without their image cache", "pulls without its image cache", "the image cache the pod pins is still being made",
		"wait for it to be Ready (kubectl spark-eci image-cache list), " + matchCache},

	{ReasonErrImagePull, SourceKubelet, "cannot pull their image", "cannot pull its image", "the image could not be pulled", checkImage},
	{ReasonImagePullBackOff, SourceKubelet, "cannot pull their image", "cannot pull its image", "the image could not be pulled; the kubelet waits before it tries again",
		checkImage},
	{ReasonInvalidImageName, SourceKubelet, "cannot pull their image", "cannot pull its image", "the image's name is not valid", "correct spec.image"},
	{ReasonCreateContainerConfigError, SourceKubelet, "cannot start", "cannot start", "a ConfigMap, Secret or key the container refers to is missing",
		"create what the message names, or correct the reference"},
	{ReasonCrashLoopBackOff, SourceKubelet, "keep failing", "keeps failing", "the container keeps exiting; the kubelet waits before it starts it again",
		"read why it exits: kubectl logs --previous POD"},
	{ReasonOOMKilled, SourceKubelet, "were killed for memory", "was killed for memory", "the container went over its memory limit and was killed (exit 137)",
		moreMemory},
	{ReasonError, SourceKubelet, "failed", "failed", "the container exited with an error", "read why: kubectl logs POD"},
	{ReasonEvicted, SourceKubelet, "were evicted", "was evicted", "the node evicted the pod, short of a resource", "give the role more ephemeral storage on ECI (kubectl spark-eci place APP --ephemeral-storage=50Gi) or memory"},

	{ReasonPlacementNotApplied, SourcePlacement, "did not get their placement", "did not get its placement",
		"the pod lacks the placement its role's spec asks for, or runs on the other kind of node",
		"put the placement in the pod templates, which need no webhook: kubectl spark-eci place APP --via=template"},
	{ReasonUnschedulable, SourceScheduler, "wait for a node", "waits for a node", "the scheduler finds no node that fits the pod",
		"see which nodes the role may use, and why the others do not fit: kubectl spark-eci status APP -o wide"},
	{ReasonApplicationFailed, SourceOperator, "failed", "failed", "the operator marked the application FAILED", "read the driver's log: kubectl logs POD"},
	{ReasonSparkDriverNotFound, SourceOperator, "failed", "failed", "the operator found no driver pod (\"driver pod not found\"): deleted, evicted or never created",
		"see what became of it: kubectl get events --field-selector involvedObject.name=POD"},
}

// Reasons are the reasons known, in the order of the docs' table.
func Reasons() []Reason { return append([]Reason(nil), reasons...) }

// Lookup finds a reason by its name and source (FailedScheduling is both
// ECI's and the scheduler's word).
func Lookup(name string, source Source) (Reason, bool) {
	for _, r := range reasons {
		if r.Name == name && r.Source == source {
			return r, true
		}
	}
	return Reason{}, false
}

// instanceReasons are ECI's reasons for not creating an instance.
var instanceReasons = map[string]bool{
	ReasonNoStock: true, ReasonStockExhaust: true, ReasonStockClose: true, ReasonResourceInsufficient: true,
	ReasonQuotaFull: true, ReasonInsufficientBalance: true, ReasonUnauthorized: true, ReasonDiskCapacityQuotaFull: true,
	ReasonECIFailedScheduling: true, ReasonUnknownError: true, ReasonAttachDiskFailed: true,
	ReasonCPUOptionsNotSupported: true, ReasonCPUOptionsNotValid: true,
}

// fillFix writes the application into a reason's fix.
func fillFix(fix, app, pod string) string {
	return strings.NewReplacer("APP", app, "POD", pod).Replace(fix)
}
