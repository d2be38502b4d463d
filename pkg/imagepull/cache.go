package imagepull

// cacheOutcomes ranks what ECI says about its image cache by what it means
// to the user, most telling first. A miss comes together with the auto
// creation it triggers (or its failure), and a specified cache that does not
// exist or is not ready yet ends in a miss: the more specific one is reported.
// A hit means the cache was used, whatever else was said.
var cacheOutcomes = []struct {
	kind    EventKind
	outcome CacheOutcome
}{
	{CacheHit, OutcomeHit},
	{CacheAutoCreated, OutcomeAutoCreated},
	{CacheAutoCreateFailed, OutcomeAutoCreateFailed},
	{CacheNotFound, OutcomeNotFound},
	{CacheNotComplete, OutcomeNotComplete},
	{CacheMissed, OutcomeMissed},
}

// cacheResult picks the outcome of a pod's cache events (sorted by time):
// the most telling one, the latest among equals. matched is the
// eci-matched-image-cache annotation, the id when no event names one.
func cacheResult(evs []Event, matched string) CacheResult {
	for _, o := range cacheOutcomes {
		for i := len(evs) - 1; i >= 0; i-- {
			if evs[i].Kind != o.kind {
				continue
			}
			res := CacheResult{Outcome: o.outcome, ID: evs[i].CacheID}
			if res.ID == "" {
				res.ID = latestCacheID(evs)
			}
			if res.ID == "" {
				res.ID = matched
			}
			return res
		}
	}
	return CacheResult{ID: matched}
}

func latestCacheID(evs []Event) string {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind.IsCache() && evs[i].CacheID != "" {
			return evs[i].CacheID
		}
	}
	return ""
}
