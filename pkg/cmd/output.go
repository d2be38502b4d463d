package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"sigs.k8s.io/yaml"
)

// writeDocument writes v as an indented JSON document or as YAML, the -o
// json|yaml of the plugin's own report types. It reports false for any other
// format, which the command then prints its own way.
func writeDocument(w io.Writer, format string, v any) (bool, error) {
	var b []byte
	var err error
	switch streamer, streams := v.(jsonStreamer); {
	case format == "json" && streams:
		if err := streamer.WriteJSON(w); err != nil {
			return true, fmt.Errorf("encode json: %w", err)
		}
		return true, nil
	case format == "json":
		if b, err = json.MarshalIndent(v, "", "  "); err == nil {
			b = append(b, '\n')
		}
	case format == "yaml":
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

// jsonStreamer is a document that writes its JSON (as json.MarshalIndent
// with two spaces would, and a newline) a part at a time: one of many pods.
type jsonStreamer interface {
	WriteJSON(io.Writer) error
}

// addOutputFlag adds -o for a command that prints its own documents: a
// table when empty, else one of formats; completion offers them.
func addOutputFlag(cmd *cobra.Command, p *string, usage string, formats ...string) {
	cmd.Flags().StringVarP(p, "output", "o", *p, usage)
	_ = cmd.RegisterFlagCompletionFunc("output", fixedValues(formats...))
}

// checkOutput accepts "" (the table) and formats.
func checkOutput(format string, formats ...string) error {
	if format == "" || slices.Contains(formats, format) {
		return nil
	}
	want := formats[len(formats)-1]
	if len(formats) > 1 {
		want = strings.Join(formats[:len(formats)-1], ", ") + " or " + want
	}
	return fmt.Errorf("unknown --output %q: want %s", format, want)
}
