package rightsizing

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestRecommend_unexpectedAuroraRouting: values read from AWS that the analysis does not accept
// are warnings, not a failed recommendation. sso-prod, discovered and measured over the real SDK
// clients, is given a custom endpoint of type WRITER (which the RDS API reference lists among a
// custom endpoint's types), one with both static and excluded members, and Aurora Auto Scaling of
// 0 to 20 readers (Aurora has at most 15): the WRITER endpoint counts as READER and so as left
// with no instance (a high risk), the static members win, and the auto scaling counts as 0 to 15
// (still a medium risk); the warnings name the endpoint and the target. A minimum above 15 stays
// a minimum that puts a reader back.
func TestRecommend_unexpectedAuroraRouting(t *testing.T) {
	d, _ := deps(t, sandbox.Demo(), testNow)
	ctx := context.Background()
	cl, err := inventory.Discover(ctx, d.RDS, "", "sso-prod")
	if err != nil {
		t.Fatal(err)
	}
	w, r := cl.Nodes[0].ID, cl.Readers()[0].ID
	cl.CustomEndpoints = []analysis.CustomEndpoint{{ID: "legacy", Type: "WRITER"},
		{ID: "pinned", Type: "ANY", Static: []string{w}, Excluded: []string{r}}}
	cl.ReplicaAutoScaling = &analysis.ReplicaAutoScaling{MinCapacity: 0, MaxCapacity: 20}
	before := slices.Clone(cl.CustomEndpoints)
	got := collectRoles(t, d, []inventory.Cluster{cl}, testNow.Add(-14*24*time.Hour), testNow)
	req := Request{ClusterID: "sso-prod", Lookback: 14 * 24 * time.Hour}
	res, err := recommendOne(d, cl, removedReader{}, readerAlarms{}, cl.Identifier, req, got, nil, testNow)
	if err != nil {
		t.Fatalf("recommendation failed: %v", err)
	}
	var ops []string
	for _, o := range operationsRisks(res) {
		ops = append(ops, o.Severity+": "+o.Description)
	}
	if len(ops) != 2 || !strings.HasPrefix(ops[0], "high: Custom endpoint legacy (type READER) routes to no instance once the reader is removed") ||
		!strings.HasPrefix(ops[1], "medium: Aurora Auto Scaling keeps 0 to 15 reader(s): it can add readers back under load") {
		t.Errorf("operations risks:\n%s", strings.Join(ops, "\n"))
	}
	wantWarns := []string{
		`custom endpoint legacy has type "WRITER", which the provider does not know (it knows READER and ANY): it is counted as a READER endpoint, routing to the reader only and so to no instance once the reader is removed; check where it routes before the change`,
		"Aurora Auto Scaling of the cluster (Application Auto Scaling target cluster:sso-prod) keeps 0 to 20 readers, outside the 0 to 15 an Aurora cluster can have (with the minimum at most the maximum): it is counted as 0 to 15",
	}
	for _, want := range wantWarns {
		if !slices.Contains(res.WarningTexts(), want) {
			t.Errorf("warnings %q lack %q", res.WarningTexts(), want)
		}
	}
	if !slices.EqualFunc(cl.CustomEndpoints, before, func(a, b analysis.CustomEndpoint) bool {
		return a.Type == b.Type && slices.Equal(a.Excluded, b.Excluded)
	}) || cl.ReplicaAutoScaling.MaxCapacity != 20 {
		t.Errorf("the discovered cluster was modified: %+v, %+v", cl.CustomEndpoints, *cl.ReplicaAutoScaling)
	}

	cl.CustomEndpoints = nil
	cl.ReplicaAutoScaling = &analysis.ReplicaAutoScaling{MinCapacity: 16, MaxCapacity: 20}
	if res, err = recommendOne(d, cl, removedReader{}, readerAlarms{}, cl.Identifier, req, got, nil, testNow); err != nil {
		t.Fatalf("minimum 16: %v", err)
	}
	if ops := operationsRisks(res); len(ops) != 1 || ops[0].Severity != "high" || !strings.HasPrefix(ops[0].Description, "Aurora Auto Scaling keeps 15 to 15 reader(s) (minimum 15)") {
		t.Errorf("minimum 16: operations risks %+v", ops)
	}
}

// setAuroraRouting passes known values as they are, without a warning, and brings each unknown
// one to the form that is safe for the verdict, with a warning naming it.
func TestSetAuroraRouting(t *testing.T) {
	as := func(lo, hi int) *analysis.ReplicaAutoScaling {
		return &analysis.ReplicaAutoScaling{MinCapacity: lo, MaxCapacity: hi}
	}
	for _, tc := range []struct {
		name      string
		eps       []analysis.CustomEndpoint
		scaling   *analysis.ReplicaAutoScaling
		wantTypes string
		want      *analysis.ReplicaAutoScaling
		warns     []string // fragments, one per warning
	}{
		{"none", nil, nil, "", nil, nil},
		{"known", []analysis.CustomEndpoint{{ID: "a", Type: "READER"}, {ID: "b", Type: "any"}}, as(0, 15), "READER any", as(0, 15), nil},
		{"writer and empty types", []analysis.CustomEndpoint{{ID: "w", Type: "WRITER"}, {ID: "e"}}, nil, "READER READER", nil,
			[]string{`custom endpoint w has type "WRITER"`, `custom endpoint e has type ""`}},
		{"maximum above 15", nil, as(2, 20), "", as(2, 15), []string{"keeps 2 to 20 readers, outside the 0 to 15 an Aurora cluster can have (with the minimum at most the maximum): it is counted as 2 to 15"}},
		{"minimum above 15", nil, as(16, 16), "", as(15, 15), []string{"it is counted as 15 to 15"}},
		{"negative minimum", nil, as(-1, 3), "", as(0, 3), []string{"it is counted as 0 to 3"}},
		{"maximum below the minimum", nil, as(3, 1), "", as(3, 3), []string{"it is counted as 3 to 3"}},
	} {
		c := inventory.Cluster{Kind: inventory.KindAurora, Identifier: "sso-prod", CustomEndpoints: tc.eps, ReplicaAutoScaling: tc.scaling}
		var in analysis.ClusterInput
		warns := setAuroraRouting(&in, c)
		var types []string
		for _, e := range in.CustomEndpoints {
			types = append(types, e.Type)
		}
		if got := strings.Join(types, " "); got != tc.wantTypes {
			t.Errorf("%s: endpoint types %q, want %q", tc.name, got, tc.wantTypes)
		}
		if (in.ReplicaAutoScaling == nil) != (tc.want == nil) || tc.want != nil && *in.ReplicaAutoScaling != *tc.want {
			t.Errorf("%s: auto scaling %+v, want %+v", tc.name, in.ReplicaAutoScaling, tc.want)
		}
		if len(warns) != len(tc.warns) {
			t.Errorf("%s: warnings %q, want %d", tc.name, warns, len(tc.warns))
			continue
		}
		for i, w := range tc.warns {
			if !strings.Contains(warns[i].Text, w) {
				t.Errorf("%s: warning %q lacks %q", tc.name, warns[i].Text, w)
			}
		}
	}
}
