package sandbox

import (
	"cmp"
	"context"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// series returns a node's 1-minute values of metric over [from, to).
func series(t *testing.T, srv *Server, id, metric string, from, to time.Time) []float64 {
	t.Helper()
	var out []float64
	for ts := from; ts.Before(to); ts = ts.Add(time.Minute) {
		v, ok := srv.MetricValue(id, metric, ts)
		if !ok {
			t.Fatalf("%s %s missing at %v", id, metric, ts)
		}
		out = append(out, v)
	}
	return out
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func quantile(xs []float64, q float64) float64 {
	c := append([]float64(nil), xs...)
	sort.Float64s(c)
	return c[int(q*float64(len(c)-1))]
}

func correlation(a, b []float64) float64 {
	ma, mb := mean(a), mean(b)
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}

func TestScenariosPhysicallySensible(t *testing.T) {
	for _, name := range []string{"demo", "busy", "idle", "short", "mysql", "serverless", "aurora3", "single-az", "multi-az-cluster", "traced", "fleet-12"} {
		t.Run(name, func(t *testing.T) {
			sc, err := ScenarioByName(name)
			if err != nil {
				t.Fatal(err)
			}
			srv, _, _ := start(t, Options{Scenario: sc})
			from := srv.Now().Add(-sc.history())
			for _, id := range sortedKeys(srv.st.Nodes) {
				n := srv.st.Nodes[id]
				class, _ := LookupClass(n.Classes[0].Class)
				if n.Serverless != nil {
					class.MemoryGiB = 2 * n.Serverless.MaxACU
				}
				// a 3-day sample is enough to see the daily cycle and keeps the test fast
				to := from.Add(3 * 24 * time.Hour)
				cpu := series(t, srv, id, MetricCPUUtilization, from, to)
				mem := series(t, srv, id, MetricFreeableMemory, from, to)
				conns := series(t, srv, id, MetricDatabaseConnections, from, to)
				reads := series(t, srv, id, MetricReadIOPS, from, to)
				for i := range cpu {
					if cpu[i] < 0.2 || cpu[i] > 100 {
						t.Fatalf("%s CPU %v", id, cpu[i])
					}
					if mem[i] <= 0 || mem[i] >= class.MemoryGiB*gib {
						t.Fatalf("%s FreeableMemory %v not below class memory %v GiB", id, mem[i], class.MemoryGiB)
					}
					// Aurora's buffer cache is never freeable.
					if room := class.MemoryGiB*gib - auroraBufferCacheBytes(class.MemoryGiB*gib); n.aurora() && mem[i] >= room {
						t.Fatalf("%s FreeableMemory %v not below the %v its buffer cache leaves", id, mem[i], room)
					}
					if conns[i] < 0 || conns[i] != math.Round(conns[i]) {
						t.Fatalf("%s connections %v", id, conns[i])
					}
				}
				if n.W.CPUAmplitude > 1 {
					if c := correlation(cpu, reads); c < 0.3 {
						t.Errorf("%s corr(CPU, ReadIOPS) = %.2f", id, c)
					}
					if c := correlation(cpu, conns); c < 0.3 {
						t.Errorf("%s corr(CPU, connections) = %.2f", id, c)
					}
				}
			}
		})
	}
}

func TestDemoWorkloadsMatchDocumentedParameters(t *testing.T) {
	srv, _, _ := start(t, Options{})
	now := srv.Now()
	// Four full weeks of hourly means.
	hourly := func(id string) map[time.Time]float64 {
		m := map[time.Time]float64{}
		for h := now.Add(-DefaultHistory).Truncate(time.Hour); h.Before(now.Add(-time.Hour)); h = h.Add(time.Hour) {
			m[h] = mean(series(t, srv, id, MetricCPUUtilization, h, h.Add(time.Hour)))
		}
		return m
	}
	check := func(id string, w Workload, lo, hi float64) {
		hm := hourly(id)
		var vals, peakWeekday, peakWeekend, trough []float64
		for h, v := range hm {
			vals = append(vals, v)
			wd := h.Weekday()
			weekend := wd == time.Saturday || wd == time.Sunday
			switch {
			case float64(h.Hour()) == w.PeakHourUTC && !weekend:
				peakWeekday = append(peakWeekday, v)
			case float64(h.Hour()) == w.PeakHourUTC && weekend:
				peakWeekend = append(peakWeekend, v)
			case float64((h.Hour()+12)%24) == w.PeakHourUTC:
				trough = append(trough, v)
			}
		}
		if q := quantile(vals, 0.02); q < lo {
			t.Errorf("%s hourly CPU 2nd percentile %.1f below %.1f", id, q, lo)
		}
		if q := quantile(vals, 0.98); q > hi {
			t.Errorf("%s hourly CPU 98th percentile %.1f above %.1f", id, q, hi)
		}
		// documented: weekday peak ≈ base+amplitude, trough ≈ base, weekend peak ≈ base + amplitude×WeekendFactor
		if m := mean(peakWeekday); math.Abs(m-(w.CPUBase+w.CPUAmplitude)) > 0.1*w.CPUAmplitude+0.5 {
			t.Errorf("%s weekday peak mean %.2f, documented %.2f", id, m, w.CPUBase+w.CPUAmplitude)
		}
		if m := mean(trough); math.Abs(m-w.CPUBase) > 0.1*w.CPUAmplitude+0.5 {
			t.Errorf("%s trough mean %.2f, documented %.2f", id, m, w.CPUBase)
		}
		if m := mean(peakWeekend); math.Abs(m-(w.CPUBase+w.CPUAmplitude*w.WeekendFactor)) > 0.1*w.CPUAmplitude+0.5 {
			t.Errorf("%s weekend peak mean %.2f, documented %.2f", id, m, w.CPUBase+w.CPUAmplitude*w.WeekendFactor)
		}
	}
	check("sso-prod-instance-1", DemoSSOWriterWorkload, 4, 15)
	check("sso-prod-instance-2", DemoSSOReaderWorkload, 2, 8)
	check("mandible-prod", DemoMandibleWorkload, 8, 32)
	// 1-minute peaks of the chat service stay below 40 %.
	mx := 0.0
	for _, v := range series(t, srv, "mandible-prod", MetricCPUUtilization, now.Add(-DefaultHistory), now) {
		mx = math.Max(mx, v)
	}
	if mx >= 40 || mx < 28 {
		t.Errorf("mandible 1-minute max CPU %.1f, want in [28, 40)", mx)
	}
}

func TestBusyReaderShare(t *testing.T) {
	w, r := BusyWriterWorkload, BusyReaderWorkload
	share := (r.ReadIOPS + r.ReadIOPSAmplitude) / (w.ReadIOPS + w.ReadIOPSAmplitude + r.ReadIOPS + r.ReadIOPSAmplitude)
	if math.Abs(share-r.ReadShare) > 0.02 {
		t.Errorf("busy reader read share at peak %.2f, documented %.2f", share, r.ReadShare)
	}
	if w.CPUBase+w.CPUAmplitude+r.CPUBase+r.CPUAmplitude < 100 {
		t.Error("busy pair should not fit on one node at peak")
	}
}

func TestGeneratorDeterministicAndSpiky(t *testing.T) {
	a, _, _ := start(t, Options{})
	b, _, _ := start(t, Options{})
	now := a.Now()
	spikes := 0
	n := a.st.Nodes["mandible-prod"]
	for ts := now.Add(-DefaultHistory); ts.Before(now); ts = ts.Add(time.Minute) {
		va, _ := a.MetricValue("mandible-prod", MetricCPUUtilization, ts)
		vb, _ := b.MetricValue("mandible-prod", MetricCPUUtilization, ts)
		if va != vb {
			t.Fatalf("not deterministic at %v: %v vs %v", ts, va, vb)
		}
		if n.W.spike(n.Seed, ts.Unix()/60) {
			spikes++
		}
	}
	// ~3 spikes/week × 4 weeks × 5 minutes
	if spikes < 5*2 || spikes > 5*30 {
		t.Errorf("%d spike minutes in 28 days", spikes)
	}
	if _, ok := a.MetricValue("mandible-prod", MetricCPUUtilization, now.Add(-DefaultHistory-time.Minute)); ok {
		t.Error("value before the history start")
	}
}

func TestLookupClass(t *testing.T) {
	cases := map[string]ClassSpec{
		"db.t4g.medium":  {VCPU: 2, MemoryGiB: 4, Burstable: true, BaselineCPU: 20, MaxCredits: 576},
		"db.t4g.large":   {VCPU: 2, MemoryGiB: 8, Burstable: true, BaselineCPU: 30, MaxCredits: 864},
		"db.r6g.large":   {VCPU: 2, MemoryGiB: 16},
		"db.r6g.4xlarge": {VCPU: 16, MemoryGiB: 128},
		"db.m6g.xlarge":  {VCPU: 4, MemoryGiB: 16},
		// Newer than the provider's catalog (RDS offers them; the provider's instance_classes describe them).
		"db.r8g.large":    {VCPU: 2, MemoryGiB: 16},
		"db.m8g.2xlarge":  {VCPU: 8, MemoryGiB: 32},
		"db.r7i.xlarge":   {VCPU: 4, MemoryGiB: 32},
		"db.m7i.16xlarge": {VCPU: 64, MemoryGiB: 256},
	}
	for class, want := range cases {
		got, ok := LookupClass(class)
		if !ok || got != want {
			t.Errorf("LookupClass(%s) = %+v, %v; want %+v", class, got, ok, want)
		}
	}
	for _, bad := range []string{"", "db.x9.large", "r6g.large", "db.r6g.huge", "db.r6g.64xlarge"} {
		if _, ok := LookupClass(bad); ok {
			t.Errorf("LookupClass(%q) ok", bad)
		}
	}
	if _, err := ScenarioByName("nope"); err == nil {
		t.Error("unknown scenario accepted")
	}
	if s, err := ScenarioByName("fleet-150"); err != nil || len(s.Instances)+2*len(s.Clusters) != 150 {
		t.Errorf("fleet-150: %v", err)
	}
}

func TestTracedScenario(t *testing.T) {
	srv, _, _ := start(t, Options{ScenarioName: "traced"})
	now := srv.Now()
	cpu := series(t, srv, "nab-prod", MetricCPUUtilization, now.Add(-14*24*time.Hour), now)
	// The trace has a daily cycle: evening hours (17–21 UTC) busier than early morning (5–9 UTC).
	var eve, morn []float64
	for i, v := range cpu {
		h := now.Add(-14 * 24 * time.Hour).Add(time.Duration(i) * time.Minute).Hour()
		switch {
		case h >= 17 && h < 21:
			eve = append(eve, v)
		case h >= 5 && h < 9:
			morn = append(morn, v)
		}
	}
	if mean(eve) <= mean(morn)*1.2 {
		t.Errorf("traced evening CPU %.1f not above morning %.1f", mean(eve), mean(morn))
	}
	// and bursts well above the median
	if quantile(cpu, 0.999) < quantile(cpu, 0.5)*2 {
		t.Errorf("no bursts: p50 %.1f p99.9 %.1f", quantile(cpu, 0.5), quantile(cpu, 0.999))
	}
	bad := Demo()
	bad.Instances[0].Workload.Trace = "nope"
	if _, err := Start(Options{Scenario: bad}); err == nil {
		t.Error("unknown trace accepted")
	}
	dup := Demo()
	dup.Instances = append(dup.Instances, dup.Instances[0])
	if _, err := Start(Options{Scenario: dup}); err == nil {
		t.Error("duplicate identifier accepted")
	}
}

func TestScenarioKnobsThroughSDK(t *testing.T) {
	ctx := context.Background()
	t.Run("short", func(t *testing.T) {
		srv, _, cc := start(t, Options{ScenarioName: "short"})
		now := srv.Now()
		out, err := cc.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-28 * 24 * time.Hour)), EndTime: &now,
			MetricDataQueries: []cwtypes.MetricDataQuery{rdsQuery("c", "mandible-prod", "CPUUtilization", "Average", 3600)}})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(out.MetricDataResults[0].Values); n != 3*24 {
			t.Errorf("short history: %d hourly points, want 72", n)
		}
	})
	t.Run("mysql", func(t *testing.T) {
		_, rc, _ := start(t, Options{ScenarioName: "mysql"})
		in := describeOne(t, rc, "shop-mysql")
		if aws.ToString(in.Engine) != "mysql" || aws.ToInt32(in.Endpoint.Port) != 3306 || aws.ToString(in.DBParameterGroups[0].DBParameterGroupName) != "default.mysql8.0" {
			t.Errorf("mysql: engine %q port %d pg %q", aws.ToString(in.Engine), aws.ToInt32(in.Endpoint.Port), aws.ToString(in.DBParameterGroups[0].DBParameterGroupName))
		}
	})
	t.Run("serverless", func(t *testing.T) {
		srv, rc, _ := start(t, Options{ScenarioName: "serverless"})
		out, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("sls-prod")})
		if err != nil {
			t.Fatal(err)
		}
		sv := out.DBClusters[0].ServerlessV2ScalingConfiguration
		if sv == nil || aws.ToFloat64(sv.MinCapacity) != 0.5 || aws.ToFloat64(sv.MaxCapacity) != 8 {
			t.Fatalf("scaling %+v", sv)
		}
		if in := describeOne(t, rc, "sls-prod-instance-1"); aws.ToString(in.DBInstanceClass) != "db.serverless" {
			t.Errorf("class %q", aws.ToString(in.DBInstanceClass))
		}
		acu, ok := srv.MetricValue("sls-prod-instance-1", MetricServerlessCapacity, srv.Now().Add(-time.Hour))
		if !ok || acu < 0.5 || acu > 8 || acu*2 != math.Round(acu*2) {
			t.Errorf("ACU %v %v", acu, ok)
		}
	})
	t.Run("aurora3 and single-az", func(t *testing.T) {
		_, rc, _ := start(t, Options{ScenarioName: "aurora3"})
		out, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{})
		if err != nil || len(out.DBClusters[0].DBClusterMembers) != 3 {
			t.Fatalf("aurora3: %v", err)
		}
		_, rc2, _ := start(t, Options{ScenarioName: "single-az"})
		if in := describeOne(t, rc2, "solo-db"); aws.ToBool(in.MultiAZ) || in.SecondaryAvailabilityZone != nil {
			t.Errorf("single-az instance is Multi-AZ")
		}
	})
	t.Run("holes", func(t *testing.T) {
		// The demo's values with ~3 minutes per thousand left out of every
		// 1-minute series of a node, the same minutes in all its metrics;
		// a 5-minute period then averages the minutes present.
		_, _, dc := start(t, Options{ScenarioName: "demo"})
		srv, _, hc := start(t, Options{ScenarioName: "holes"})
		now := srv.Now()
		from := now.Add(-7 * 24 * time.Hour)
		get := func(cc *cloudwatch.Client, metric string, period int32) cwtypes.MetricDataResult {
			t.Helper()
			out, err := cc.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: &from, EndTime: &now, ScanBy: cwtypes.ScanByTimestampAscending,
				MetricDataQueries: []cwtypes.MetricDataQuery{rdsQuery("m", "mandible-prod", metric, "Average", period)}})
			if err != nil {
				t.Fatal(err)
			}
			return out.MetricDataResults[0]
		}
		full, cpu, conns := get(dc, "CPUUtilization", 60), get(hc, "CPUUtilization", 60), get(hc, "DatabaseConnections", 60)
		missing := len(full.Values) - len(cpu.Values)
		if len(full.Values) != 7*1440 || missing < 10 || missing > 60 {
			t.Fatalf("holes: %d of %d minutes left out, want ~3 per thousand (30)", missing, len(full.Values))
		}
		j := 0
		for i, ts := range full.Timestamps {
			if j < len(cpu.Timestamps) && cpu.Timestamps[j].Equal(ts) {
				if cpu.Values[j] != full.Values[i] || !conns.Timestamps[j].Equal(ts) {
					t.Fatalf("minute %v: holes scenario %v, demo %v (connections at %v)", ts, cpu.Values[j], full.Values[i], conns.Timestamps[j])
				}
				j++
			}
		}
		if j != len(cpu.Values) || len(conns.Values) != len(cpu.Values) {
			t.Fatalf("%d of %d CPU points on the demo's minutes; %d connection points", j, len(cpu.Values), len(conns.Values))
		}
		if five := get(hc, "CPUUtilization", 300); len(five.Values) != 7*288 {
			t.Errorf("5-minute periods: %d, want every one of %d (no period is wholly empty)", len(five.Values), 7*288)
		}
	})
	t.Run("fleet", func(t *testing.T) {
		began := time.Now()
		srv, _, _ := start(t, Options{Scenario: Fleet(500)})
		if len(srv.st.Instances) != 500 {
			t.Fatalf("%d instances", len(srv.st.Instances))
		}
		if el := time.Since(began); el > 5*time.Second {
			t.Errorf("starting a 500-node fleet took %v", el)
		}
	})
}

