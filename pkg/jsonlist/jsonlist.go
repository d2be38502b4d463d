// Package jsonlist writes a JSON document whose one long list would be
// costly to hold twice over as text (the pods of a whole cluster): it writes
// what json.MarshalIndent(v, "", "  ") and a newline would, an item of the
// list at a time.
package jsonlist

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"slices"
)

// Write writes shell, a document whose field key (at its top level) holds an
// empty list, with items in that list, as json.MarshalIndent(v, "", "  ")
// would write the document holding them, and a newline.
func Write[T any](w io.Writer, shell any, key string, items []T) error {
	return WriteSeq(w, shell, key, slices.Values(items))
}

// WriteSeq is Write of the items a sequence yields, made as they are
// written: a list never held whole.
func WriteSeq[T any](w io.Writer, shell any, key string, items iter.Seq[T]) error {
	doc, err := json.MarshalIndent(shell, "", "  ")
	if err != nil {
		return err
	}
	list := []byte("\n  \"" + key + "\": [")
	at := bytes.Index(doc, append(list, ']'))
	if at < 0 {
		return fmt.Errorf("jsonlist: no empty list %q at the top of the document", key)
	}
	at += len(list)
	bw := bufio.NewWriter(w)
	bw.Write(doc[:at])
	n := 0
	for item := range items {
		text, err := json.MarshalIndent(item, "    ", "  ")
		if err != nil {
			return err
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(text)
		n++
	}
	if n > 0 {
		bw.WriteString("\n  ")
	}
	bw.Write(doc[at:])
	bw.WriteByte('\n')
	return bw.Flush()
}
