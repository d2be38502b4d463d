// Package version holds the build's version, stamped by the linker:
//
//	go build -ldflags "-X github.com/spark-eci/kubectl-spark-eci/pkg/version.Version=v0.1.0 ..."
package version

import (
	"fmt"
	"runtime"
)

// Stamped at build time; the defaults mark a build made without the Makefile.
var (
	Version = "v0.0.0-dev"
	Commit  = "unknown"
	Date    = "unknown"
)

// Info is the version as printed by "kubectl spark-eci version -o json".
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	BuildDate string `json:"buildDate"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// Get returns the version of this build.
func Get() Info {
	return Info{
		Version:   Version,
		Commit:    Commit,
		BuildDate: Date,
		GoVersion: runtime.Version(),
		Platform:  fmt.Sprintf("%s/%s", runtime.GOOS, runtime.GOARCH),
	}
}