func TestClock(t *testing.T) {
	c := newClock(ScenarioEpoch, 0)
	if !c.Now().Equal(ScenarioEpoch) {
		t.Fatal("start")
	}
	c.Advance(time.Hour)
	c.Advance(-time.Hour) // ignored
	if got := c.Now(); !got.Equal(ScenarioEpoch.Add(time.Hour)) {
		t.Errorf("after Advance: %v", got)
	}
	if got := c.Set(ScenarioEpoch); !got.Equal(ScenarioEpoch.Add(time.Hour)) {
		t.Errorf("Set moved the clock backwards: %v", got)
	}
	real := time.Unix(1000, 0)
	c.realNow = func() time.Time { return real }
	c.SetSpeed(60)
	real = real.Add(2 * time.Second)
	if got := c.Now(); !got.Equal(ScenarioEpoch.Add(time.Hour + 2*time.Minute)) {
		t.Errorf("at speed 60 after 2 s: %v", got)
	}
	c.SetSpeed(0)
	real = real.Add(time.Hour)
	if got := c.Now(); !got.Equal(ScenarioEpoch.Add(time.Hour + 2*time.Minute)) {
		t.Errorf("frozen clock moved: %v", got)
	}
}

// TestScenarioTags checks that a scenario's tags reach the cluster's and the
// instances' TagList (DescribeDBClusters, DescribeDBInstances,
// ListTagsForResource) over the real SDK, and that Validate refuses tags RDS
// would refuse.
func TestScenarioTags(t *testing.T) {
	_, rc, _ := start(t, Options{ScenarioName: "demo"})
	ctx := context.Background()
	tagText := func(tl []rdstypes.Tag) string {
		var parts []string
		for _, tg := range tl {
			parts = append(parts, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return strings.Join(parts, ",")
	}
	cl, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("sso-prod")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tagText(cl.DBClusters[0].TagList), "environment=production,service=sso"; got != want {
		t.Errorf("sso-prod TagList %q, want %q", got, want)
	}
	lt, err := rc.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: cl.DBClusters[0].DBClusterArn})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tagText(lt.TagList), "environment=production,service=sso"; got != want {
		t.Errorf("sso-prod ListTagsForResource %q, want %q", got, want)
	}
	for id, want := range map[string]string{
		"sso-prod-instance-1": "environment=production,service=sso",
		"sso-prod-instance-2": "environment=production,service=sso",
		"mandible-prod":       "environment=production,service=chat",
	} {
		if got := tagText(describeOne(t, rc, id).TagList); got != want {
			t.Errorf("%s TagList %q, want %q", id, got, want)
		}
	}
	// Scenarios without tags describe none.
	_, rc2, _ := start(t, Options{Scenario: Busy()})
	if cl, err := rc2.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{}); err != nil || len(cl.DBClusters[0].TagList) != 0 {
		t.Errorf("busy scenario: %v, tags %v", err, cl.DBClusters[0].TagList)
	}

	for _, tc := range []struct {
		name string
		tags map[string]string
		want string // in the error; "" for valid
	}{
		{"valid", map[string]string{"environment": "production", "team": ""}, ""},
		{"empty key", map[string]string{"": "x"}, "1 to 128 characters"},
		{"long key", map[string]string{strings.Repeat("k", 129): "x"}, "1 to 128 characters"},
		{"aws prefix", map[string]string{"AWS:cloudformation": "x"}, "reserved prefix"},
		{"rds prefix", map[string]string{"rds:owner": "x"}, "reserved prefix"},
		{"long value", map[string]string{"k": strings.Repeat("v", 257)}, "more than 256"},
	} {
		for _, where := range []string{"cluster", "member", "instance"} {
			sc := Demo()
			switch where {
			case "cluster":
				sc.Clusters[0].Tags = tc.tags
			case "member":
				sc.Clusters[0].Members[1].Tags = tc.tags
			default:
				sc.Instances[0].Tags = tc.tags
			}
			err := sc.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("%s on the %s: %v", tc.name, where, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("%s on the %s: error %v, want one containing %q", tc.name, where, err, tc.want)
			}
		}
	}
}

