package imagepull

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// seconds is a duration as JSON writes it in the report: seconds, as a
// number with as many decimals as needed (101.289, 0.000717).
type seconds time.Duration

func (s seconds) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, time.Duration(s).Seconds(), 'f', -1, 64), nil
}

func (s *seconds) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	ns := math.Round(f * float64(time.Second))
	if ns < 0 || ns >= math.MaxInt64 {
		return fmt.Errorf("%v seconds: out of range", f)
	}
	*s = seconds(ns)
	return nil
}

// imagePullJSON is ImagePull as the report writes it: the field order and
// names of doc.go.
type imagePullJSON struct {
	Container          string    `json:"container"`
	Image              string    `json:"image"`
	Init               bool      `json:"init,omitempty"`
	State              PullState `json:"state"`
	PullSeconds        *seconds  `json:"pullSeconds,omitempty"`
	PullTimeFrom       string    `json:"pullTimeFrom,omitempty"`
	WithWaitingSeconds *seconds  `json:"withWaitingSeconds,omitempty"`
	SizeBytes          int64     `json:"sizeBytes,omitempty"`
	Error              string    `json:"error,omitempty"`
	Attempts           int       `json:"attempts,omitempty"`
}

// MarshalJSON writes the durations as seconds. pullSeconds is there whenever
// the pull time is known, even when it is under a millisecond.
func (p ImagePull) MarshalJSON() ([]byte, error) {
	out := imagePullJSON{
		Container: p.Container, Image: p.Image, Init: p.Init, State: p.State,
		PullTimeFrom: p.PullTimeFrom, SizeBytes: p.SizeBytes, Error: p.Error, Attempts: p.Attempts,
	}
	if p.PullTimeFrom != "" || p.PullTime != 0 {
		out.PullSeconds = (*seconds)(&p.PullTime)
	}
	if p.WithWaiting != 0 {
		out.WithWaitingSeconds = (*seconds)(&p.WithWaiting)
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *ImagePull) UnmarshalJSON(b []byte) error {
	var in imagePullJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*p = ImagePull{
		Container: in.Container, Image: in.Image, Init: in.Init, State: in.State,
		PullTimeFrom: in.PullTimeFrom, SizeBytes: in.SizeBytes, Error: in.Error, Attempts: in.Attempts,
	}
	if in.PullSeconds != nil {
		p.PullTime = time.Duration(*in.PullSeconds)
	}
	if in.WithWaitingSeconds != nil {
		p.WithWaiting = time.Duration(*in.WithWaitingSeconds)
	}
	return nil
}

// cacheResultJSON is CacheResult as the report writes it.
type cacheResultJSON struct {
	Outcome       CacheOutcome `json:"outcome,omitempty"`
	Missed        bool         `json:"missed,omitempty"`
	ID            string       `json:"id,omitempty"`
	AutoCreatedID string       `json:"autoCreatedId,omitempty"`
	PinnedID      string       `json:"pinnedId,omitempty"`
	Off           bool         `json:"off,omitempty"`
}

// MarshalJSON writes missed beside the outcome it follows from, so that a
// reader need not know which outcomes are misses.
func (c CacheResult) MarshalJSON() ([]byte, error) {
	return json.Marshal(cacheResultJSON{
		Outcome: c.Outcome, Missed: c.Missed(), ID: c.ID,
		AutoCreatedID: c.AutoCreatedID, PinnedID: c.PinnedID, Off: c.Off,
	})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *CacheResult) UnmarshalJSON(b []byte) error {
	var in cacheResultJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*c = CacheResult{Outcome: in.Outcome, ID: in.ID, AutoCreatedID: in.AutoCreatedID, PinnedID: in.PinnedID, Off: in.Off}
	return nil
}

// summaryJSON is Summary as the report writes it.
type summaryJSON struct {
	Pods                    int      `json:"pods"`
	ECIPods                 int      `json:"eciPods"`
	Hits                    int      `json:"hits"`
	Misses                  int      `json:"misses"`
	Undecided               int      `json:"undecided"`
	AutoCreated             int      `json:"autoCreated"`
	AutoCreatedIDs          []string `json:"autoCreatedIds"`
	Failed                  int      `json:"failed"`
	Pulls                   int      `json:"pulls"`
	PullP50Seconds          seconds  `json:"pullP50Seconds"`
	PullP95Seconds          seconds  `json:"pullP95Seconds"`
	PullMaxSeconds          seconds  `json:"pullMaxSeconds"`
	WarmCacheSavingsSeconds seconds  `json:"warmCacheSavingsSeconds"`
}

// MarshalJSON writes the durations as seconds.
func (s Summary) MarshalJSON() ([]byte, error) {
	if s.AutoCreatedIDs == nil {
		s.AutoCreatedIDs = []string{} // a list, even when empty
	}
	return json.Marshal(summaryJSON{
		Pods: s.Pods, ECIPods: s.ECIPods, Hits: s.Hits, Misses: s.Misses, Undecided: s.Undecided,
		AutoCreated: s.AutoCreated, AutoCreatedIDs: s.AutoCreatedIDs, Failed: s.Failed, Pulls: s.Pulls,
		PullP50Seconds: seconds(s.PullP50), PullP95Seconds: seconds(s.PullP95),
		PullMaxSeconds: seconds(s.PullMax), WarmCacheSavingsSeconds: seconds(s.WarmCacheSavings),
	})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Summary) UnmarshalJSON(b []byte) error {
	var in summaryJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*s = Summary{
		Pods: in.Pods, ECIPods: in.ECIPods, Hits: in.Hits, Misses: in.Misses, Undecided: in.Undecided,
		AutoCreated: in.AutoCreated, AutoCreatedIDs: in.AutoCreatedIDs, Failed: in.Failed, Pulls: in.Pulls,
		PullP50: time.Duration(in.PullP50Seconds), PullP95: time.Duration(in.PullP95Seconds),
		PullMax: time.Duration(in.PullMaxSeconds), WarmCacheSavings: time.Duration(in.WarmCacheSavingsSeconds),
	}
	return nil
}
