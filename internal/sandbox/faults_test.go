package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// connRetryer retries no API error, so that every injected fault reaches the test, but retries a connection lost
// while the response is read: "use of closed network connection" there is a known race in the standard library's
// HTTP/1 read loop (aws-sdk-go-v2 issue 2737; the SDK's standard retryer retries it). It hit about one call in
// 20,000 against the sandbox here, so a test making calls without any retry would fail now and then for it.
func connRetryer() aws.Retryer {
	return retry.NewStandard(func(so *retry.StandardOptions) {
		so.MaxAttempts = 3
		so.Retryables = []retry.IsErrorRetryable{retry.RetryableConnectionError{}}
		so.RateLimiter = ratelimit.None
		so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	})
}

// apiNoRetry and cwAPINoRetry give a call connRetryer: API errors reach the caller as they are. noRetry retries
// nothing, for the calls whose transport error is the point (an injected reset, a deadline) or is ignored.
func noRetry(o *rds.Options)             { o.Retryer = aws.NopRetryer{} }
func apiNoRetry(o *rds.Options)          { o.Retryer = connRetryer() }
func cwAPINoRetry(o *cloudwatch.Options) { o.Retryer = connRetryer() }

func TestFaultSequenceRetriedBySDK(t *testing.T) {
	srv, rc, cc := start(t, Options{})
	ctx := context.Background()
	srv.InjectSequence("DescribeDBInstances", FaultThrottling, FaultHTTP500)
	if _, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{}, func(o *rds.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
		})
	}); err != nil {
		t.Fatalf("after two faults the third attempt should succeed: %v", err)
	}
	calls := srv.Calls("DescribeDBInstances")
	if len(calls) != 3 || calls[0].Status != 400 || calls[0].ErrorCode != "Throttling" || calls[1].Status != 500 || calls[2].Status != 200 {
		t.Fatalf("calls %+v", calls)
	}
	// The log tells the SDK's retries of one call apart from new calls: the
	// attempt number comes from the Amz-Sdk-Request header the SDK sends.
	for i, c := range calls {
		if c.Attempt != i+1 {
			t.Fatalf("call %d logged as attempt %d, want %d: %+v", i+1, c.Attempt, i+1, calls)
		}
	}
	// Distinct counts the successful requests with different parameters:
	// the retried call once, then one call twice (as a client that lost
	// the response sends it again) and another call.
	if n := srv.Distinct("DescribeDBInstances"); n != 1 {
		t.Fatalf("Distinct after one retried call = %d, want 1", n)
	}
	for _, id := range []string{"mandible-prod", "mandible-prod", ""} {
		in := &rds.DescribeDBInstancesInput{}
		if id != "" {
			in.DBInstanceIdentifier = aws.String(id)
		}
		if _, err := rc.DescribeDBInstances(ctx, in, apiNoRetry); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Distinct("DescribeDBInstances"); n != 2 {
		t.Fatalf("Distinct = %d, want 2 (the listing and the describe of mandible-prod): %+v", n, srv.Calls("DescribeDBInstances"))
	}
	// Without retries the typed codes reach the caller.
	srv.InjectSequence("rds:ModifyDBInstance", FaultThrottling)
	_, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod")}, apiNoRetry)
	if apiCode(err) != "Throttling" {
		t.Fatalf("throttled modify: %v", err)
	}
	srv.InjectSequence("cloudwatch:GetMetricData", FaultThrottling)
	now := srv.Now()
	_, err = cc.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: &now,
		MetricDataQueries: []cwtypes.MetricDataQuery{rdsQuery("a", "mandible-prod", "CPUUtilization", "Average", 60)}},
		cwAPINoRetry)
	if apiCode(err) != "Throttling" {
		t.Fatalf("throttled GetMetricData: %v", err)
	}
	if l := srv.Calls("GetMetricData"); len(l) != 1 || l[0].Attempt != 1 {
		t.Fatalf("GetMetricData over RPCv2 CBOR: want one call logged as attempt 1, got %+v", l)
	}
	// connection reset: a transport error
	srv.InjectSequence("DescribeDBClusters", FaultConnReset)
	_, err = rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{}, noRetry)
	if err == nil || apiCode(err) != "" {
		t.Fatalf("reset: want a transport error, got %v", err)
	}
	// custom error code
	srv.InjectFaults(FaultRule{Operation: "CreateDBSnapshot", Sequence: []Fault{{Kind: FaultError, Code: "SnapshotQuotaExceeded", Message: "quota"}}})
	_, err = rc.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("mandible-prod"), DBSnapshotIdentifier: aws.String("s1")}, apiNoRetry)
	if apiCode(err) != "SnapshotQuotaExceeded" {
		t.Fatalf("custom: %v", err)
	}
	if len(srv.Faults()) != 0 {
		for _, f := range srv.Faults() {
			if len(f.Sequence) != 0 {
				t.Errorf("sequence not consumed: %+v", f)
			}
		}
	}
}