// A cluster's storage configuration (Aurora Standard by default, or I/O-Optimized) is what
// DescribeDBClusters and its members' DescribeDBInstances report, from a scenario or from
// CreateDBCluster; another value is refused.
func TestAuroraStorageType(t *testing.T) {
	sc := Demo()
	sc.Clusters[0].StorageType = "aurora-iopt1"
	_, rc, _ := start(t, Options{Scenario: sc})
	ctx := context.Background()
	id := sc.Clusters[0].ID
	cl, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	if err != nil || aws.ToString(cl.DBClusters[0].StorageType) != "aurora-iopt1" {
		t.Fatalf("%s: %v %v", id, err, aws.ToString(cl.DBClusters[0].StorageType))
	}
	for _, m := range sc.Clusters[0].Members {
		if got := aws.ToString(describeOne(t, rc, m.ID).StorageType); got != "aurora-iopt1" {
			t.Errorf("member %s: storage type %q", m.ID, got)
		}
	}
	for st, want := range map[string]string{"": "aurora", "aurora": "aurora", "aurora-iopt1": "aurora-iopt1"} {
		name := "new-" + strings.ReplaceAll(cmp.Or(st, "default"), "aurora-", "")
		if _, err := rc.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String(name), Engine: aws.String("aurora-postgresql"),
			StorageType: aws.String(st)}); err != nil {
			t.Fatal(err)
		}
		out, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(name)})
		if err != nil || aws.ToString(out.DBClusters[0].StorageType) != want {
			t.Errorf("%s: %v %v, want %s", name, err, aws.ToString(out.DBClusters[0].StorageType), want)
		}
	}
	if _, err := rc.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("bad"), Engine: aws.String("aurora-postgresql"),
		StorageType: aws.String("gp3")}); err == nil || !strings.Contains(err.Error(), "Invalid storage type: gp3") {
		t.Errorf("storage type gp3: %v", err)
	}
	bad := Demo()
	bad.Clusters[0].StorageType = "io1"
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), `storage type "io1": want "aurora" or "aurora-iopt1"`) {
		t.Errorf("Validate: %v", err)
	}
}

