package rightsizing

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// PeakLookback on Aurora: the days before the window are read by role, and the reader's surge
// (its load four times as heavy for a day, 40 days ago) adds to the writer's in the earlier
// peak, scaled by the vCPUs; the fleet's request count includes the earlier read. Without
// PeakLookback nothing earlier is read.
func TestRecommend_earlierPeakAurora(t *testing.T) {
	ctx := context.Background()
	surgeFrom := testNow.Add(-40 * 24 * time.Hour).Truncate(24 * time.Hour)
	reader := sandbox.DemoSSOReaderWorkload
	reader.NoiseStdDev, reader.SpikesPerWeek = 0, 0
	reader.Surges = []sandbox.Surge{{From: surgeFrom, To: surgeFrom.Add(24 * time.Hour), Factor: 4}}
	writer := sandbox.DemoSSOWriterWorkload
	writer.NoiseStdDev, writer.SpikesPerWeek = 0, 0
	sc := &sandbox.Scenario{Name: "earlier", Seed: 3, History: 60 * 24 * time.Hour,
		Clusters: []sandbox.ClusterSpec{sandbox.AuroraPair("peak-prod", "db.r6g.large", writer, reader)}}
	d, srv := deps(t, sc, testNow)
	req := Request{ClusterID: "peak-prod", Lookback: 14 * 24 * time.Hour, TargetClasses: []string{"db.r6g.large"}}
	plain, err := Recommend(ctx, d, req)
	if err != nil {
		t.Fatal(err)
	}
	if plain.Recommendation.EarlierPeak != nil {
		t.Fatalf("without PeakLookback: EarlierPeak %+v, want nil", *plain.Recommendation.EarlierPeak)
	}
	req.PeakLookback = 50 * 24 * time.Hour
	res, err := Recommend(ctx, d, req)
	if err != nil {
		t.Fatal(err)
	}
	e := res.Recommendation.EarlierPeak
	if e == nil {
		t.Fatal("no EarlierPeak")
	}
	if e.PeakTime.Before(surgeFrom) || !e.PeakTime.Before(surgeFrom.Add(24*time.Hour)) {
		t.Errorf("busiest earlier hour %s, want in the reader's surge from %s", e.PeakTime, surgeFrom)
	}
	// The sandbox's own values at that hour: the writer's mean plus the reader's (same class).
	var w, r float64
	for m := range 60 {
		at := e.PeakTime.Add(time.Duration(m) * time.Minute)
		wv, ok1 := srv.MetricValue("peak-prod-instance-1", sandbox.MetricCPUUtilization, at)
		rv, ok2 := srv.MetricValue("peak-prod-instance-2", sandbox.MetricCPUUtilization, at)
		if !ok1 || !ok2 {
			t.Fatalf("no CPU at %s", at)
		}
		w, r = w+wv/60, r+rv/60
	}
	if math.Abs(e.PeakCPU-(w+r)) > 0.01 {
		t.Errorf("earlier peak %.3f%%, want the writer's %.3f + the reader's %.3f", e.PeakCPU, w, r)
	}
	if want := testNow.Add(-50 * 24 * time.Hour); !e.Start.Equal(want) || !e.End.Equal(testNow.Add(-14*24*time.Hour)) {
		t.Errorf("earlier window %s to %s, want %s to %s", e.Start, e.End, want, testNow.Add(-14*24*time.Hour))
	}
	if res.RequestsMade != plain.RequestsMade+1 {
		t.Errorf("requests %d with PeakLookback, %d without: want one more", res.RequestsMade, plain.RequestsMade)
	}
}

// hourlyMessagesAPI passes every GetMetricData call to the real client and adds a top-level
// message to the answers of the 1-hour reads (the CPU before the window), as CloudWatch does
// when a request exceeds a limit but it "still executes as much of the operation as possible";
// the emulator's FaultRequestMessage adds one to the next calls, whichever reads they are.
type hourlyMessagesAPI struct{ next cw.API }

func (a hourlyMessagesAPI) GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	out, err := a.next.GetMetricData(ctx, in, opts...)
	if err == nil && len(in.MetricDataQueries) > 0 && in.MetricDataQueries[0].MetricStat != nil && aws.ToInt32(in.MetricDataQueries[0].MetricStat.Period) == 3600 {
		out.Messages = append(out.Messages, cwtypes.MessageData{Code: aws.String("MaxMetricsExceeded"), Value: aws.String("Maximum number of allowed metrics exceeded")})
	}
	return out, err
}

// TestRecommend_earlierMessages: a message CloudWatch answers the read before the window with
// (its data may be partial) is a warning, as the window's are; it was dropped.
func TestRecommend_earlierMessages(t *testing.T) {
	sc := &sandbox.Scenario{Name: "earlier-messages", Seed: 3, History: 60 * 24 * time.Hour,
		Instances: []sandbox.InstanceSpec{sandbox.MultiAZInstance("msg-prod", "db.r6g.large", sandbox.DemoSSOWriterWorkload)}}
	d, _ := deps(t, sc, testNow)
	d.CloudWatch = hourlyMessagesAPI{next: d.CloudWatch}
	res, err := Recommend(context.Background(), d, Request{InstanceID: "msg-prod", Lookback: 14 * 24 * time.Hour, PeakLookback: 50 * 24 * time.Hour,
		TargetClasses: []string{"db.r6g.large"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Recommendation.EarlierPeak == nil {
		t.Fatal("no EarlierPeak")
	}
	var got []string
	for _, w := range res.Warnings {
		if w.Title == "CloudWatch Data May Be Partial" {
			got = append(got, w.Text)
		}
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], "CloudWatch answered the read of the CPU before the window (peak_lookback_days, earlier_peak) with a message") ||
		!strings.Contains(got[0], "MaxMetricsExceeded Maximum number of allowed metrics exceeded") {
		t.Errorf("partial-data warnings %q: want one for the read before the window", got)
	}
}
