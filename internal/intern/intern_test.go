package intern

import (
	"strings"
	"testing"
	"unsafe"
)

func TestStringSharesOneCopy(t *testing.T) {
	a, b := String(strings.Repeat("x", 3)), String("x"+"xx"[:2])
	if a != "xxx" || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Errorf("two copies of %q", a)
	}
	if String("") != "" {
		t.Error("the empty string")
	}
}