// TestAuroraFreeableMemoryLeavesBufferCache: an Aurora instance's FreeableMemory is its class's memory less
// Aurora's default buffer cache (allocated at start, never freeable) less MemoryUsedGiB and its
// connections, as on a real Aurora instance: about 1 GiB of a db.t4g.medium's 4 for the demo's writer and
// reader. An RDS instance's counts all the rest of the memory free, as before.
func TestAuroraFreeableMemoryLeavesBufferCache(t *testing.T) {
	if got, want := auroraBufferCacheBytes(4*gib), float64(306781*8192); got != want { // floor(4 GiB / 12038) − 50003 pages
		t.Fatalf("buffer cache of 4 GiB %v, want %v", got, want)
	}
	srv, _, _ := start(t, Options{})
	from := srv.Now().Add(-7 * 24 * time.Hour)
	for _, tc := range []struct {
		id         string
		w          Workload
		memGiB     float64
		cache      float64
		minGiB     float64
		maxGiB     float64
		perConnMiB float64
	}{
		{"sso-prod-instance-1", DemoSSOWriterWorkload, 4, auroraBufferCacheBytes(4 * gib), 0.75, 1.2, 8},
		{"sso-prod-instance-2", DemoSSOReaderWorkload, 4, auroraBufferCacheBytes(4 * gib), 0.75, 1.25, 8},
		{"mandible-prod", DemoMandibleWorkload, 8, 0, 3, 5.5, 8},
	} {
		mem := series(t, srv, tc.id, MetricFreeableMemory, from, srv.Now())
		conns := series(t, srv, tc.id, MetricDatabaseConnections, from, srv.Now())
		room := tc.memGiB*gib - tc.cache
		for i := range mem {
			if mem[i] < tc.minGiB*gib || mem[i] > tc.maxGiB*gib {
				t.Fatalf("%s FreeableMemory %.2f GiB, want %.2f–%.2f", tc.id, mem[i]/gib, tc.minGiB, tc.maxGiB)
			}
			// Noise: 2% of what the cache leaves on Aurora, of the memory on RDS, standard deviation.
			want := room - tc.w.MemoryUsedGiB*gib - conns[i]*tc.perConnMiB*(1<<20)
			if math.Abs(mem[i]-want) > 5*0.02*room {
				t.Fatalf("%s FreeableMemory %.3f GiB, want %.3f GiB ± noise", tc.id, mem[i]/gib, want/gib)
			}
		}
	}
}

