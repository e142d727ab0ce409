package provider

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awscloudwatch "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
)

// utilizationAccNow is the sandbox clock for these tests: the current hour, so that CloudWatch retention on the
// provider's side (real time) and the sandbox's metric history agree.
func utilizationAccNow() time.Time { return time.Now().UTC().Truncate(time.Hour) }

// meanActivity is the generator's mean activity a(t) over a whole week (see sandbox.Workload): the daily term
// ((1+cos)/2)^sharpness averaged over a day, weekends multiplied by WeekendFactor.
func meanActivity(w sandbox.Workload) float64 {
	const steps = 1440
	day := 0.0
	sh := w.Sharpness
	if sh <= 0 {
		sh = 1
	}
	for i := 0; i < steps; i++ {
		h := 24 * float64(i) / steps
		day += math.Pow((1+math.Cos(2*math.Pi*(h-w.PeakHourUTC)/24))/2, sh)
	}
	day /= steps
	return day * (5 + 2*w.WeekendFactor) / 7
}

// checkFloatNear checks that attribute key of name is within tol of want.
func checkFloatNear(name, key string, want, tol float64) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		raw, ok := rs.Primary.Attributes[key]
		if !ok {
			return fmt.Errorf("%s: attribute %s not set", name, key)
		}
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return fmt.Errorf("%s.%s = %q: %w", name, key, raw, err)
		}
		if math.Abs(v-want) > tol {
			return fmt.Errorf("%s.%s = %g, want %g ± %g", name, key, v, want, tol)
		}
		return nil
	}
}

// checkFloatLess checks attribute a < attribute b of the same data source.
func checkFloatLess(name, a, b string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		attrs := s.RootModule().Resources[name].Primary.Attributes
		va, err1 := strconv.ParseFloat(attrs[a], 64)
		vb, err2 := strconv.ParseFloat(attrs[b], 64)
		if err1 != nil || err2 != nil || !(va < vb) {
			return fmt.Errorf("%s: want %s (%s) < %s (%s)", name, a, attrs[a], b, attrs[b])
		}
		return nil
	}
}

