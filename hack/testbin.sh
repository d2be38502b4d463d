#!/usr/bin/env bash
# Builds the control plane the end-to-end tests run against (kube-apiserver,
# kube-scheduler, etcd; kubectl too when none is on PATH), the Spark operator
# at each version the tests run (its webhook and controller), krew (which installs the release
# archives in the release test) and goreleaser (which builds them) from the Go
# module proxy, and fetches the Spark operator's CRDs from its Go module.
# Everything is cached by the hash of the wrapper modules under hack/testbin,
# so a second run, a fresh clone on the same machine, and CI reuse it.
#
# The control plane and each tool have keys of their own: a change to
# the operator's module must not throw away a kube-apiserver that takes ten
# minutes to build. The operator and krew are linked into the control plane's
# directory.
#
# Prints the directory holding the binaries (envtest reads it as
# KUBEBUILDER_ASSETS); the CRDs of the operator v2.3.0 are in its crds/ folder,
# those of v2.5.2 in crds-v2.5.2/. With the argument
# goreleaser, it builds only goreleaser (for make dist) and prints its path.
#
# SPARK_ECI_TESTBIN overrides the cache root (default: the user cache directory).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${SPARK_ECI_TESTBIN:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-spark-eci/testbin}

module_version() { # module_version WRAPPER MODULE: the version WRAPPER's go.mod requires
  awk -v m="$2" '$1 == "require" && $2 == m {print $3; exit} $1 == m && $2 ~ /^v/ {print $2; exit}' "$here/testbin/$1/go.mod"
}
spark_operator_version=$(module_version spark-operator github.com/kubeflow/spark-operator/v2)
k8s_version=$(module_version kubernetes k8s.io/kubernetes)

# The control plane's key covers its wrapper modules (listed in this order, so
# that existing caches stay valid) and the operator version its CRDs come from.
key=$( (cat "$here"/testbin/{etcd,kubernetes}/go.mod "$here"/testbin/{etcd,kubernetes}/go.sum "$here/testbin/etcd/main.go"
  echo "$spark_operator_version") | sha256sum | cut -c1-12)
dir="$root/kubernetes-$k8s_version-$key"
mkdir -p "$root"
exec 9>"$root/.lock"
flock 9

build() { # build MODULE_DIR PACKAGE OUTPUT_DIR NAME
  [ -x "$3/$4" ] && return
  echo "testbin: building $4 into $3" >&2
  mkdir -p "$3"
  (cd "$here/testbin/$1" && CGO_ENABLED=0 go build -buildvcs=false -trimpath -ldflags='-s -w' -o "$3/.$4.tmp" "$2")
  mv "$3/.$4.tmp" "$3/$4"
}

# keyed_dir WRAPPER MODULE: the cache directory of a wrapper module's tools,
# keyed by that module alone.
keyed_dir() {
  echo "$1-$(module_version "$1" "$2")-$(cat "$here/testbin/$1"/go.{mod,sum} | sha256sum | cut -c1-12)"
}

# tool WRAPPER PACKAGE NAME MODULE: builds PACKAGE of the wrapper module into a
# directory keyed by that module alone, and links it into $dir as NAME.
# Relative links let the cache root move; they are replaced atomically, so that
# a test starting now sees the old binary or the new one, never none.
tool() {
  local tool_dir link
  tool_dir=$(keyed_dir "$1" "$4")
  build "$1" "$2" "$root/$tool_dir" "$3"
  link="../$tool_dir/$3"
  if [ "$(readlink "$dir/$3" 2>/dev/null)" != "$link" ]; then
    ln -sfn "$link" "$dir/.$3.tmp"
    mv -T "$dir/.$3.tmp" "$dir/$3"
  fi
}

# fetch_crds VERSION DIR: copies the Spark operator's CRDs at VERSION, from
# its Go module, into DIR (once).
fetch_crds() {
  [ -d "$2" ] && return
  echo "testbin: fetching the CRDs of github.com/kubeflow/spark-operator/v2@$1" >&2
  local module_dir
  module_dir=$(cd / && GO111MODULE=on go mod download -json "github.com/kubeflow/spark-operator/v2@$1" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  local tmp
  tmp="$(dirname "$2")/.$(basename "$2").tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  cp "$module_dir"/config/crd/bases/sparkoperator.k8s.io_*.yaml "$tmp/"
  chmod u+w "$tmp"/*
  mv "$tmp" "$2"
}

# operator_crds WRAPPER NAME: fetches the CRDs of the operator version the
# wrapper module builds into its tool directory, and links them into $dir as
# NAME.
operator_crds() {
  local tool_dir
  tool_dir=$(keyed_dir "$1" github.com/kubeflow/spark-operator/v2)
  fetch_crds "$(module_version "$1" github.com/kubeflow/spark-operator/v2)" "$root/$tool_dir/crds"
  if [ "$(readlink "$dir/$2" 2>/dev/null)" != "../$tool_dir/crds" ]; then
    ln -sfn "../$tool_dir/crds" "$dir/.$2.tmp"
    mv -T "$dir/.$2.tmp" "$dir/$2"
  fi
}

# `hack/testbin.sh goreleaser` builds only goreleaser, which `make dist` runs,
# and prints its path.
if [ "${1:-}" = goreleaser ]; then
  gr_dir="$root/$(keyed_dir goreleaser github.com/goreleaser/goreleaser/v2)"
  build goreleaser github.com/goreleaser/goreleaser/v2 "$gr_dir" goreleaser
  echo "$gr_dir/goreleaser"
  exit
fi

build etcd . "$dir" etcd
build kubernetes k8s.io/kubernetes/cmd/kube-apiserver "$dir" kube-apiserver
build kubernetes k8s.io/kubernetes/cmd/kube-scheduler "$dir" kube-scheduler
if ! command -v kubectl >/dev/null 2>&1; then
  build kubernetes k8s.io/kubernetes/cmd/kubectl "$dir" kubectl
fi
tool spark-operator github.com/kubeflow/spark-operator/v2/cmd/operator spark-operator github.com/kubeflow/spark-operator/v2
# The lifecycle tests run each operator version the project supports: v2.3.0
# above (its CRDs are the control plane's crds/), and v2.5.2, with its own
# CRDs beside it in crds-v2.5.2/.
tool spark-operator-v2.5.2 github.com/kubeflow/spark-operator/v2/cmd/operator spark-operator-v2.5.2 github.com/kubeflow/spark-operator/v2
operator_crds spark-operator-v2.5.2 crds-v2.5.2
# kubectl runs krew as its plugin "krew".
tool krew sigs.k8s.io/krew/cmd/krew kubectl-krew sigs.k8s.io/krew
tool krew sigs.k8s.io/krew/cmd/validate-krew-manifest validate-krew-manifest sigs.k8s.io/krew

fetch_crds "$spark_operator_version" "$dir/crds"
echo "$dir"