// TestWorkloadGrowth: GrowthPerMonth multiplies the load terms of CPU,
// connections and IOPS by 1 + GrowthPerMonth × days since the node's start
// / 30 (Server.MetricValue, the values CloudWatch's datapoints are built
// from); without it they stay as they were.
func TestWorkloadGrowth(t *testing.T) {
	w := Workload{CPUBase: 10, CPUAmplitude: 20, PeakHourUTC: 14, WeekendFactor: 1,
		Connections: 100, ConnectionsAmplitude: 0, ReadIOPS: 200, WriteIOPS: 100, MemoryUsedGiB: 1}
	grown := w
	grown.GrowthPerMonth = 0.3
	sc := &Scenario{Name: "growth", Seed: 1, Instances: []InstanceSpec{MultiAZInstance("flat-db", "db.m6g.large", w), MultiAZInstance("grow-db", "db.m6g.large", grown)}}
	srv, _, _ := start(t, Options{Scenario: sc})
	from := srv.Now().Add(-DefaultHistory)
	at := func(id, metric string, days float64) float64 {
		t.Helper()
		v, ok := srv.MetricValue(id, metric, from.Add(time.Duration(days*24*float64(time.Hour))).Truncate(time.Minute))
		if !ok {
			t.Fatalf("%s %s missing %v days in", id, metric, days)
		}
		return v
	}
	for _, m := range []string{MetricCPUUtilization, MetricDatabaseConnections, MetricReadIOPS, MetricWriteIOPS} {
		// Means over whole days (the daily cycle and the noise average out): days 1 and 21, whose
		// growth factors are 1 + 0.3 × 1.5/30 and 1 + 0.3 × 21.5/30 at their middles.
		day := func(id string, days float64) float64 {
			var s float64
			for i := range 1440 {
				s += at(id, m, days+float64(i)/1440)
			}
			return s / 1440
		}
		flat1, flat21 := day("flat-db", 1), day("flat-db", 21)
		g1, g21 := day("grow-db", 1), day("grow-db", 21)
		if math.Abs(flat21/flat1-1) > 0.02 {
			t.Errorf("%s without growth: %.2f then %.2f, want about equal", m, flat1, flat21)
		}
		want := (1 + 0.3*21.5/30) / (1 + 0.3*1.5/30)
		if got := g21 / g1; math.Abs(got-want) > 0.02 {
			t.Errorf("%s grew by %.3f between day 1 and 21, want %.3f", m, got, want)
		}
	}
}

