package imagepull

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// containerOf reads the container out of an involvedObject.fieldPath such as
// "spec.containers{spark-kubernetes-driver}" or "spec.initContainers{init}".
func containerOf(fieldPath string) (name string, init bool) {
	field, rest, ok := strings.Cut(fieldPath, "{")
	if !ok || !strings.HasSuffix(rest, "}") {
		return "", false
	}
	switch field {
	case "spec.containers", "spec.initContainers", "spec.ephemeralContainers":
		return strings.TrimSuffix(rest, "}"), field == "spec.initContainers"
	}
	return "", false
}

// quoted returns the first double-quoted string of msg (the kubelet writes
// images with %q) and what follows it; "" and all of msg when there is none.
func quoted(msg string) (image, rest string) {
	_, after, ok := strings.Cut(msg, `"`)
	if !ok {
		return "", msg
	}
	image, rest, ok = strings.Cut(after, `"`)
	if !ok {
		return "", msg
	}
	return image, rest
}

// pullTime reads the first duration of a Pulled message, the pull itself:
// ` in 1m41.289s (1m41.289s including waiting). Image size: N bytes.`
func pullTime(rest string) (time.Duration, bool) {
	_, after, ok := strings.Cut(rest, " in ")
	if !ok {
		return 0, false
	}
	token, _, _ := strings.Cut(after, " ")
	return duration(token)
}

// withWaiting reads the "(D including waiting)" duration of a Pulled message.
func withWaiting(rest string) (time.Duration, bool) {
	before, _, ok := strings.Cut(rest, " including waiting)")
	if !ok {
		return 0, false
	}
	i := strings.LastIndex(before, "(")
	if i < 0 {
		return 0, false
	}
	return duration(before[i+1:])
}

// duration parses what time.Duration.String wrote, maybe followed by the
// sentence's punctuation. A negative duration is no duration.
func duration(s string) (time.Duration, bool) {
	d, err := time.ParseDuration(strings.TrimRight(s, ".,;:)"))
	if err != nil || d < 0 {
		return 0, false
	}
	return d, true
}

// imageSize reads "Image size: N bytes." (kubelets 1.30 and later).
func imageSize(rest string) int64 {
	_, after, ok := strings.Cut(rest, "Image size: ")
	if !ok {
		return 0
	}
	digits := after[:len(after)-len(strings.TrimLeft(after, "0123456789"))]
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// Compiled when first used, not by every command as it starts.
var cacheIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\bimc-[0-9A-Za-z]+`) })

// cacheID is the image cache an ECI message names. Ids are imc-...; the older
// messages print whatever was specified, so for the kinds whose message names
// a cache the word after "image cache" is taken when no imc- id is there.
func cacheID(kind EventKind, msg string) string {
	if id := cacheIDPattern().FindString(msg); id != "" {
		return id
	}
	switch kind {
	case CacheHit, CacheAutoCreated, CacheNotFound, CacheNotComplete:
	default:
		return ""
	}
	_, after, ok := strings.Cut(msg, "image cache ")
	if !ok {
		if _, after, ok = strings.Cut(msg, "Image cache "); !ok {
			return ""
		}
	}
	word, _, _ := strings.Cut(after, " ")
	word = strings.TrimRight(word, ".,")
	if word == "is" || word == "" {
		return ""
	}
	return word
}
