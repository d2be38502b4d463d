package cmd

import (
	"encoding/json"
	"fmt"
	"io"

	"sigs.k8s.io/yaml"
)

// writeDocument writes v as an indented JSON document or as YAML, the -o
// json|yaml of the plugin's own report types. It reports false for any other
// format, which the command then prints its own way.
func writeDocument(w io.Writer, format string, v any) (bool, error) {
	var b []byte
	var err error
	switch format {
	case "json":
		if b, err = json.MarshalIndent(v, "", "  "); err == nil {
			b = append(b, '\n')
		}
	case "yaml":
		b, err = yaml.Marshal(v)
	default:
		return false, nil
	}
	if err != nil {
		return true, fmt.Errorf("encode %s: %w", format, err)
	}
	_, err = w.Write(b)
	return true, err
}
