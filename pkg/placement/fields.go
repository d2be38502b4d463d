package placement

// Helpers over unstructured content (map[string]interface{} as decoded from
// JSON). Containers are created only when something is added to them, and
// removed only when a removal here left them empty, so a user's own empty
// objects are never touched by a no-op.

// mapAt returns the map at path below m, or nil when any step is missing.
func mapAt(m map[string]interface{}, path ...string) map[string]interface{} {
	for _, key := range path {
		if m == nil {
			return nil
		}
		m, _ = m[key].(map[string]interface{})
	}
	return m
}

// ensureMapAt returns the map at path below m, creating the missing steps.
func ensureMapAt(m map[string]interface{}, path ...string) map[string]interface{} {
	for _, key := range path {
		next, ok := m[key].(map[string]interface{})
		if !ok {
			next = map[string]interface{}{}
			m[key] = next
		}
		m = next
	}
	return m
}

// listAt returns the list stored under key in m.
func listAt(m map[string]interface{}, key string) []interface{} {
	if m == nil {
		return nil
	}
	l, _ := m[key].([]interface{})
	return l
}

// pruneEmpty deletes, deepest first, each map along path below m that is empty.
// Call it only after removing something below path.
func pruneEmpty(m map[string]interface{}, path ...string) {
	if len(path) == 0 || m == nil {
		return
	}
	child, ok := m[path[0]].(map[string]interface{})
	if !ok {
		return
	}
	pruneEmpty(child, path[1:]...)
	if len(child) == 0 {
		delete(m, path[0])
	}
}

// pruneBelow is pruneEmpty of path (which starts with keep) that never
// deletes the map at keep or any above it.
func pruneBelow(m map[string]interface{}, keep, path []string) {
	pruneEmpty(mapAt(m, keep...), path[len(keep):]...)
}

// removeMatching returns l without the items match accepts, and how many it removed.
func removeMatching(l []interface{}, match func(interface{}) bool) ([]interface{}, int) {
	kept := make([]interface{}, 0, len(l))
	for _, item := range l {
		if !match(item) {
			kept = append(kept, item)
		}
	}
	return kept, len(l) - len(kept)
}

func containsMatching(l []interface{}, match func(interface{}) bool) bool {
	for _, item := range l {
		if match(item) {
			return true
		}
	}
	return false
}

// setOrDelete stores l under key, or deletes key when l is empty.
func setOrDelete(m map[string]interface{}, key string, l []interface{}) {
	if len(l) == 0 {
		delete(m, key)
		return
	}
	m[key] = l
}

// asInt64 reads a JSON number, whichever Go type the decoder chose for it.
func asInt64(v interface{}) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case float64:
		if n == float64(int64(n)) {
			return int64(n), true
		}
	}
	return 0, false
}