func TestFaultSlowAndRate(t *testing.T) {
	srv, rc, _ := start(t, Options{FaultSeed: 42})
	ctx := context.Background()
	// A 30 s delay, so that the bound below (10 s) tells a client that gave up at its deadline
	// from one that waited for the response with room for a loaded machine's stalls (with a 2 s
	// delay the bound was 1 s, which a stall of the test process could pass).
	srv.InjectFaults(FaultRule{Operation: "DescribeDBClusters", Sequence: []Fault{{Kind: FaultSlow, Delay: 30 * time.Second}}})
	// A separate client: a request abandoned by its context leaves that
	// client's transport closing the connection, which must not disturb the
	// rate check below.
	slowClient := rds.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: rc.Options().Credentials},
		func(o *rds.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	began := time.Now()
	if _, err := slowClient.DescribeDBClusters(cctx, &rds.DescribeDBClustersInput{}, noRetry); err == nil {
		t.Fatal("slow response should exceed a 50 ms deadline")
	}
	// Far below the 30 s delay even on a loaded machine: the client gave up at its deadline.
	if el := time.Since(began); el > 10*time.Second {
		t.Errorf("client waited %v; the deadline was 50 ms and the response was delayed 30 s", el)
	}
	// failures returns the client-side failure count and the server-side status sequence. A call retried after a
	// lost connection (apiNoRetry) adds a call on the server: it draws the next value of the seeded sequence.
	failures := func(srv *Server, rc *rds.Client) (int, []int) {
		srv.SetErrorRate("DescribeDBInstances", 0.5, FaultHTTP500)
		fails := 0
		for i := 0; i < 40; i++ {
			if _, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{}, apiNoRetry); err != nil {
				fails++
				if apiCode(err) != "InternalFailure" {
					t.Errorf("call %d: %v", i, err)
				}
			}
		}
		var statuses []int
		for _, e := range srv.Calls("DescribeDBInstances") {
			statuses = append(statuses, e.Status)
		}
		return fails, statuses
	}
	fails, seq1 := failures(srv, rc)
	if fails < 8 || fails > 32 {
		t.Errorf("rate 0.5: %d of 40 failed", fails)
	}
	if n500 := countInts(seq1, 500); n500 != fails {
		t.Errorf("server sent %d HTTP 500s, client saw %d failures: %v", n500, fails, seq1)
	}
	// Deterministic for a seed: a second server with the same seed fails the same calls (compared over the calls
	// both served: a retried call makes one sequence longer).
	srv2, rc2, _ := start(t, Options{FaultSeed: 42})
	_, seq2 := failures(srv2, rc2)
	if n := min(len(seq1), len(seq2)); n < 40 || fmt.Sprint(seq1[:n]) != fmt.Sprint(seq2[:n]) {
		t.Errorf("same seed, different fault sequences:\n%v\n%v", seq1, seq2)
	}
	srv.ClearFaults()
	if _, err := rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{}, apiNoRetry); err != nil {
		t.Fatal(err)
	}
}

func TestStuckModifying(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	srv.StickModifying("mandible-prod")
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(48 * time.Hour)
	if st, _ := srv.InstanceStatus("mandible-prod"); st != "modifying" {
		t.Fatalf("status %q, want stuck in modifying", st)
	}
	srv.Unstick("mandible-prod")
	if st, _ := srv.InstanceStatus("mandible-prod"); st != "available" {
		t.Fatalf("after Unstick: %q", st)
	}
}

func TestRequestLogOrderAndReset(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	_, _ = rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("mandible-prod")})
	_, _ = rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)})
	_, _ = rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("nope")}, noRetry)
	ops := srv.Operations()
	if !equalStrings(ops, []string{"DescribeDBInstances", "ModifyDBInstance", "DescribeDBInstances"}) {
		t.Fatalf("ops %v", ops)
	}
	l := srv.Log()
	if l[1].Params["MultiAZ"] != "false" || l[1].Params["DBInstanceIdentifier"] != "mandible-prod" || l[1].Params["ApplyImmediately"] != "true" || l[1].Service != "rds" {
		t.Errorf("modify entry %+v", l[1])
	}
	if l[2].Status != 404 || l[2].ErrorCode != "DBInstanceNotFound" || l[2].Seq != 3 {
		t.Errorf("not-found entry %+v", l[2])
	}
	if c := srv.Counts(); c["DescribeDBInstances"] != 2 || c["ModifyDBInstance"] != 1 {
		t.Errorf("counts %v", c)
	}
	srv.ResetLog()
	if len(srv.Log()) != 0 {
		t.Fatal("not reset")
	}
}