// TestAccUtilization_demo reads the demo scenario's two clusters and checks the summaries against the generator's
// known parameters (sandbox.DemoSSOWriterWorkload etc.), the request count against the lower bound, and that a
// second plan shows no changes.
func TestAccUtilization_demo(t *testing.T) {
	now := utilizationAccNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	end := now.Format(time.RFC3339)
	cfg := acctest.SandboxProvider(srv).HCL() + fmt.Sprintf(`
data "rightsize_utilization" "sso" {
  db_cluster_identifier = "sso-prod"
  end_time              = %[1]q
}
data "rightsize_utilization" "mandible" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 14
  end_time               = %[1]q
}
output "sso" { value = data.rightsize_utilization.sso }
output "mandible" { value = data.rightsize_utilization.mandible }
`, end)
	sso, mand := "data.rightsize_utilization.sso", "data.rightsize_utilization.mandible"
	w, r, md := sandbox.DemoSSOWriterWorkload, sandbox.DemoSSOReaderWorkload, sandbox.DemoMandibleWorkload
	wCPU := w.CPUBase + w.CPUAmplitude*meanActivity(w)
	rCPU := r.CPUBase + r.CPUAmplitude*meanActivity(r)
	mCPU := md.CPUBase + md.CPUAmplitude*meanActivity(md)
	wConns := w.Connections + w.ConnectionsAmplitude*meanActivity(w)
	// FreeableMemory = class memory − MemoryUsedGiB − 8 MiB per connection, and on Aurora less its buffer
	// cache too (Aurora's default shared_buffers, allocated at start, never freeable: floor(4 GiB / 12038)
	// − 50003 = 306,781 pages of 8 kB); db.t4g.medium has 4 GiB.
	wMemPct := 100 * (306781*8192.0/(1<<30) + w.MemoryUsedGiB + wConns*8/1024) / 4
	// FreeStorageSpace = 100 GiB − (StorageUsedGiB + growth × days since the 28-day history began); the window
	// is days 14–28 of the history, so the mean is at day 21.
	mFree := (100 - md.StorageUsedGiB - md.StorageGrowthGiBPerDay*21) * (1 << 30)
	hourOfWeek := func(d time.Weekday, h int) string { return fmt.Sprintf("nodes.0.cpu_hour_of_week.%d", int(d)*24+h) }

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("topology"), knownvalue.StringExact("aurora")),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("multi_az"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("lookback_days"), knownvalue.Int64Exact(14)),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("period_seconds"), knownvalue.Int64Exact(60)),
				// 2 nodes × 10 metrics × 20,160 points = 403,200 datapoints: ⌈403,200 / 100,800⌉ = 4 requests;
				// and the combined view's read by role: 2 roles × 10 metrics and the readers' count,
				// 423,360 datapoints, 5 requests.
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("requests_made"), knownvalue.Int64Exact(9)),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("engine"), knownvalue.StringExact("aurora-postgresql")),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("identifier"), knownvalue.StringExact("sso-prod-instance-1")),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("role"), knownvalue.StringExact("writer")),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("nodes").AtSliceIndex(1).AtMapKey("role"), knownvalue.StringExact("reader")),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("instance_class"), knownvalue.StringExact("db.t4g.medium")),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("vcpu"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("memory_gib"), knownvalue.Float64Exact(4)),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("cpu_hour_of_week"), knownvalue.ListSizeExact(168)),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("cpu_hour_of_week"), knownvalue.ListSizeExact(168)),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("metrics").AtMapKey("CPUUtilization").AtMapKey("coverage"), knownvalue.Float64Exact(1)),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("metrics").AtMapKey("CPUUtilization").AtMapKey("expected"), knownvalue.Int64Exact(20160)),
				// On Aurora the default list has AuroraReplicaLag in place of ReplicaLag: the reader publishes
				// it, the writer does not (an empty summary, not an error). And FreeLocalStorage in place of
				// FreeStorageSpace, which Aurora does not publish.
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("metrics").AtSliceIndex(7), knownvalue.StringExact("AuroraReplicaLag")),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("nodes").AtSliceIndex(1).AtMapKey("metrics").AtMapKey("AuroraReplicaLag").AtMapKey("count"), knownvalue.Int64Exact(20160)),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("metrics").AtMapKey("AuroraReplicaLag").AtMapKey("count"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("metrics").AtMapKey("AuroraReplicaLag").AtMapKey("mean"), knownvalue.Null()),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("metrics").AtSliceIndex(8), knownvalue.StringExact("FreeLocalStorage")),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("metrics").AtMapKey("FreeLocalStorage").AtMapKey("count"), knownvalue.Int64Exact(20160)),
				statecheck.ExpectKnownValue(sso, tfjsonpath.New("nodes").AtSliceIndex(1).AtMapKey("metrics").AtMapKey("FreeLocalStorage").AtMapKey("count"), knownvalue.Int64Exact(20160)),

				statecheck.ExpectKnownValue(mand, tfjsonpath.New("topology"), knownvalue.StringExact("multi-az")),
				statecheck.ExpectKnownValue(mand, tfjsonpath.New("multi_az"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(mand, tfjsonpath.New("nodes"), knownvalue.ListSizeExact(1)),
				statecheck.ExpectKnownValue(mand, tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("multi_az"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(mand, tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("memory_gib"), knownvalue.Float64Exact(8)),
				statecheck.ExpectKnownValue(mand, tfjsonpath.New("requests_made"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue(mand, tfjsonpath.New("window_end"), knownvalue.StringExact(end)),
				statecheck.ExpectKnownValue(mand, tfjsonpath.New("window_start"), knownvalue.StringExact(now.Add(-14*24*time.Hour).Format(time.RFC3339))),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkFloatNear(sso, "nodes.0.metrics.CPUUtilization.mean", wCPU, 0.6),
				checkFloatNear(sso, "nodes.1.metrics.CPUUtilization.mean", rCPU, 0.4),
				checkFloatNear(sso, "nodes.0.metrics.DatabaseConnections.mean", wConns, 1),
				resource.TestCheckNoResourceAttr(sso, "nodes.1.metrics.ReplicaLag.count"),
				// The sandbox's Aurora reader lags by 12 ms plus up to ~10 ms with its load.
				checkFloatNear(sso, "nodes.1.metrics.AuroraReplicaLag.mean", 17, 6),
				// db.t4g.medium: the sandbox's 8 GiB of local storage, 2% of it logs, no temporary files.
				checkFloatNear(sso, "nodes.1.metrics.FreeLocalStorage.max", 0.98*8*(1<<30), 1e5),
				checkFloatNear(sso, "nodes.0.metrics.FreeLocalStorage.min", 0.98*8*(1<<30), 1e5),
				checkFloatNear(sso, "nodes.0.memory_utilization_percent.mean", wMemPct, 2),
				// The daily peak is near PeakHourUTC; the trough 12 h away. Weekday CPU swings by CPUAmplitude.
				checkFloatNear(sso, hourOfWeek(time.Wednesday, 14), w.CPUBase+w.CPUAmplitude, 1.5),
				checkFloatNear(sso, hourOfWeek(time.Wednesday, 2), w.CPUBase, 1),
				checkFloatLess(sso, "nodes.0.metrics.CPUUtilization.p50", "nodes.0.metrics.CPUUtilization.p99"),
				checkFloatLess(sso, "nodes.0.metrics.CPUUtilization.p99", "nodes.0.metrics.CPUUtilization.max"),
				// Combined view: both db.t4g.medium, so the projected CPU is writer + reader.
				checkFloatNear(sso, "combined.cpu_percent.mean", wCPU+rCPU, 0.8),
				checkFloatNear(sso, "cpu_hour_of_week.38", (w.CPUBase+w.CPUAmplitude)+(r.CPUBase+r.CPUAmplitude), 2),
				resource.TestMatchResourceAttr(sso, "pattern.pattern", regexp.MustCompile(`^(daily|weekly)-cycle$`)),
				resource.TestCheckResourceAttrSet(sso, "pattern.evidence.0"),
				resource.TestMatchResourceAttr(sso, "nodes.0.metrics.CPUUtilization.peak_time", regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$`)),

				checkFloatNear(mand, "nodes.0.metrics.CPUUtilization.mean", mCPU, 0.8),
				checkFloatNear(mand, "nodes.0.metrics.FreeStorageSpace.mean", mFree, 0.2*(1<<30)),
				checkFloatNear(mand, "combined.cpu_percent.mean", mCPU, 0.8),
				// sso-prod's nodes use their logs' 2% of the sandbox's 8 GiB; the catalog gives db.t4g.medium 8.13 GiB.
				checkFloatNear(sso, "combined.local_storage_used_bytes.max", (8.13-0.98*8)*(1<<30), 1e5),
				resource.TestCheckNoResourceAttr(mand, "combined.local_storage_used_bytes.max"),
				resource.TestCheckResourceAttr(mand, "nodes.0.metrics.%", "10"),
				resource.TestCheckResourceAttr(mand, "nodes.0.metrics.ReplicaLag.count", "0"),
			),
		}, {
			// Same inputs: the data sources read the same values, so nothing changes (outputs included).
			Config:   cfg,
			PlanOnly: true,
		}},
	})
}

// TestAccUtilization_customInputs: a chosen metric list, a coarser period and a 28-day window.
func TestAccUtilization_customInputs(t *testing.T) {
	now := utilizationAccNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	ds := "data.rightsize_utilization.m"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.SandboxProvider(srv).HCL() + fmt.Sprintf(`
data "rightsize_utilization" "m" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 28
  end_time               = %q
  metrics                = ["CPUUtilization", "FreeableMemory"]
  period_seconds         = 3600
}
`, now.Format(time.RFC3339)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("period_seconds"), knownvalue.Int64Exact(3600)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("requests_made"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("metrics"), knownvalue.MapSizeExact(2)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("metrics").AtMapKey("CPUUtilization").AtMapKey("expected"), knownvalue.Int64Exact(28*24)),
				// Without the IOPS and network metrics the combined view has only what can be projected.
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("combined").AtMapKey("cpu_percent").AtMapKey("count"), knownvalue.Int64Exact(28*24)),
			},
		}},
	})
}

// TestAccUtilization_throttled: half of the GetMetricData calls are throttled; the read still succeeds and
// requests_made counts the retries.
func TestAccUtilization_throttled(t *testing.T) {
	now := utilizationAccNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now, FaultSeed: 7})
	srv.SetErrorRate("GetMetricData", 0.5, sandbox.FaultThrottling)
	ds := "data.rightsize_utilization.sso"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.SandboxProvider(srv).HCL() + fmt.Sprintf(`
data "rightsize_utilization" "sso" {
  db_cluster_identifier = "sso-prod"
  end_time              = %q
}
`, now.Format(time.RFC3339)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(ds, "nodes.0.metrics.CPUUtilization.count", "20160"),
				func(s *terraform.State) error {
					n, _ := strconv.Atoi(s.RootModule().Resources[ds].Primary.Attributes["requests_made"])
					throttled := 0
					for _, e := range srv.Calls("GetMetricData") {
						if e.ErrorCode == "Throttling" {
							throttled++
						}
					}
					if n <= 4 || throttled == 0 {
						return fmt.Errorf("requests_made = %d with %d throttled calls logged; want more than the 4 planned", n, throttled)
					}
					return nil
				},
			),
		}},
	})
}

// TestAccUtilization_maxRetries: max_retries bounds the attempts of each GetMetricData request
// too (the collector retries them itself): with every call throttled, the read fails after that
// many attempts per request, and says so.
func TestAccUtilization_maxRetries(t *testing.T) {
	now := utilizationAccNow()
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: now})
	srv.SetErrorRate("GetMetricData", 1, sandbox.FaultThrottling)
	cfg := acctest.SandboxProvider(srv)
	cfg.Extra = map[string]string{"max_retries": "2"}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg.HCL() + fmt.Sprintf(`
data "rightsize_utilization" "sso" {
  db_cluster_identifier = "sso-prod"
  end_time              = %q
}
`, now.Format(time.RFC3339)),
			ExpectError: regexp.MustCompile(`(?s)still\s+throttled\s+or\s+failing\s+after\s+2\s+attempt.*raise\s+max_retries`),
		}},
	})
	// Each request that failed was tried twice (utilizationConcurrency requests may be in flight).
	if n := len(srv.Calls("GetMetricData")); n == 0 || n > 2*utilizationConcurrency {
		t.Errorf("%d GetMetricData calls with max_retries = 2", n)
	}
}

// TestAccUtilization_badInputs: each bad input gets an error naming the attribute and what to do.
func TestAccUtilization_badInputs(t *testing.T) {
	now := utilizationAccNow()
	srvs := map[string]*sandbox.Server{}
	for _, name := range []string{"demo", "mysql", "aurora3", "serverless"} {
		srvs[name] = acctest.StartSandbox(t, sandbox.Options{ScenarioName: name, Now: now})
	}
	end := now.Format(time.RFC3339)
	cfg := func(scenario, body string) string { return acctest.SandboxProvider(srvs[scenario]).HCL() + body }
	step := func(scenario, body, want string) resource.TestStep {
		return resource.TestStep{Config: cfg(scenario, body), ExpectError: regexp.MustCompile(strings.ReplaceAll(want, " ", `\s+`))} // terraform wraps long lines
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step("demo", `data "rightsize_utilization" "x" { db_instance_identifier = "no-such-db" }`,
				`(?s)DB Deployment Not Found.*"no-such-db" not found.*If this configuration creates it, add depends_on = \[<the resource that creates it>\] to this data source`),
			step("demo", `data "rightsize_utilization" "x" { db_cluster_identifier = "no-such-cluster" }`,
				`(?s)DB Deployment Not Found.*no-such-cluster`),
			step("demo", `data "rightsize_utilization" "x" {
  db_instance_identifier = "mandible-prod"
  db_cluster_identifier  = "sso-prod"
}`, `(?s)Invalid Attribute Combination.*db_cluster_identifier`),
			step("demo", `data "rightsize_utilization" "x" {}`, `(?s)Missing Attribute Configuration.*Exactly one of these attributes`),
			step("mysql", `data "rightsize_utilization" "x" { db_instance_identifier = "shop-mysql" }`,
				`(?s)Unsupported DB Deployment.*mysql.*Supported: RDS for PostgreSQL`),
			step("aurora3", `data "rightsize_utilization" "x" { db_cluster_identifier = "tri-prod" }`,
				`(?s)Unsupported Cluster Size.*3 instances.*at most one reader`),
			step("serverless", `data "rightsize_utilization" "x" { db_cluster_identifier = "sls-prod" }`,
				`(?s)Unsupported DB Deployment.*Serverless`),
			step("demo", `data "rightsize_utilization" "x" {
  db_instance_identifier = "mandible-prod"
  end_time               = "`+now.Add(48*time.Hour).Format(time.RFC3339)+`"
}`, `(?s)End Time in the Future.*end_time`),
			step("demo", `data "rightsize_utilization" "x" {
  db_instance_identifier = "mandible-prod"
  end_time               = "yesterday"
}`, `(?s)Invalid Timestamp.*end_time`),
			step("demo", `data "rightsize_utilization" "x" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 456
}`, `(?s)lookback_days.*between 1 and 455`),
			step("demo", `data "rightsize_utilization" "x" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 200
  end_time               = "`+now.Add(-300*24*time.Hour).Format(time.RFC3339)+`"
}`, `(?s)Window Beyond CloudWatch Retention.*455 days`),
			step("demo", `data "rightsize_utilization" "x" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 28
  period_seconds         = 60
}`, `(?s)Period CloudWatch Cannot Serve.*period_seconds`),
			step("demo", `data "rightsize_utilization" "x" {
  db_instance_identifier = "mandible-prod"
  lookback_days          = 20
  period_seconds         = 360
}`, `(?s)Period CloudWatch Cannot Serve.*multiple of 300 s`),
			step("demo", `data "rightsize_utilization" "x" {
  db_instance_identifier = "mandible-prod"
  period_seconds         = 90
}`, `(?s)Invalid Period.*multiple of 60`),
			step("demo", `data "rightsize_utilization" "x" {
  db_instance_identifier = "mandible-prod"
  period_seconds         = 172800
}`, `(?s)period_seconds.*between 60 and 86400`),
			step("demo", `data "rightsize_utilization" "x" {
  db_instance_identifier = "mandible-prod"
  metrics                = ["CPUUtilization", "Bogus"]
}`, `(?s)metrics.*Bogus`),
			step("demo", `data "rightsize_utilization" "x" {
  db_instance_identifier = "sso-prod-instance-1"
  end_time               = "`+end+`"
}`, `(?s)Unsupported DB Deployment.*db_cluster_identifier`),
		},
	})
}

func TestUtilizationHelpers(t *testing.T) {
	if got := round6(123.4567891); got != 123.457 {
		t.Errorf("round6 = %v", got)
	}
	// Large byte counts come back whole (a power-of-ten scaling gave 64311299999.99999).
	for _, v := range []float64{6.4311299472e+10, 1.0737418240e+10, 4.2949672950e+9, 8.13 * (1 << 30)} {
		if got := round6(v); got != math.Trunc(got) || math.Abs(got-v) > v*1e-5 {
			t.Errorf("round6(%v) = %v, want a whole number within 6 significant digits", v, got)
		}
	}
	if got := round6(0.000123456789); got != 0.000123457 {
		t.Errorf("round6 small = %v", got)
	}
	if !roundedFloat(math.NaN()).IsNull() || !roundedFloat(math.Inf(1)).IsNull() || roundedFloat(2).ValueFloat64() != 2 {
		t.Error("roundedFloat")
	}
	w := nodeProfile{writer: true, vcpu: 2, mean: []float64{10, 20, math.NaN()}}
	r := nodeProfile{vcpu: 4, mean: []float64{1, 2, 3}}
	p, ok := combineProfiles([]nodeProfile{r, w})
	if !ok || p[0] != 12 || p[1] != 24 || !math.IsNaN(p[2]) {
		t.Errorf("combineProfiles = %v, %v", p, ok)
	}
	if _, ok := combineProfiles([]nodeProfile{r}); ok {
		t.Error("combineProfiles without a writer")
	}
	free := analysis.Series{Metric: "FreeableMemory", Period: time.Minute, Start: time.Unix(0, 0), End: time.Unix(120, 0),
		Timestamps: []time.Time{time.Unix(0, 0), time.Unix(60, 0)}, Values: []float64{1 << 30, 3 << 30}}
	mu := memoryUtilization(free, 4)
	if mu.Values[0] != 75 || mu.Values[1] != 25 || free.Values[0] != 1<<30 || mu.Unit != "Percent" {
		t.Errorf("memoryUtilization = %v (input %v)", mu.Values, free.Values)
	}
}

// sandboxProviderData builds the provider's clients (real SDK clients) against an in-process sandbox, as
// Configure does, for tests that call the read logic directly and inspect its diagnostics.
func sandboxProviderData(t *testing.T, scenario string, now time.Time) *ProviderData {
	t.Helper()
	return sandboxServerData(acctest.StartSandbox(t, sandbox.Options{ScenarioName: scenario, Now: now}))
}

// sandboxServerData is the provider data of a provider configured for the sandbox srv.
func sandboxServerData(srv *sandbox.Server) *ProviderData {
	creds := credentials.NewStaticCredentialsProvider("AKIDSANDBOX", "sandbox-secret", "")
	client := rds.New(rds.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds, HTTPClient: sdkhttp.Wrap(nil)})
	return &ProviderData{
		Region:     "us-east-1",
		RDS:        client,
		Listings:   inventory.NewSharedListings(client, listingsTTL), // as Configure sets it
		CloudWatch: awscloudwatch.New(awscloudwatch.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds, HTTPClient: sdkhttp.Wrap(nil)}),
	}
}

func summaries(diags diag.Diagnostics, sev diag.Severity) map[string]int {
	out := map[string]int{}
	for _, d := range diags {
		if d.Severity() == sev {
			out[d.Summary()]++
		}
	}
	return out
}

// utilizationReadModel is the data source's configuration for readUtilization: one of instance or cluster, a
// lookback of days ending at end, the default period and metrics.
func utilizationReadModel(instance, cluster string, days int64, end time.Time) *utilizationModel {
	m := &utilizationModel{DBInstanceIdentifier: types.StringNull(), DBClusterIdentifier: types.StringNull(),
		LookbackDays: types.Int64Value(days), EndTime: types.StringValue(end.Format(time.RFC3339)),
		PeriodSeconds: types.Int64Null(), Metrics: types.ListNull(types.StringType)}
	if instance != "" {
		m.DBInstanceIdentifier = types.StringValue(instance)
	}
	if cluster != "" {
		m.DBClusterIdentifier = types.StringValue(cluster)
	}
	return m
}

// TestReadUtilizationWarnings checks the warning diagnostics (which terraform-plugin-testing cannot observe):
// low coverage, metrics without data and a coarser period forced by retention.
func TestReadUtilizationWarnings(t *testing.T) {
	now := utilizationAccNow()
	model := func(instance, cluster string, days int64) *utilizationModel {
		// Ending now without end_time, which would pin the window (a warning of its own).
		m := utilizationReadModel(instance, cluster, days, now)
		m.EndTime = types.StringNull()
		return m
	}
	ctx := context.Background()

	// 3 days of history in a 14-day window: every published metric is at ~21% coverage; ReplicaLag has none,
	// which a Multi-AZ writer never publishes: no warning for it while it comes from the default list.
	pd := sandboxProviderData(t, "short", now)
	m := model("mandible-prod", "", 14)
	_, diags := readUtilization(ctx, pd, m, now)
	if diags.HasError() {
		t.Fatalf("short: %v", diags)
	}
	w := summaries(diags, diag.SeverityWarning)
	if w["Low Metric Coverage"] != 9 || w["Metric Has No Data"] != 0 || w["Coarser Period Forced by Retention"] != 0 {
		t.Errorf("short scenario warnings: %v", w)
	}
	// Listed explicitly, it gets its warning, with the reason.
	m = model("mandible-prod", "", 14)
	m.Metrics = stringList([]string{"CPUUtilization", "ReplicaLag"})
	_, diags = readUtilization(ctx, pd, m, now)
	if w := summaries(diags, diag.SeverityWarning); diags.HasError() || w["Metric Has No Data"] != 1 || !hasDetail(diags, "published by read replicas only") {
		t.Errorf("short scenario, ReplicaLag listed: warnings %v, diags %v", w, diags)
	}
	if got := m.Nodes[0].Metrics["CPUUtilization"].Coverage.ValueFloat64(); got < 0.2 || got > 0.22 {
		t.Errorf("short scenario CPU coverage %v, want 3/14", got)
	}

	// 28 days: the window reaches past the 15-day retention of 1-minute data.
	pd = sandboxProviderData(t, "demo", now)
	m = model("mandible-prod", "", 28)
	_, diags = readUtilization(ctx, pd, m, now)
	w = summaries(diags, diag.SeverityWarning)
	if diags.HasError() || w["Coarser Period Forced by Retention"] != 1 || m.PeriodSeconds.ValueInt64() != 300 || w["Low Metric Coverage"] != 0 ||
		w["Peaks Averaged Over the Period"] != 0 || !hasDetail(diags, "300-second averages: spikes shorter than that are averaged away") {
		t.Errorf("28 days: period %v, warnings %v, diags %v", m.PeriodSeconds, w, diags)
	}

	// Aurora with the default list: the writer's AuroraReplicaLag is empty, as Aurora publishes it, and
	// there is no warning.
	m = model("", "sso-prod", 14)
	res, diags := readUtilization(ctx, pd, m, now)
	if w = summaries(diags, diag.SeverityWarning); diags.HasError() || len(w) != 0 {
		t.Errorf("sso-prod warnings: %v", w)
	}
	if res == nil || len(res.Input.Nodes) != 2 || res.Input.Topology != analysis.TopologyAurora || !res.CapacityKnown {
		t.Errorf("analysis input: %+v", res)
	}
	// Listed explicitly: no ReplicaLag or FreeStorageSpace on either node, with a hint naming what Aurora publishes.
	m = model("", "sso-prod", 14)
	m.Metrics = stringList([]string{"CPUUtilization", "ReplicaLag", "FreeStorageSpace"})
	_, diags = readUtilization(ctx, pd, m, now)
	if w = summaries(diags, diag.SeverityWarning); diags.HasError() || w["Metric Has No Data"] != 4 || len(w) != 1 {
		t.Errorf("sso-prod warnings with ReplicaLag and FreeStorageSpace listed: %v", w)
	}
	if !hasDetail(diags, "AuroraReplicaLag") || !hasDetail(diags, "FreeLocalStorage") {
		t.Errorf("no AuroraReplicaLag or FreeLocalStorage hint in the warnings: %v", diags)
	}
	// And the other way round: FreeLocalStorage listed for an RDS instance (no local NVMe storage).
	m = model("mandible-prod", "", 14)
	m.Metrics = stringList([]string{"CPUUtilization", "FreeLocalStorage"})
	_, diags = readUtilization(ctx, pd, m, now)
	if w = summaries(diags, diag.SeverityWarning); diags.HasError() || w["Metric Has No Data"] != 1 || len(w) != 1 || !hasDetail(diags, "storage is FreeStorageSpace") {
		t.Errorf("mandible-prod warnings with FreeLocalStorage listed: %v", diags)
	}
}

// hasDetail reports whether a diagnostic's detail contains s.
func hasDetail(diags diag.Diagnostics, s string) bool {
	for _, d := range diags {
		if strings.Contains(d.Detail(), s) {
			return true
		}
	}
	return false
}

// TestReadUtilizationHoles reads the holes scenario (the demo's values with ~3 minutes per thousand left out of
// every node's series, as collected CloudWatch data has) through the real SDK and collector: the summaries count
// the missing periods, the combined series exists where the writer has a point (an estimate standing in for the reader's
// missing ones), and the analysis reaches
// the demo's verdict with the same projected load.
func TestReadUtilizationHoles(t *testing.T) {
	now := utilizationAccNow()
	ctx := context.Background()
	read := func(scenario string) (*utilizationModel, *utilizationResult) {
		t.Helper()
		m := utilizationReadModel("", "sso-prod", 14, now)
		res, diags := readUtilization(ctx, sandboxProviderData(t, scenario, now), m, now)
		if diags.HasError() || res == nil {
			t.Fatalf("%s: %v", scenario, diags)
		}
		return m, res
	}
	dm, dres := read("demo")
	hm, hres := read("holes")
	expected := int64(14 * 1440)
	w, r, c := hm.Nodes[0].Metrics["CPUUtilization"], hm.Nodes[1].Metrics["CPUUtilization"], hm.Combined["cpu_percent"]
	for _, s := range []statsModel{w, r} {
		missing := expected - s.Count.ValueInt64()
		if s.Expected.ValueInt64() != expected || missing < 20 || missing > 120 || s.Coverage.ValueFloat64() >= 1 {
			t.Errorf("node CPU: count %v of %v, coverage %v; want ~3 per thousand missing", s.Count, s.Expected, s.Coverage)
		}
	}
	// A combined point needs the writer's: where only the reader's is missing, an estimate of it stands in
	// (the projection never drops the writer's own load), so the combined count is the writer's.
	wc, rc, cc := w.Count.ValueInt64(), r.Count.ValueInt64(), c.Count.ValueInt64()
	if cc != wc || rc == expected {
		t.Errorf("combined CPU count %d for node counts %d and %d (of %d)", cc, wc, rc, expected)
	}
	if d := dm.Nodes[0].Metrics["CPUUtilization"]; d.Count.ValueInt64() != expected ||
		math.Abs(w.Mean.ValueFloat64()-d.Mean.ValueFloat64()) > 0.05 || w.Max.ValueFloat64() > d.Max.ValueFloat64() {
		t.Errorf("writer CPU with holes %+v, without %+v", w, d)
	}
	drec, err := analysis.Analyze(dres.Input, analysis.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	hrec, err := analysis.Analyze(hres.Input, analysis.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if hrec.Verdict != drec.Verdict || math.Abs(hrec.Projection.CPU.P99-drec.Projection.CPU.P99) > 0.5 ||
		hrec.Projection.CPU.Count != int(cc) || hrec.Projection.CPU.NaN != 0 ||
		hrec.Projection.EstimatedPoints[hrec.Projection.CPU.Metric] == 0 || drec.Projection.EstimatedPoints != nil {
		t.Errorf("holes: %s, projected CPU %+v\ndemo:  %s, projected CPU %+v", hrec.Verdict, hrec.Projection.CPU, drec.Verdict, drec.Projection.CPU)
	}
}

// With no region anywhere, rightsize_utilization says so as the recommendation does, instead of
// passing on the AWS SDK's error.
func TestAccUtilization_missingRegion(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{ScenarioName: "demo", Now: utilizationAccNow()})
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	provider := fmt.Sprintf(`
provider "rightsize" {
  access_key = "AKIDSANDBOX"
  secret_key = "sandbox-secret"
  endpoints {
    rds        = %[1]q
    cloudwatch = %[1]q
  }
}
`, srv.URL())
	want := regexp.MustCompile(`(?s)Missing AWS Region.*set\s+region\s+in\s+the\s+provider\s+block`)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      provider + `data "rightsize_utilization" "x" { db_instance_identifier = "mandible-prod" }`,
			ExpectError: want,
		}, {
			Config:      provider + `data "rightsize_single_node_recommendation" "x" { db_instance_identifier = "mandible-prod" }`,
			ExpectError: want,
		}},
	})
}
