package rightsizing

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// TestRecommend_earlierPeakRemovedReader: an Aurora pair (db.r6g.large) whose reader
// rightsize_db_topology's orchestrator removed at testNow, recommended 15 days later with
// allow_single_node, a 14-day lookback (entirely after the removal) and a 60-day peak lookback.
// The days before the window include the 2-node cluster: the earlier read reads it with the
// reader its guard snapshot records, by role as before the removal, and the earlier peak adds
// the reader's CPU to the writer's. It read the writer alone (per instance), so a surge the reader
// carried 40 days before the removal (its load four times as heavy for a day) was left out: the
// earlier peak was the writer's busiest hour after the removal (16.2%), no risk. Now it is the
// surge's hour, exactly the writer's hourly mean plus the reader's by the sandbox's own values,
// and a high-traffic risk; one GetMetricData request more than without peak_lookback_days, as for
// any deployment.
//
// Without the surge: in the hour of the removal the reader reported only its first minutes and the
// writer carried its load for the rest; the mean of the reader's minutes added to the writer's
// hour counted that load twice (20.5%, above the lookback's 16.2% by more than the headroom: a
// false medium risk). The reader counts over the whole hour (its minutes' sum over 60), and the
// busiest earlier hour is an ordinary 2-node one, no risk.
//
// The reader's class is taken as the window's removed reader's is: the one its guard snapshot
// records (another than the writer's: read per instance and scaled by its vCPUs), the writer's
// when it records none.
func TestRecommend_earlierPeakRemovedReader(t *testing.T) {
	surgeFrom := testNow.Add(-40 * 24 * time.Hour).Truncate(24 * time.Hour)
	surge := sandbox.Surge{From: surgeFrom, To: surgeFrom.Add(24 * time.Hour), Factor: 4}
	counted := func(t *testing.T, res Result, says string) {
		t.Helper()
		if !slices.ContainsFunc(res.Warnings, func(w Warning) bool {
			return w.Title == "Removed Reader Counted in the Earlier Peak" && strings.Contains(w.Text, "peak-prod had the reader peak-prod-instance-2, which rightsize_db_topology removed") &&
				strings.Contains(w.Text, says)
		}) {
			t.Errorf("no warning naming the reader counted in the earlier peak, saying %q: %q", says, res.WarningTexts())
		}
	}
	// retag sets the reader's class that the guard snapshot records ("" removes it).
	retag := func(class string) func(*testing.T, *sandbox.Server, *rds.Client) {
		return func(t *testing.T, _ *sandbox.Server, api *rds.Client) {
			ctx := context.Background()
			out, err := api.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterIdentifier: aws.String("peak-prod")})
			if err != nil || len(out.DBClusterSnapshots) != 1 {
				t.Fatalf("guard snapshots of peak-prod: %v, %v", out, err)
			}
			arn := out.DBClusterSnapshots[0].DBClusterSnapshotArn
			const key = topology.TagPrefix + "reader:class"
			if class == "" {
				_, err = api.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: arn, TagKeys: []string{key}})
			} else {
				_, err = api.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: arn, Tags: []rdstypes.Tag{{Key: aws.String(key), Value: aws.String(class)}}})
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	run := func(t *testing.T, after func(*testing.T, *sandbox.Server, *rds.Client), surges ...sandbox.Surge) (Result, *sandbox.Server) {
		t.Helper()
		ctx := context.Background()
		reader := sandbox.DemoSSOReaderWorkload
		reader.NoiseStdDev, reader.SpikesPerWeek = 0, 0
		reader.Surges = surges
		writer := sandbox.DemoSSOWriterWorkload
		writer.NoiseStdDev, writer.SpikesPerWeek = 0, 0
		sc := &sandbox.Scenario{Name: "earlier-removed", Seed: 3, History: 90 * 24 * time.Hour,
			Clusters: []sandbox.ClusterSpec{sandbox.AuroraPair("peak-prod", "db.r6g.large", writer, reader)}}
		d, srv := deps(t, sc, testNow)
		api := d.RDS.(*rds.Client)
		changeCluster(t, srv, api, "peak-prod", 0, 1)
		if after != nil {
			after(t, srv, api)
		}
		srv.Advance(15 * 24 * time.Hour)
		d.Now = srv.Now
		d.RDS = inventory.NewSharedListings(api, time.Minute)
		req := Request{ClusterID: "peak-prod", Lookback: 14 * 24 * time.Hour, AllowSingleNode: true, TargetClasses: []string{"db.r6g.large"}}
		plain, err := Recommend(ctx, d, req)
		if err != nil {
			t.Fatal(err)
		}
		req.PeakLookback = 60 * 24 * time.Hour
		res, err := Recommend(ctx, d, req)
		if err != nil {
			t.Fatal(err)
		}
		if !res.AlreadySingleNode || len(res.Recommendation.Nodes) != 1 {
			t.Fatalf("single node %v, nodes %d: want the writer alone analysed in the window", res.AlreadySingleNode, len(res.Recommendation.Nodes))
		}
		if res.RequestsMade != plain.RequestsMade+1 {
			t.Errorf("requests %d with PeakLookback, %d without: want one more", res.RequestsMade, plain.RequestsMade)
		}
		if res.Recommendation.EarlierPeak == nil {
			t.Fatal("no EarlierPeak")
		}
		return res, srv
	}
	// hourly is the sandbox's own hourly means of the writer's and the reader's CPU from at (the
	// reader's minutes after its removal add nothing).
	hourly := func(t *testing.T, srv *sandbox.Server, at time.Time) (w, r float64) {
		t.Helper()
		for m := range 60 {
			tm := at.Add(time.Duration(m) * time.Minute)
			wv, ok := srv.MetricValue("peak-prod-instance-1", sandbox.MetricCPUUtilization, tm)
			if !ok {
				t.Fatalf("no writer CPU at %s", tm)
			}
			rv, _ := srv.MetricValue("peak-prod-instance-2", sandbox.MetricCPUUtilization, tm)
			w, r = w+wv/60, r+rv/60
		}
		return w, r
	}
	risk := func(res Result) string {
		for _, r := range res.Recommendation.Risks {
			if strings.HasPrefix(r.Description, "Busier before the lookback") {
				return r.Severity
			}
		}
		return ""
	}

	t.Run("a surge the reader carried", func(t *testing.T) {
		res, srv := run(t, nil, surge)
		counted(t, res, "read by Aurora role (READER) as before the removal")
		e := res.Recommendation.EarlierPeak
		w, r := hourly(t, srv, e.PeakTime)
		t.Logf("earlier peak %.3f%% at %s (writer %.3f + reader %.3f); lookback's %.3f%%", e.PeakCPU, e.PeakTime, w, r, e.LookbackPeakCPU)
		if e.PeakTime.Before(surgeFrom) || !e.PeakTime.Before(surgeFrom.Add(24*time.Hour)) || math.Abs(e.PeakCPU-(w+r)) > 0.01 || r < 15 {
			t.Errorf("earlier peak %.3f%% at %s, want the writer's %.3f + the reader's %.3f in the reader's surge from %s", e.PeakCPU, e.PeakTime, w, r, surgeFrom)
		}
		if sev := risk(res); sev != "high" {
			t.Errorf("earlier peak risk %q, want a high high-traffic risk (%.1f%% against the lookback's %.1f%%)", sev, e.PeakCPU, e.LookbackPeakCPU)
		}
	})
	t.Run("no surge: the removal's hour counts the reader once", func(t *testing.T) {
		res, srv := run(t, nil)
		counted(t, res, "read by Aurora role (READER) as before the removal")
		e := res.Recommendation.EarlierPeak
		w, r := hourly(t, srv, e.PeakTime)
		t.Logf("earlier peak %.3f%% at %s (writer %.3f + reader %.3f); lookback's %.3f%%", e.PeakCPU, e.PeakTime, w, r, e.LookbackPeakCPU)
		if !e.PeakTime.Before(testNow) || math.Abs(e.PeakCPU-(w+r)) > 0.01 || r < 1 {
			t.Errorf("earlier peak %.3f%% at %s, want a 2-node hour before the removal at %s: the writer's %.3f + the reader's %.3f", e.PeakCPU, e.PeakTime, testNow, w, r)
		}
		if sev := risk(res); sev != "" {
			t.Errorf("earlier peak risk %q: the busiest earlier hour is within the headroom of the lookback's", sev)
		}
	})
	for _, tc := range []struct {
		name, class, says string
		scale             float64 // of the reader's CPU: its vCPUs over the writer's
	}{
		{"its guard records another class", "db.r6g.xlarge", "read per instance, as its class (db.r6g.xlarge) is not the writer's, and scaled by its vCPUs", 2},
		{"its guard records no class", "", "its guard snapshot does not record its class, so it is taken to have run the writer's (db.r6g.large)", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, srv := run(t, retag(tc.class), surge)
			e := res.Recommendation.EarlierPeak
			w, r := hourly(t, srv, e.PeakTime)
			t.Logf("earlier peak %.3f%% at %s (writer %.3f + reader %.3f)", e.PeakCPU, e.PeakTime, w, r)
			counted(t, res, tc.says)
			if e.PeakTime.Before(surgeFrom) || !e.PeakTime.Before(surgeFrom.Add(24*time.Hour)) || math.Abs(e.PeakCPU-(w+tc.scale*r)) > 0.01 || r < 15 {
				t.Errorf("earlier peak %.3f%% at %s, want the writer's %.3f + %g × the reader's %.3f in the reader's surge", e.PeakCPU, e.PeakTime, w, tc.scale, r)
			}
		})
	}
	// Without the guard snapshots (rds:DescribeDBClusterSnapshots refused) the reader is not known:
	// the warning says so of the days before the window too, and the earlier peak is the writer's.
	t.Run("guard snapshots not listed", func(t *testing.T) {
		res, _ := run(t, func(_ *testing.T, srv *sandbox.Server, _ *rds.Client) {
			srv.InjectFaults(sandbox.FaultRule{Operation: "DescribeDBClusterSnapshots", Rate: 1,
				RateFault: sandbox.Fault{Kind: sandbox.FaultError, Status: 403, Code: "AccessDenied", Message: "not authorized"}})
		}, surge)
		if e := res.Recommendation.EarlierPeak; !e.PeakTime.After(testNow) {
			t.Errorf("earlier peak %.3f%% at %s: want the writer's alone, after the removal", e.PeakCPU, e.PeakTime)
		}
		if !slices.ContainsFunc(res.Warnings, func(w Warning) bool {
			return w.Title == "Removed Reader Not Checked" && strings.Contains(w.Text, "or the days before it that peak_lookback_days reads (from 2026-09-18T12:10:00Z)")
		}) {
			t.Errorf("warnings %q: want one saying a reader removed before the window is not known either", res.WarningTexts())
		}
	})
}
