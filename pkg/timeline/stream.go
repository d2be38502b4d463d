package timeline

import (
	"io"

	"github.com/spark-eci/kubectl-spark-eci/pkg/jsonlist"
)

// WriteJSON writes the timeline as json.MarshalIndent(t, "", "  ") does,
// and a newline, a pod at a time: the timeline of tens of thousands of pods
// is never held as JSON text.
func (t Timeline) WriteJSON(w io.Writer) error {
	shell := t
	shell.Pods = []Pod{}
	return jsonlist.Write(w, shell, "pods", t.Pods)
}
