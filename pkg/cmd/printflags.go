package cmd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/printers"
)

// PrintFlags is genericclioptions.PrintFlags without the go-template printers:
// -o json|yaml|name|jsonpath|jsonpath-file|jsonpath-as-json. text/template
// looks methods up by name at run time, so linking it keeps every exported
// method of every API type in the binary: a quarter of its size, for one
// output format that jsonpath covers.
type PrintFlags struct {
	JSONYamlPrintFlags *genericclioptions.JSONYamlPrintFlags
	NamePrintFlags     *genericclioptions.NamePrintFlags
	JSONPathPrintFlags *genericclioptions.JSONPathPrintFlags

	TypeSetterPrinter *printers.TypeSetterPrinter

	OutputFormat *string
}

// NewPrintFlags returns print flags whose name printer reports operation.
func NewPrintFlags(operation string) *PrintFlags {
	output := ""
	return &PrintFlags{
		OutputFormat:       &output,
		JSONYamlPrintFlags: genericclioptions.NewJSONYamlPrintFlags(),
		NamePrintFlags:     genericclioptions.NewNamePrintFlags(operation),
		JSONPathPrintFlags: genericclioptions.NewJSONPathPrintFlags("", true),
	}
}

// WithTypeSetter makes the printers fill in apiVersion and kind from scheme.
func (f *PrintFlags) WithTypeSetter(scheme *runtime.Scheme) *PrintFlags {
	f.TypeSetterPrinter = printers.NewTypeSetter(scheme)
	return f
}

// AllowedFormats lists the values -o takes.
func (f *PrintFlags) AllowedFormats() []string {
	var formats []string
	formats = append(formats, f.JSONYamlPrintFlags.AllowedFormats()...)
	formats = append(formats, f.NamePrintFlags.AllowedFormats()...)
	formats = append(formats, f.JSONPathPrintFlags.AllowedFormats()...)
	return formats
}

// ToPrinter returns the printer -o asks for, as genericclioptions.PrintFlags
// does.
func (f *PrintFlags) ToPrinter() (printers.ResourcePrinter, error) {
	format := ""
	if f.OutputFormat != nil {
		format = *f.OutputFormat
	}
	if p, err := f.JSONYamlPrintFlags.ToPrinter(format); !genericclioptions.IsNoCompatiblePrinterError(err) {
		return f.TypeSetterPrinter.WrapToPrinter(p, err)
	}
	if p, err := f.NamePrintFlags.ToPrinter(format); !genericclioptions.IsNoCompatiblePrinterError(err) {
		return f.TypeSetterPrinter.WrapToPrinter(p, err)
	}
	if p, err := f.JSONPathPrintFlags.ToPrinter(format); !genericclioptions.IsNoCompatiblePrinterError(err) {
		return f.TypeSetterPrinter.WrapToPrinter(p, err)
	}
	return nil, genericclioptions.NoCompatiblePrinterError{OutputFormat: f.OutputFormat, AllowedFormats: f.AllowedFormats()}
}

// printerFor returns what commands that write print with: the printer -o
// asks for, whose name printer reports operation and the dry run. A JSON or
// YAML printer is made once for the run: the YAML printer sets each document
// after the first apart with "---", which it can only do if it prints them
// all.
func (f *PrintFlags) printerFor(dryRun dryRunStrategy) func(operation string) (printers.ResourcePrinter, error) {
	var documents printers.ResourcePrinter
	return func(operation string) (printers.ResourcePrinter, error) {
		if documents != nil {
			return documents, nil
		}
		f.NamePrintFlags.Operation = operation + dryRun.suffix()
		p, err := f.ToPrinter()
		if err == nil && f.printsDocuments() {
			documents = p
		}
		return p, err
	}
}

// printsDocuments tells whether -o asks for whole objects: json or yaml.
func (f *PrintFlags) printsDocuments() bool {
	return f.OutputFormat != nil && slices.Contains(f.JSONYamlPrintFlags.AllowedFormats(), *f.OutputFormat)
}

// AddFlags adds -o and the flags of each printer to cmd.
func (f *PrintFlags) AddFlags(cmd *cobra.Command) {
	f.JSONYamlPrintFlags.AddFlags(cmd)
	f.NamePrintFlags.AddFlags(cmd)
	f.JSONPathPrintFlags.AddFlags(cmd)
	cmd.Flags().StringVarP(f.OutputFormat, "output", "o", *f.OutputFormat,
		fmt.Sprintf("Output format. One of: (%s).", strings.Join(f.AllowedFormats(), ", ")))
}