func TestAdminHTTP(t *testing.T) {
	srv, rc, _ := start(t, Options{})
	ctx := context.Background()
	do := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL()+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := do("POST", "/_sandbox/faults", `{"operation":"DescribeDBClusters","sequence":[{"kind":"throttling"}]}`); code != 200 {
		t.Fatalf("post faults: %d", code)
	}
	_, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{}, apiNoRetry)
	if apiCode(err) != "Throttling" {
		t.Fatalf("admin-injected fault: %v", err)
	}
	_, body := do("GET", "/_sandbox/log", "")
	var log []LogEntry
	if err := json.Unmarshal([]byte(body), &log); err != nil || len(log) != 1 || log[0].Fault != "throttling" {
		t.Fatalf("log %s (%v)", body, err)
	}
	_, body = do("GET", "/_sandbox/counts", "")
	if !strings.Contains(body, `"DescribeDBClusters": 1`) {
		t.Errorf("counts %s", body)
	}
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	// That change had no guard snapshot: the invariant check says so over HTTP.
	if code, body := do("GET", "/_sandbox/guarded?id=mandible-prod", ""); code != 409 ||
		!strings.Contains(body, `"calls": 1`) || !strings.Contains(body, "ModifyDBInstance #2 (mandible-prod) is not immediately preceded") {
		t.Errorf("guarded mandible-prod: %d %s", code, body)
	}
	if code, body := do("GET", "/_sandbox/guarded?id=sso-prod", ""); code != 200 || !strings.Contains(body, `"calls": 0`) {
		t.Errorf("guarded sso-prod: %d %s", code, body)
	}
	if code, _ := do("GET", "/_sandbox/guarded", ""); code != 400 {
		t.Errorf("guarded without id: %d", code)
	}
	if code, _ := do("POST", "/_sandbox/clock/advance?d=1h", ""); code != 200 {
		t.Fatal("advance")
	}
	if !srv.Now().Equal(ScenarioEpoch.Add(time.Hour)) {
		t.Errorf("now %v", srv.Now())
	}
	if st, _ := srv.InstanceStatus("mandible-prod"); st != "available" {
		t.Errorf("status %q after advancing 1h", st)
	}
	code, body := do("POST", "/_sandbox/faults", `[{"operation":"cloudwatch:ListMetrics","sequence":[{"kind":"slow","delay":"10ms"},{"kind":"none"}]}]`)
	if code != 200 || !strings.Contains(body, `"delay": 10000000`) {
		t.Fatalf("post slow fault: %d %s", code, body)
	}
	if code, _ := do("POST", "/_sandbox/faults", `{"operation":"X","sequence":[{"kind":"slow","delay":"soon"}]}`); code != 400 {
		t.Errorf("bad delay accepted: %d", code)
	}
	if code, _ := do("POST", "/_sandbox/snapshots/fail?id=snap-x", ""); code != 200 {
		t.Fatal("fail snapshot")
	}
	if code, _ := do("POST", "/_sandbox/clock/advance?d=bogus", ""); code != 400 {
		t.Errorf("bogus duration accepted")
	}
	do("DELETE", "/_sandbox/log", "")
	if len(srv.Log()) != 0 {
		t.Error("log not reset over HTTP")
	}
	if code, body := do("GET", "/_sandbox/state", ""); code != 200 || !strings.Contains(body, "mandible-prod") {
		t.Errorf("state %d", code)
	}
}

func TestClockSpeed(t *testing.T) {
	_, rc, _ := start(t, Options{Speed: 36000}) // 1 ms real = 36 s virtual
	ctx := context.Background()
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		in := describeOne(t, rc, "mandible-prod")
		if aws.ToString(in.DBInstanceStatus) == "available" && !aws.ToBool(in.MultiAZ) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("conversion did not finish at speed 36000: status %q", aws.ToString(in.DBInstanceStatus))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestConcurrentClients(t *testing.T) {
	srv, rc, cc := start(t, Options{Speed: 600})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				var err error
				switch (g + i) % 4 {
				case 0:
					_, err = rc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
				case 1:
					now := srv.Now()
					_, err = cc.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-6 * time.Hour)), EndTime: &now,
						MetricDataQueries: []cwtypes.MetricDataQuery{rdsQuery("a", "sso-prod-instance-1", "CPUUtilization", "p90", 300)}})
				case 2:
					_, err = rc.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String("arn:aws:rds:us-east-1:123456789012:cluster:sso-prod"),
						Tags: []rdstypes.Tag{{Key: aws.String("g"), Value: aws.String("v")}}})
				case 3:
					_, err = cc.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("C"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(float64(i))}}})
					srv.Advance(time.Second)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(srv.Log()); n != 160 {
		t.Errorf("log has %d entries, want 160", n)
	}
}

func countInts(xs []int, v int) int {
	n := 0
	for _, x := range xs {
		if x == v {
			n++
		}
	}
	return n
}

func TestStepPerRDSRequest(t *testing.T) {
	srv, rc, _ := start(t, Options{StepPerRDSRequest: time.Minute})
	ctx := context.Background()
	if _, err := rc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"), MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	polls := 0
	for {
		polls++
		if in := describeOne(t, rc, "mandible-prod"); aws.ToString(in.DBInstanceStatus) == "available" {
			break
		}
		if polls > 100 {
			t.Fatal("never became available")
		}
	}
	if want := int(DefaultDurations.ConvertSingleAZ / time.Minute); polls != want {
		t.Errorf("available after %d polls, want %d", polls, want)
	}
	if got, want := srv.Now(), ScenarioEpoch.Add(time.Duration(polls+1)*time.Minute); !got.Equal(want) {
		t.Errorf("clock %v, want %v", got, want)
	}
}
