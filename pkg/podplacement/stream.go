package podplacement

import (
	"io"

	"github.com/spark-eci/kubectl-spark-eci/pkg/jsonlist"
)

// WriteJSON writes the status as json.MarshalIndent(s, "", "  ") does, and
// a newline, an application at a time: the status of a whole cluster is
// never held as JSON text.
func (s Status) WriteJSON(w io.Writer) error {
	shell := s
	shell.Applications = []Application{}
	return jsonlist.Write(w, shell, "applications", s.Applications)
}
