// Package krew renders, checks and installs krew plugin manifests the way the
// krew index and krew itself do, so that a release can be proven installable
// before it is published. validate-krew-manifest (sigs.k8s.io/krew) is not
// importable here, so the index's rules are restated in Validate.
package krew

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// The manifest's type, as krew's index/v1alpha2 API defines it.
const (
	APIVersion = "krew.googlecontainertools.github.com/v1alpha2"
	Kind       = "Plugin"
)

// Plugin is a krew index manifest.
type Plugin struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              PluginSpec `json:"spec"`
}

// PluginSpec describes a plugin and where each platform's archive is.
type PluginSpec struct {
	Version          string     `json:"version"`
	ShortDescription string     `json:"shortDescription"`
	Description      string     `json:"description,omitempty"`
	Caveats          string     `json:"caveats,omitempty"`
	Homepage         string     `json:"homepage,omitempty"`
	Platforms        []Platform `json:"platforms"`
}

// Platform is one archive and the os/arch it installs on.
type Platform struct {
	URI      string                `json:"uri"`
	Sha256   string                `json:"sha256"`
	Selector *metav1.LabelSelector `json:"selector"`
	Files    []FileOperation       `json:"files,omitempty"`
	Bin      string                `json:"bin"`
}

// FileOperation copies the archive's files matching From (a glob) to To.
type FileOperation struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Parse reads a manifest, refusing fields krew does not know.
func Parse(data []byte) (*Plugin, error) {
	var p Plugin
	if err := yaml.UnmarshalStrict(data, &p); err != nil {
		return nil, fmt.Errorf("parse manifest: %w", err)
	}
	return &p, nil
}
