// Command etcd is the etcd server the end-to-end tests run against, built from
// the module proxy so that no download of a prebuilt binary is needed.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
