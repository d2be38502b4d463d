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
)

// Write writes shell, a document whose field key (at its top level) holds an
// empty list, with items in that list, as json.MarshalIndent(v, "", "  ")
// would write the document holding them, and a newline.
func Write[T any](w io.Writer, shell any, key string, items []T) error {
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
	if len(items) == 0 {
		bw.Write(doc)
	} else {
		bw.Write(doc[:at])
		for i := range items {
			item, err := json.MarshalIndent(items[i], "    ", "  ")
			if err != nil {
				return err
			}
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString("\n    ")
			bw.Write(item)
		}
		bw.WriteString("\n  ")
		bw.Write(doc[at:])
	}
	bw.WriteByte('\n')
	return bw.Flush()
}
