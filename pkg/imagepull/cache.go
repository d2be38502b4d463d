package imagepull

import (
	"cmp"
)

// cacheOutcomes ranks what ECI says about its image cache by what it means
// to the user, most telling first. A hit means the cache was used, whatever
// else was said. A miss comes with the auto creation it triggers (or its
// failure); a pinned cache that does not exist or is not ready yet is why the
// pod missed, which matters more than what ECI did next.
var cacheOutcomes = []struct {
	kind    EventKind
	outcome CacheOutcome
}{
	{CacheHit, OutcomeHit},
	{CacheNotFound, OutcomeNotFound},
	{CacheNotComplete, OutcomeNotComplete},
	{CacheAutoCreated, OutcomeAutoCreated},
	{CacheAutoCreateFailed, OutcomeAutoCreateFailed},
	{CacheMissed, OutcomeMissed},
}

// cacheResult reads a pod's cache events (sorted by time) and the image-cache
// annotations of the pod (nil when it is gone): the outcome is the most
// telling event, the latest among equals. The pod's
// eci-matched-image-cache annotation is the id when no event names one.
func cacheResult(evs []Event, pod *PodFacts) CacheResult {
	var res CacheResult
	var matched string
	if pod != nil {
		res.PinnedID, res.Off, matched = pod.PinnedID, pod.CacheOff, pod.MatchedID
	}
	res.ID = matched
	for _, o := range cacheOutcomes {
		if i := latest(evs, o.kind); i >= 0 {
			res.Outcome = o.outcome
			if o.outcome == OutcomeNotFound || o.outcome == OutcomeNotComplete {
				// The pinned cache, never one ECI made or used instead.
				res.ID = cmp.Or(evs[i].CacheID, res.PinnedID)
			} else {
				res.ID = cmp.Or(evs[i].CacheID, latestCacheID(evs), matched)
			}
			break
		}
	}
	if res.Outcome.Missed() {
		if i := latest(evs, CacheAutoCreated); i >= 0 {
			res.AutoCreatedID = evs[i].CacheID
		}
	}
	return res
}

// latest is the index of the last event of kind, or -1.
func latest(evs []Event, kind EventKind) int {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind == kind {
			return i
		}
	}
	return -1
}

func latestCacheID(evs []Event) string {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind.IsCache() && evs[i].CacheID != "" {
			return evs[i].CacheID
		}
	}
	return ""
}
