package acctest

import (
	"testing"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// StartSandbox starts the in-process AWS emulator with opts and stops it when
// the test ends. A nil opts.Scenario with no name runs the demo scenario.
func StartSandbox(t testing.TB, opts sandbox.Options) *sandbox.Server {
	t.Helper()
	srv, err := sandbox.Start(opts)
	if err != nil {
		t.Fatalf("starting the sandbox: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("stopping the sandbox: %v", err)
		}
	})
	return srv
}

// SandboxProvider is a provider block pointing every AWS client at srv.
func SandboxProvider(srv *sandbox.Server) ProviderConfig {
	return ProviderConfig{Endpoint: srv.URL()}
}
