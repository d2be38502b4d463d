#!/usr/bin/env bash
# Builds the control plane the end-to-end tests run against (kube-apiserver,
# kube-scheduler, etcd; kubectl too when none is on PATH) from the Go module
# proxy, and fetches the Spark operator's CRDs from its Go module. Everything is
# cached by the hash of the wrapper modules under hack/testbin, so a second run,
# a fresh clone on the same machine, and CI reuse it.
#
# Prints the directory holding the binaries (envtest reads it as
# KUBEBUILDER_ASSETS); the CRDs are in its crds/ folder.
#
# SPARK_ECI_TESTBIN overrides the cache root (default: the user cache directory).
set -euo pipefail

spark_operator_version=v2.3.0

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${SPARK_ECI_TESTBIN:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-spark-eci/testbin}
key=$( (cat "$here"/testbin/*/go.mod "$here"/testbin/*/go.sum "$here"/testbin/etcd/main.go; echo "$spark_operator_version") | sha256sum | cut -c1-12)
k8s_version=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2}' "$here/testbin/kubernetes/go.mod")
dir="$root/kubernetes-$k8s_version-$key"

mkdir -p "$root"
exec 9>"$root/.lock"
flock 9

build() { # build MODULE_DIR PACKAGE OUTPUT
  [ -x "$dir/$3" ] && return
  echo "testbin: building $3 into $dir" >&2
  mkdir -p "$dir"
  (cd "$here/testbin/$1" && CGO_ENABLED=0 go build -buildvcs=false -trimpath -ldflags='-s -w' -o "$dir/.$3.tmp" "$2")
  mv "$dir/.$3.tmp" "$dir/$3"
}

build etcd . etcd
build kubernetes k8s.io/kubernetes/cmd/kube-apiserver kube-apiserver
build kubernetes k8s.io/kubernetes/cmd/kube-scheduler kube-scheduler
if ! command -v kubectl >/dev/null 2>&1; then
  build kubernetes k8s.io/kubernetes/cmd/kubectl kubectl
fi

if [ ! -d "$dir/crds" ]; then
  echo "testbin: fetching the CRDs of github.com/kubeflow/spark-operator/v2@$spark_operator_version" >&2
  module_dir=$(cd / && GO111MODULE=on go mod download -json "github.com/kubeflow/spark-operator/v2@$spark_operator_version" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  mkdir -p "$dir/.crds.tmp"
  cp "$module_dir"/config/crd/bases/sparkoperator.k8s.io_*.yaml "$dir/.crds.tmp/"
  chmod u+w "$dir"/.crds.tmp/*
  mv "$dir/.crds.tmp" "$dir/crds"
fi
echo "$dir"
