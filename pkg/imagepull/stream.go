package imagepull

import (
	"io"

	"github.com/spark-eci/kubectl-spark-eci/pkg/jsonlist"
)

// WriteJSON writes the report as json.MarshalIndent(r, "", "  ") does, and
// a newline, a pod at a time: the report of tens of thousands of pods is
// never held as JSON text.
func (r Report) WriteJSON(w io.Writer) error {
	shell := r
	shell.Pods = []PodReport{}
	return jsonlist.Write(w, shell, "pods", r.Pods)
}
