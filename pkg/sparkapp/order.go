package sparkapp

import "cmp"

// ComparePods orders two pods, by role and name, the way Spark users read
// them: the driver, then the executors by name in natural order (exec-2
// before exec-10), then any other pods.
func ComparePods(roleA, nameA, roleB, nameB string) int {
	return cmp.Or(cmp.Compare(roleRank(roleA), roleRank(roleB)), naturalCompare(nameA, nameB))
}

func roleRank(role string) int {
	switch RoleOfLabel(role) {
	case Driver:
		return 0
	case Executor:
		return 1
	}
	return 2
}

// naturalCompare compares names with their runs of digits as numbers.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		ca, ra := chunk(a)
		cb, rb := chunk(b)
		if c := compareChunk(ca, cb); c != 0 {
			return c
		}
		a, b = ra, rb
	}
	return cmp.Compare(len(a), len(b))
}

// chunk splits s after its leading run of digits or of non-digits.
func chunk(s string) (string, string) {
	digit := isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == digit {
		i++
	}
	return s[:i], s[i:]
}

func compareChunk(a, b string) int {
	if isDigit(a[0]) && isDigit(b[0]) {
		ta, tb := trimZeros(a), trimZeros(b)
		return cmp.Or(cmp.Compare(len(ta), len(tb)), cmp.Compare(ta, tb), cmp.Compare(a, b))
	}
	return cmp.Compare(a, b)
}

func trimZeros(s string) string {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