// TestWorkloadSurges: a surge multiplies the load terms from From to To
// (two surges overlapping multiply), and a surge that ends before it
// starts, or a negative factor, is refused.
func TestWorkloadSurges(t *testing.T) {
	now := ScenarioEpoch
	from, to := now.Add(-10*24*time.Hour), now.Add(-9*24*time.Hour)
	w := Workload{CPUBase: 10, CPUAmplitude: 0, WeekendFactor: 1, Connections: 50, ReadIOPS: 100, WriteIOPS: 100, MemoryUsedGiB: 1,
		Surges: []Surge{{From: from, To: to, Factor: 2}, {From: from.Add(12 * time.Hour), To: to, Factor: 1.5}}}
	sc := &Scenario{Name: "surge", Seed: 1, Instances: []InstanceSpec{MultiAZInstance("surge-db", "db.m6g.large", w)}}
	srv, _, _ := start(t, Options{Scenario: sc, Now: now})
	for _, tc := range []struct {
		at   time.Time
		want float64
	}{
		{from.Add(-time.Minute), 10}, {from, 20}, {from.Add(11 * time.Hour), 20}, {from.Add(12 * time.Hour), 30}, {to.Add(-time.Minute), 30}, {to, 10},
	} {
		if v, ok := srv.MetricValue("surge-db", MetricCPUUtilization, tc.at); !ok || v != tc.want {
			t.Errorf("CPU at %s: %v, %v; want %v", tc.at.Format(time.RFC3339), v, ok, tc.want)
		}
	}
	for _, bad := range []Surge{{From: to, To: from, Factor: 2}, {From: from, To: to, Factor: -1}} {
		w.Surges = []Surge{bad}
		sc := &Scenario{Name: "bad-surge", Instances: []InstanceSpec{MultiAZInstance("surge-db", "db.m6g.large", w)}}
		if err := sc.Validate(); err == nil || !strings.Contains(err.Error(), "surge from") {
			t.Errorf("surge %+v: Validate = %v, want refused", bad, err)
		}
	}
}
