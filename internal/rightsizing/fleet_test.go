package rightsizing

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// demoPlusFleet is the demo scenario with n generated nodes added.
func demoPlusFleet(n int) *sandbox.Scenario {
	sc := sandbox.Demo()
	f := sandbox.Fleet(n)
	sc.Name = "demo+" + f.Name
	sc.Clusters = append(sc.Clusters, f.Clusters...)
	sc.Instances = append(sc.Instances, f.Instances...)
	return sc
}

// TestRecommendFleet_lowerBoundAndSameAnswers checks that the batched
// collection over the demo scenario plus 100 generated nodes, read in chunks
// (fleetChunks), makes exactly each chunk's GetMetricData lower bound of calls
// (counted in the sandbox's request log), at most one per chunk after the
// first above the whole fleet's, and that neither batching nor chunking
// changes the answers.
func TestRecommendFleet_lowerBoundAndSameAnswers(t *testing.T) {
	d, srv := deps(t, demoPlusFleet(100), testNow)
	ctx := context.Background()
	// 7 days of 1-minute data: 1,030 series × 10,080 points (and one per Aurora pair), over a hundred calls.
	req := Request{Lookback: 7 * 24 * time.Hour, End: testNow, Period: time.Minute}

	all, err := inventory.ListFleet(ctx, d.RDS, inventory.FleetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var fleet []inventory.Cluster
	nodes, aurora := 0, 0
	for _, c := range all {
		if c.CheckTwoNode() != nil {
			continue
		}
		fleet = append(fleet, c)
		nodes += len(c.MetricNodes())
		if c.Kind == inventory.KindAurora {
			aurora++
		}
	}
	if nodes < 100 {
		t.Fatalf("fleet has %d metric nodes, want ≥ 100", nodes)
	}

	srv.ResetLog()
	start := time.Now()
	results, err := RecommendFleet(ctx, d, fleet, req)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("RecommendFleet over %d deployments / %d nodes took %s", len(fleet), nodes, time.Since(start))
	calls := len(srv.Calls("GetMetricData"))
	// The lower bound computed independently of the plan: every node × metric
	// is one query of lookback/period datapoints, and every 2-node Aurora
	// cluster (read by role) has one more, its readers' count.
	want := cw.LowerBound(nodes*len(cw.DefaultMetrics)+aurora, int(req.Lookback/req.Period))
	t.Logf("%d Aurora pairs: lower bound %d, %d without the readers' counts", aurora, want, cw.LowerBound(nodes*len(cw.DefaultMetrics), int(req.Lookback/req.Period)))
	if want < 2 {
		t.Fatalf("test setup: lower bound %d does not exercise batching", want)
	}
	if len(results) != len(fleet) {
		t.Fatalf("%d results for %d deployments", len(results), len(fleet))
	}
	for _, r := range results {
		if r.LowerBound != want || r.RequestsMade != calls {
			t.Fatalf("%s: LowerBound %d RequestsMade %d, want %d and %d (sandbox log)", r.Cluster.Identifier, r.LowerBound, r.RequestsMade, want, calls)
		}
	}
	// Each chunk at its own lower bound.
	var nodesOf []cw.Node
	for _, c := range fleet {
		nodesOf = append(nodesOf, metricSources(c)...)
	}
	plan, err := cw.NewPlan(cw.Request{Nodes: nodesOf, Stats: []string{Stat}, Start: testNow.Add(-req.Lookback), End: testNow, Period: req.Period, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	chunks := fleetChunks(fleet, plan)
	wantCalls := 0
	for _, chunk := range chunks {
		series := 0
		for _, i := range chunk {
			series += len(fleet[i].MetricNodes()) * len(cw.DefaultMetrics)
			if fleet[i].Kind == inventory.KindAurora {
				series++
			}
		}
		wantCalls += cw.LowerBound(series, int(req.Lookback/req.Period))
	}
	if len(chunks) < 2 {
		t.Fatalf("test setup: %d chunk(s) does not exercise chunking", len(chunks))
	}
	// One call sent again after its response was lost on the way (aws-sdk-go-v2 issue 2737) is allowed.
	if distinct := srv.Distinct("GetMetricData"); distinct != wantCalls || distinct > want+len(chunks)-1 || calls-distinct > 1 {
		t.Errorf("sandbox saw %d GetMetricData calls (%d distinct); the %d chunks' lower bounds add to %d, the fleet's is %d", calls, distinct, len(chunks), wantCalls, want)
	}

	// Read in one chunk, the answers are the same.
	saved := fleetChunkDatapoints
	fleetChunkDatapoints = math.MaxInt
	whole, err := RecommendFleet(ctx, d, fleet, req)
	fleetChunkDatapoints = saved
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		w := whole[i]
		if r.Name != w.Name || r.Recommendation.Verdict != w.Recommendation.Verdict || r.Recommendation.Cost != w.Recommendation.Cost ||
			r.Recommendation.Projection.CPU != w.Recommendation.Projection.CPU || r.Recommendation.ReportMarkdown != w.Recommendation.ReportMarkdown {
			t.Errorf("%s: read in %d chunks the recommendation differs from one read at once", r.Name, len(chunks))
		}
	}

	byID := map[string]Result{}
	for _, r := range results {
		byID[r.Cluster.Identifier] = r
	}
	for _, tc := range []struct{ instance, cluster string }{
		{cluster: "sso-prod"},
		{instance: "mandible-prod"},
	} {
		id := tc.instance + tc.cluster
		fr, ok := byID[id]
		if !ok {
			t.Fatalf("%s missing from the fleet results", id)
		}
		one := req
		one.InstanceID, one.ClusterID = tc.instance, tc.cluster
		sr, err := Recommend(ctx, d, one)
		if err != nil {
			t.Fatal(err)
		}
		f, s := fr.Recommendation, sr.Recommendation
		if f.Verdict != analysis.VerdictConsolidate {
			t.Errorf("%s fleet verdict %s, want consolidate", id, f.Verdict)
		}
		if f.Verdict != s.Verdict {
			t.Errorf("%s verdict: fleet %s, single %s", id, f.Verdict, s.Verdict)
		}
		if f.Cost.MonthlySavingsUSD != s.Cost.MonthlySavingsUSD || f.Cost.MonthlySavingsUSD <= 0 {
			t.Errorf("%s monthly savings: fleet %v, single %v", id, f.Cost.MonthlySavingsUSD, s.Cost.MonthlySavingsUSD)
		}
		if f.Projection.CPU.P99 != s.Projection.CPU.P99 || !(f.Projection.CPU.P99 > 0) {
			t.Errorf("%s projected CPU p99: fleet %v, single %v", id, f.Projection.CPU.P99, s.Projection.CPU.P99)
		}
		if f.Confidence != s.Confidence {
			t.Errorf("%s confidence: fleet %v, single %v", id, f.Confidence, s.Confidence)
		}
		if f.ReportMarkdown != s.ReportMarkdown {
			t.Errorf("%s report differs between the fleet and the single recommendation", id)
		}
		if fr.InfracostUsageYAML != sr.InfracostUsageYAML {
			t.Errorf("%s infracost usage differs:\nfleet:\n%s\nsingle:\n%s", id, fr.InfracostUsageYAML, sr.InfracostUsageYAML)
		}
	}
}

// TestRecommendFleet_skipReport: with SkipReport the results carry the same
// decisions and figures without the report, charts and Infracost usage file.
func TestRecommendFleet_skipReport(t *testing.T) {
	d, _ := deps(t, sandbox.Demo(), testNow)
	ctx := context.Background()
	all, err := inventory.ListFleet(ctx, d.RDS, inventory.FleetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Lookback: 14 * 24 * time.Hour, End: testNow}
	full, err := RecommendFleet(ctx, d, all, req)
	if err != nil {
		t.Fatal(err)
	}
	req.SkipReport = true
	lean, err := RecommendFleet(ctx, d, all, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(full) != 2 || len(lean) != 2 {
		t.Fatalf("%d and %d results, want 2", len(full), len(lean))
	}
	for i := range full {
		f, l := full[i], lean[i]
		if f.Recommendation.ReportMarkdown == "" || len(f.Recommendation.Charts) == 0 || f.InfracostUsageYAML == "" {
			t.Errorf("%s: the full result lacks its report, charts or usage file", f.Cluster.Identifier)
		}
		if l.Recommendation.ReportMarkdown != "" || l.Recommendation.Charts != nil || l.InfracostUsageYAML != "" {
			t.Errorf("%s: SkipReport rendered the report, charts or usage file", l.Cluster.Identifier)
		}
		fr, lr := f.Recommendation, l.Recommendation
		if fr.Verdict != lr.Verdict || fr.Confidence != lr.Confidence || fr.Cost != lr.Cost ||
			fr.Projection.CPU.P99 != lr.Projection.CPU.P99 || fr.Traffic != lr.Traffic || fr.PrometheusRules != lr.PrometheusRules {
			t.Errorf("%s: SkipReport changed the decision: %s %v %+v / %s %v %+v", f.Cluster.Identifier,
				fr.Verdict, fr.Confidence, fr.Cost, lr.Verdict, lr.Confidence, lr.Cost)
		}
	}
}

// TestRecommend_skipRender: with SkipRender (include_report = false) the recommendation is not
// rendered, no report and no charts, but the Infracost usage file is made and the decision is the
// same. With SkipRender not choosing analysis.Assess every test passed: the provider nulls both
// outputs, so only here does it show that they were rendered for nothing.
func TestRecommend_skipRender(t *testing.T) {
	d, _ := deps(t, sandbox.Demo(), testNow)
	ctx := context.Background()
	for _, req := range []Request{{ClusterID: "sso-prod"}, {InstanceID: "mandible-prod"}} {
		req.Lookback, req.End = 14*24*time.Hour, testNow
		full, err := Recommend(ctx, d, req)
		if err != nil {
			t.Fatal(err)
		}
		req.SkipRender = true
		lean, err := Recommend(ctx, d, req)
		if err != nil {
			t.Fatal(err)
		}
		f, l := full.Recommendation, lean.Recommendation
		if f.ReportMarkdown == "" || len(f.Charts) == 0 {
			t.Errorf("%s: the full result lacks its report or charts", full.Cluster.Identifier)
		}
		if l.ReportMarkdown != "" || l.Charts != nil {
			t.Errorf("%s: SkipRender rendered the report or the charts", lean.Cluster.Identifier)
		}
		if lean.InfracostUsageYAML == "" || lean.InfracostUsageYAML != full.InfracostUsageYAML {
			t.Errorf("%s: SkipRender's Infracost usage file %q, want the full result's", lean.Cluster.Identifier, lean.InfracostUsageYAML)
		}
		if f.Verdict != l.Verdict || f.Confidence != l.Confidence || f.Cost != l.Cost || f.PrometheusRules != l.PrometheusRules {
			t.Errorf("%s: SkipRender changed the decision: %s %v %+v / %s %v %+v", full.Cluster.Identifier,
				f.Verdict, f.Confidence, f.Cost, l.Verdict, l.Confidence, l.Cost)
		}
	}
}

// TestRecommendFleet_sharedIdentifier: a Multi-AZ instance sso-prod beside the demo's Aurora
// cluster sso-prod (RDS keeps their identifiers apart) are both analysed, named instance:sso-prod
// and cluster:sso-prod in their results, their recommendations and their traffic, which
// analysis.PhaseOrder then orders; mandible-prod keeps its identifier. One deployment alone, as
// Recommend analyses it, is named by its identifier.
func TestRecommendFleet_sharedIdentifier(t *testing.T) {
	sc := sandbox.Demo()
	sc.Instances = append(sc.Instances, sandbox.MultiAZInstance("sso-prod", "db.r6g.large", sandbox.DemoMandibleWorkload))
	d, _ := deps(t, sc, testNow)
	ctx := context.Background()
	fleet, err := inventory.ListFleet(ctx, d.RDS, inventory.FleetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := RecommendFleet(ctx, d, fleet, Request{Lookback: 7 * 24 * time.Hour, Period: time.Hour, SkipReport: true})
	if err != nil {
		t.Fatal(err)
	}
	var names, traffic []string
	var ts []analysis.Traffic
	for _, r := range rs {
		names = append(names, fmt.Sprintf("%s %s %s", r.Name, r.Cluster.Kind, r.Cluster.Identifier))
		traffic = append(traffic, r.Recommendation.Cluster+"/"+r.Recommendation.Traffic.Cluster)
		ts = append(ts, r.Recommendation.Traffic)
	}
	if want := []string{"mandible-prod multi-az mandible-prod", "instance:sso-prod multi-az sso-prod", "cluster:sso-prod aurora sso-prod"}; !slices.Equal(names, want) {
		t.Errorf("results %q, want %q", names, want)
	}
	if want := []string{"mandible-prod/mandible-prod", "instance:sso-prod/instance:sso-prod", "cluster:sso-prod/cluster:sso-prod"}; !slices.Equal(traffic, want) {
		t.Errorf("recommendation/traffic names %q, want %q", traffic, want)
	}
	if order, err := analysis.PhaseOrder(ts); err != nil || len(order) != 3 {
		t.Errorf("phase order %q, %v", order, err)
	}
	one, err := Recommend(ctx, d, Request{InstanceID: "sso-prod", Lookback: 7 * 24 * time.Hour, Period: time.Hour, SkipReport: true})
	if err != nil || one.Name != "sso-prod" || one.Recommendation.Traffic.Cluster != "sso-prod" {
		t.Errorf("Recommend(instance sso-prod): name %q, traffic %q, %v", one.Name, one.Recommendation.Traffic.Cluster, err)
	}
}

// TestFleetNames: a DB instance and a DB cluster that share an identifier (without regard to case)
// are named instance:<id> and cluster:<id>; every other deployment by its identifier.
func TestFleetNames(t *testing.T) {
	mz := func(id string) inventory.Cluster {
		return inventory.Cluster{Kind: inventory.KindMultiAZ, Identifier: id}
	}
	au := func(id string) inventory.Cluster {
		return inventory.Cluster{Kind: inventory.KindAurora, Identifier: id}
	}
	for _, tc := range []struct {
		name string
		in   []inventory.Cluster
		want []string
	}{
		{"none", nil, []string{}},
		{"distinct", []inventory.Cluster{mz("a"), au("b")}, []string{"a", "b"}},
		{"shared", []inventory.Cluster{au("sso-prod"), mz("mandible-prod"), mz("sso-prod")}, []string{"cluster:sso-prod", "mandible-prod", "instance:sso-prod"}},
		{"shared, other case", []inventory.Cluster{mz("SSO-prod"), au("sso-prod")}, []string{"instance:SSO-prod", "cluster:sso-prod"}},
	} {
		if got := FleetNames(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
