// Command etcd is upstream etcd's own entry point (go.etcd.io/etcd/server/v3/etcdmain), built
// from the published server module at the version pinned in go.mod. etcd's root module (whose
// main.go does exactly this) replaces its sibling modules with local paths and so cannot be
// installed from the proxy; this wrapper is the same main without those replaces.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
