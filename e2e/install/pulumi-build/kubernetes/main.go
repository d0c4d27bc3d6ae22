// The Pulumi Kubernetes provider (pulumi-resource-kubernetes), built from
// github.com/pulumi/pulumi-kubernetes/provider/v4. Upstream's main embeds schema-embed.json,
// a file its Makefile generates and the module does not ship, so this is a main of our own:
// e2e/install/build-pulumi.sh writes the two embedded files next to a copy of this one
// (from the module's schema.json and terraform-mapping.json) and builds that copy.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
