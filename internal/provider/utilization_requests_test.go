package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestReadUtilizationRequestsCountRetries: requests_made counts every GetMetricData call sent,
// a call sent again after a server error or a dropped connection as well as after throttling
// (TestAccUtilization_throttled), as its description says: mandible-prod's 14 days at 60 s are
// 2 planned requests, and each fault adds one.
func TestReadUtilizationRequestsCountRetries(t *testing.T) {
	now := utilizationAccNow()
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		faults []sandbox.FaultKind
		want   int64
	}{
		{"no fault", nil, 2},
		{"a 500", []sandbox.FaultKind{sandbox.FaultHTTP500}, 3},
		{"a dropped connection, then a query's InternalError", []sandbox.FaultKind{sandbox.FaultConnReset, sandbox.FaultQueryInternalError}, 4},
	} {
		srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
		if len(c.faults) > 0 {
			srv.InjectSequence("cloudwatch:GetMetricData", c.faults...)
		}
		m := utilizationReadModel("mandible-prod", "", 14, now)
		m.EndTime = types.StringNull()
		if _, diags := readUtilization(ctx, sandboxServerData(srv), m, now); diags.HasError() {
			t.Fatalf("%s: %v", c.name, diags)
		}
		if got := m.RequestsMade.ValueInt64(); got != c.want {
			t.Errorf("%s: requests_made %d, want %d", c.name, got, c.want)
		}
		if n := int64(len(srv.Calls("GetMetricData"))); n != c.want {
			t.Errorf("%s: the sandbox logged %d GetMetricData calls, want %d", c.name, n, c.want)
		}
	}
}
