package cloudwatch_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// A query result with status InternalError is transient ("Retry your request using NextToken, if
// present"): the page is asked again and the collection equals a clean one; only when the retries
// run out is it a SeriesError naming the series.
func TestCollectRetriesQueryInternalError(t *testing.T) {
	srv, client := startSandbox(t, sandbox.Demo())
	p := plan(t, srv, []cloudwatch.Node{{ID: "mandible-prod"}}, cloudwatch.DefaultMetrics[:3], 2, 0)
	// Small pages, so that the fault also meets a request with a NextToken.
	clean, err := (&cloudwatch.Collector{API: client, MaxDatapointsPerPage: 500}).Collect(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if clean.Pages < 3 {
		t.Fatalf("%d pages; the test needs several", clean.Pages)
	}
	srv.ResetLog()
	srv.InjectSequence("GetMetricData", sandbox.FaultQueryInternalError, sandbox.FaultNone, sandbox.FaultQueryInternalError)
	rec := &recordingSleep{}
	res, err := (&cloudwatch.Collector{API: client, MaxDatapointsPerPage: 500, Concurrency: 1, Sleep: rec.sleep}).Collect(context.Background(), p)
	if err != nil {
		t.Fatalf("two transient InternalError results failed the collection: %v", err)
	}
	if res.Retries != 2 || res.Calls != clean.Calls+2 {
		t.Errorf("%d calls, %d retries; want %d calls, 2 retries", res.Calls, res.Retries, clean.Calls+2)
	}
	for i := range clean.Series {
		a, b := clean.Series[i].Series, res.Series[i].Series
		if len(a.Values) != len(b.Values) || !a.Timestamps[len(a.Timestamps)-1].Equal(b.Timestamps[len(b.Timestamps)-1]) {
			t.Errorf("%s: %d points after retries, %d clean", clean.Series[i].Ref, len(b.Values), len(a.Values))
		}
	}

	srv.ClearFaults()
	srv.SetErrorRate("GetMetricData", 1, sandbox.FaultQueryInternalError)
	_, err = (&cloudwatch.Collector{API: client, Sleep: rec.sleep, Retry: cloudwatch.RetryPolicy{MaxAttempts: 3}}).Collect(context.Background(), p)
	var se *cloudwatch.SeriesError
	if !errors.As(err, &se) || se.Status != "InternalError" || !strings.Contains(err.Error(), "mandible-prod") {
		t.Fatalf("want a SeriesError InternalError naming the node once retries run out, got %v", err)
	}
}
