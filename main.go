// Command terraform-provider-rightsize serves the rightsize Terraform provider
// (protocol 6) for Terraform to launch.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/provider"
)

// version is set at release time by goreleaser (-ldflags "-X main.version=...").
var version = "dev"

// registryAddress is the provider's source address in the Terraform registry.
const registryAddress = "registry.terraform.io/dbrightsize/rightsize"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: registryAddress,
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
