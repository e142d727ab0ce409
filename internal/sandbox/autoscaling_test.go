package sandbox

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/smithy-go"
)

// asNoRetry gives an Application Auto Scaling call connRetryer: API errors reach the test as they are.
func asNoRetry(o *aas.Options) { o.Retryer = connRetryer() }

// startAS starts a sandbox and returns it with an Application Auto Scaling client made from its AWSConfig.
func startAS(t *testing.T, opts Options) (*Server, *aas.Client) {
	t.Helper()
	srv, _, _ := start(t, opts)
	return srv, aas.NewFromConfig(srv.AWSConfig())
}

func registerReplicas(ctx context.Context, c *aas.Client, cluster string, minC, maxC *int32) (*aas.RegisterScalableTargetOutput, error) {
	return c.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{
		ServiceNamespace:  aastypes.ServiceNamespaceRds,
		ResourceId:        aws.String("cluster:" + cluster),
		ScalableDimension: aastypes.ScalableDimensionRDSClusterReadReplicaCount,
		MinCapacity:       minC, MaxCapacity: maxC,
	}, asNoRetry)
}

func describeTargets(t *testing.T, c *aas.Client, in *aas.DescribeScalableTargetsInput) []aastypes.ScalableTarget {
	t.Helper()
	out, err := c.DescribeScalableTargets(context.Background(), in, asNoRetry)
	if err != nil {
		t.Fatalf("DescribeScalableTargets: %v", err)
	}
	if out.NextToken != nil {
		t.Fatalf("DescribeScalableTargets: unexpected NextToken %q", *out.NextToken)
	}
	return out.ScalableTargets
}

// targetSummaries are "ResourceId namespace dimension min-max" for each target.
func targetSummaries(ts []aastypes.ScalableTarget) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, fmt.Sprintf("%s %s %s %d-%d", aws.ToString(t.ResourceId), t.ServiceNamespace, t.ScalableDimension,
			aws.ToInt32(t.MinCapacity), aws.ToInt32(t.MaxCapacity)))
	}
	return out
}

func TestScalableTargetRegisterDescribe(t *testing.T) {
	srv, c := startAS(t, Options{})
	ctx := context.Background()
	reg, err := registerReplicas(ctx, c, "sso-prod", aws.Int32(1), aws.Int32(3))
	if err != nil {
		t.Fatalf("RegisterScalableTarget: %v", err)
	}
	arn := aws.ToString(reg.ScalableTargetARN)
	if !strings.HasPrefix(arn, "arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/") || len(arn) <= len("arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/") {
		t.Errorf("ScalableTargetARN = %q", arn)
	}

	all := describeTargets(t, c, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceRds})
	if len(all) != 1 {
		t.Fatalf("described %v, want one target", targetSummaries(all))
	}
	got := all[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"ResourceId", aws.ToString(got.ResourceId), "cluster:sso-prod"},
		{"ServiceNamespace", got.ServiceNamespace, aastypes.ServiceNamespaceRds},
		{"ScalableDimension", got.ScalableDimension, aastypes.ScalableDimensionRDSClusterReadReplicaCount},
		{"MinCapacity", aws.ToInt32(got.MinCapacity), int32(1)},
		{"MaxCapacity", aws.ToInt32(got.MaxCapacity), int32(3)},
		{"ScalableTargetARN", aws.ToString(got.ScalableTargetARN), arn},
		{"RoleARN", aws.ToString(got.RoleARN), "arn:aws:iam::123456789012:role/aws-service-role/rds.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_RDSCluster"},
		{"CreationTime", aws.ToTime(got.CreationTime), srv.Now()},
		{"SuspendedState", got.SuspendedState != nil && !aws.ToBool(got.SuspendedState.DynamicScalingInSuspended) &&
			!aws.ToBool(got.SuspendedState.DynamicScalingOutSuspended) && !aws.ToBool(got.SuspendedState.ScheduledScalingSuspended), true},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}

	want := []string{"cluster:sso-prod rds rds:cluster:ReadReplicaCount 1-3"}
	for _, tc := range []struct {
		name string
		in   aas.DescribeScalableTargetsInput
		want []string
	}{
		{"by ResourceIds", aas.DescribeScalableTargetsInput{ResourceIds: []string{"cluster:sso-prod"}}, want},
		{"by other ResourceIds", aas.DescribeScalableTargetsInput{ResourceIds: []string{"cluster:nope", "cluster:mandible-prod"}}, []string{}},
		{"by dimension", aas.DescribeScalableTargetsInput{ScalableDimension: aastypes.ScalableDimensionRDSClusterReadReplicaCount}, want},
		{"by other dimension", aas.DescribeScalableTargetsInput{ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount}, []string{}},
		{"both", aas.DescribeScalableTargetsInput{ResourceIds: []string{"cluster:sso-prod"}, ScalableDimension: aastypes.ScalableDimensionRDSClusterReadReplicaCount}, want},
	} {
		in := tc.in
		in.ServiceNamespace = aastypes.ServiceNamespaceRds
		if got := targetSummaries(describeTargets(t, c, &in)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := describeTargets(t, c, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs}); len(got) != 0 {
		t.Errorf("namespace ecs: %v, want none", targetSummaries(got))
	}

	// Registering again updates the target: a MinCapacity alone keeps MaxCapacity, the ARN and the creation time.
	srv.Advance(5 * time.Minute)
	reg2, err := registerReplicas(ctx, c, "sso-prod", aws.Int32(0), nil)
	if err != nil {
		t.Fatalf("RegisterScalableTarget (update): %v", err)
	}
	if aws.ToString(reg2.ScalableTargetARN) != arn {
		t.Errorf("update changed the ARN: %q, want %q", aws.ToString(reg2.ScalableTargetARN), arn)
	}
	upd := describeTargets(t, c, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceRds})
	if got, want := targetSummaries(upd), []string{"cluster:sso-prod rds rds:cluster:ReadReplicaCount 0-3"}; !slices.Equal(got, want) {
		t.Errorf("after update: %v, want %v", got, want)
	}
	if len(upd) == 1 && !aws.ToTime(upd[0].CreationTime).Equal(srv.Now().Add(-5*time.Minute)) {
		t.Errorf("after update CreationTime = %v, want %v", aws.ToTime(upd[0].CreationTime), srv.Now().Add(-5*time.Minute))
	}

	calls := srv.Calls("DescribeScalableTargets")
	if len(calls) != 8 {
		t.Fatalf("logged %d DescribeScalableTargets calls, want 8", len(calls))
	}
	if e := calls[1]; e.Service != "application-autoscaling" || e.Status != 200 || e.Params["ServiceNamespace"] != "rds" ||
		e.Params["ResourceIds"] != "cluster:sso-prod" || e.Attempt != 1 {
		t.Errorf("log entry %+v", e)
	}
	if e := srv.Calls("RegisterScalableTarget"); len(e) != 2 || e[1].Params["MinCapacity"] != "0" || e[1].Params["ResourceId"] != "cluster:sso-prod" {
		t.Errorf("RegisterScalableTarget log %+v", e)
	}
}

func TestScalableTargetPaging(t *testing.T) {
	sc := Demo()
	sc.Clusters = append(sc.Clusters, Busy().Clusters[0], ThreeNodeAurora().Clusters[0])
	srv, c := startAS(t, Options{Scenario: sc})
	ctx := context.Background()
	for _, id := range []string{"tri-prod", "sso-prod", "busy-prod"} {
		if _, err := registerReplicas(ctx, c, id, aws.Int32(1), aws.Int32(2)); err != nil {
			t.Fatalf("register %s: %v", id, err)
		}
	}
	p := aas.NewDescribeScalableTargetsPaginator(c, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceRds, MaxResults: aws.Int32(1)})
	var pages [][]string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx, asNoRetry)
		if err != nil {
			t.Fatalf("page %d: %v", len(pages)+1, err)
		}
		var ids []string
		for _, tg := range out.ScalableTargets {
			ids = append(ids, aws.ToString(tg.ResourceId))
		}
		pages = append(pages, ids)
		if len(pages) > 5 {
			t.Fatal("paginator does not end")
		}
	}
	if got, want := fmt.Sprint(pages), "[[cluster:busy-prod] [cluster:sso-prod] [cluster:tri-prod]]"; got != want {
		t.Errorf("pages %s, want %s", got, want)
	}
	calls := srv.Calls("DescribeScalableTargets")
	if len(calls) != 3 || calls[0].Params["NextToken"] != "" || calls[1].Params["NextToken"] == "" || calls[2].Params["MaxResults"] != "1" {
		t.Errorf("calls %+v", calls)
	}
	// The default page holds all three, and a filter pages over the matching targets only.
	out, err := c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceRds}, asNoRetry)
	if err != nil || len(out.ScalableTargets) != 3 || out.NextToken != nil {
		t.Errorf("default page: %v, %v", err, out)
	}
	out, err = c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceRds,
		ResourceIds: []string{"cluster:tri-prod", "cluster:busy-prod"}, MaxResults: aws.Int32(1)}, asNoRetry)
	if err != nil || len(out.ScalableTargets) != 1 || aws.ToString(out.ScalableTargets[0].ResourceId) != "cluster:busy-prod" || out.NextToken == nil {
		t.Fatalf("filtered first page: %v, %+v", err, out)
	}
	out, err = c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceRds,
		ResourceIds: []string{"cluster:tri-prod", "cluster:busy-prod"}, MaxResults: aws.Int32(1), NextToken: out.NextToken}, asNoRetry)
	if err != nil || len(out.ScalableTargets) != 1 || aws.ToString(out.ScalableTargets[0].ResourceId) != "cluster:tri-prod" || out.NextToken != nil {
		t.Fatalf("filtered second page: %v, %+v", err, out)
	}
}

func TestScalableTargetErrors(t *testing.T) {
	srv, c := startAS(t, Options{})
	ctx := context.Background()
	reg := func(ns aastypes.ServiceNamespace, id string, dim aastypes.ScalableDimension, minC, maxC *int32) error {
		_, err := c.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: ns, ResourceId: aws.String(id),
			ScalableDimension: dim, MinCapacity: minC, MaxCapacity: maxC}, asNoRetry)
		return err
	}
	const rds, dim = aastypes.ServiceNamespaceRds, aastypes.ScalableDimensionRDSClusterReadReplicaCount
	var validation *aastypes.ValidationException
	for _, tc := range []struct {
		name    string
		err     error
		message string
	}{
		{"namespace ecs", reg(aastypes.ServiceNamespaceEcs, "service/default/web", aastypes.ScalableDimensionECSServiceDesiredCount, aws.Int32(1), aws.Int32(2)), "ServiceNamespace must be"},
		{"other dimension", reg(rds, "cluster:sso-prod", aastypes.ScalableDimension("rds:cluster:Capacity"), aws.Int32(1), aws.Int32(2)), "scalable dimension"},
		{"unknown cluster", reg(rds, "cluster:nope", dim, aws.Int32(1), aws.Int32(2)), "DB cluster not found"},
		{"standalone instance", reg(rds, "cluster:mandible-prod", dim, aws.Int32(1), aws.Int32(2)), "DB cluster not found"},
		{"no cluster: prefix", reg(rds, "sso-prod", dim, aws.Int32(1), aws.Int32(2)), "cluster:<DBClusterIdentifier>"},
		{"min above max", reg(rds, "cluster:sso-prod", dim, aws.Int32(4), aws.Int32(2)), "cannot be greater"},
		{"max 16", reg(rds, "cluster:sso-prod", dim, aws.Int32(1), aws.Int32(16)), "MaxCapacity 16"},
		{"min -1", reg(rds, "cluster:sso-prod", dim, aws.Int32(-1), aws.Int32(2)), "MinCapacity -1"},
		{"new without max", reg(rds, "cluster:sso-prod", dim, aws.Int32(1), nil), "required"},
		{"MaxResults 0", func() error {
			_, err := c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: rds, MaxResults: aws.Int32(0)}, asNoRetry)
			return err
		}(), "MaxResults 0"},
		{"MaxResults 51", func() error {
			_, err := c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: rds, MaxResults: aws.Int32(51)}, asNoRetry)
			return err
		}(), "MaxResults 51"},
		{"unknown namespace", func() error {
			_, err := c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: "nosuch"}, asNoRetry)
			return err
		}(), "enum value set"},
	} {
		if !errors.As(tc.err, &validation) || !strings.Contains(validation.ErrorMessage(), tc.message) {
			t.Errorf("%s: %v (%T), want a ValidationException mentioning %q", tc.name, tc.err, tc.err, tc.message)
		}
	}
	if got := describeTargets(t, c, &aas.DescribeScalableTargetsInput{ServiceNamespace: rds}); len(got) != 0 {
		t.Errorf("failed registrations left %v", targetSummaries(got))
	}

	// A ValidationException is retried by nobody: one logged call each.
	if n := len(srv.Calls("RegisterScalableTarget")); n != 9 {
		t.Errorf("logged %d RegisterScalableTarget calls, want 9", n)
	}
	if e := srv.Calls("RegisterScalableTarget")[0]; e.Status != 400 || e.ErrorCode != "ValidationException" || e.Service != "application-autoscaling" {
		t.Errorf("log entry %+v", e)
	}

	_, err := c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: rds, NextToken: aws.String("bogus")}, asNoRetry)
	var badToken *aastypes.InvalidNextTokenException
	if !errors.As(err, &badToken) {
		t.Errorf("unknown NextToken: %v (%T), want *types.InvalidNextTokenException", err, err)
	}
	// A token with a valid-looking encoding that the sandbox did not issue is refused too.
	forged := base64.RawURLEncoding.EncodeToString([]byte("cluster:sso-prod\x00forged"))
	if _, err := c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: rds, NextToken: aws.String(forged)}, asNoRetry); !errors.As(err, &badToken) {
		t.Errorf("forged NextToken %q: %v, want *types.InvalidNextTokenException", forged, err)
	}

	_, err = c.DeregisterScalableTarget(ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: rds, ResourceId: aws.String("cluster:sso-prod"), ScalableDimension: dim}, asNoRetry)
	var notFound *aastypes.ObjectNotFoundException
	if !errors.As(err, &notFound) || !strings.Contains(notFound.ErrorMessage(), "cluster:sso-prod") {
		t.Errorf("deregister unknown: %v (%T), want *types.ObjectNotFoundException", err, err)
	}

	// An operation the sandbox does not emulate.
	_, err = c.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("p"), ServiceNamespace: rds,
		ResourceId: aws.String("cluster:sso-prod"), ScalableDimension: dim}, asNoRetry)
	if apiCode(err) != "UnknownOperationException" {
		t.Errorf("PutScalingPolicy: %v, want UnknownOperationException", err)
	}
	if e := srv.Calls("PutScalingPolicy"); len(e) != 1 || e[0].Service != "application-autoscaling" || e[0].ErrorCode != "UnknownOperationException" {
		t.Errorf("PutScalingPolicy log %+v", e)
	}
}

// TestScalableTargetRawRequests checks what the SDK cannot send: a request without ServiceNamespace and an
// unsigned one.
func TestScalableTargetRawRequests(t *testing.T) {
	post := func(url, body string) (int, string, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "AnyScaleFrontendService.DescribeScalableTargets")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("response body %q: %v", b, err)
		}
		return resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), m
	}
	signed, _, _ := start(t, Options{})
	if st, code, body := post(signed.URL(), `{"ServiceNamespace":"rds"}`); st != 403 || code != "MissingAuthenticationTokenException" || body["__type"] != code {
		t.Errorf("unsigned: HTTP %d %s %v", st, code, body)
	}
	open, _, _ := start(t, Options{AllowUnsigned: true})
	if st, code, body := post(open.URL(), `{}`); st != 400 || code != "ValidationException" || body["__type"] != code || !strings.Contains(fmt.Sprint(body["message"]), "ServiceNamespace") {
		t.Errorf("no ServiceNamespace: HTTP %d %s %v", st, code, body)
	}
	if st, code, _ := post(open.URL(), `{"ServiceNamespace":`); st != 400 || code != "SerializationException" {
		t.Errorf("malformed JSON: HTTP %d %s", st, code)
	}
	if st, code, body := post(open.URL(), `{"ServiceNamespace":"rds"}`); st != 200 || code != "" || fmt.Sprint(body) != "map[ScalableTargets:[]]" {
		t.Errorf("valid: HTTP %d %s %v", st, code, body)
	}

	// A signature for another region is refused in the awsJson form.
	cfg := signed.AWSConfig()
	cfg.Region = "eu-west-1"
	_, err := aas.NewFromConfig(cfg).DescribeScalableTargets(context.Background(), &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceRds}, asNoRetry)
	if apiCode(err) != "InvalidSignatureException" || !strings.Contains(err.Error(), "eu-west-1") {
		t.Errorf("wrong region: %v", err)
	}
}

func TestScalableTargetDeregister(t *testing.T) {
	srv, c := startAS(t, Options{})
	ctx := context.Background()
	if _, err := registerReplicas(ctx, c, "sso-prod", aws.Int32(1), aws.Int32(3)); err != nil {
		t.Fatal(err)
	}
	in := &aas.DeregisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceRds, ResourceId: aws.String("cluster:sso-prod"),
		ScalableDimension: aastypes.ScalableDimensionRDSClusterReadReplicaCount}
	if _, err := c.DeregisterScalableTarget(ctx, in, asNoRetry); err != nil {
		t.Fatalf("DeregisterScalableTarget: %v", err)
	}
	if got := describeTargets(t, c, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceRds}); len(got) != 0 {
		t.Errorf("after deregistering: %v", targetSummaries(got))
	}
	var notFound *aastypes.ObjectNotFoundException
	if _, err := c.DeregisterScalableTarget(ctx, in, asNoRetry); !errors.As(err, &notFound) {
		t.Errorf("second deregister: %v, want *types.ObjectNotFoundException", err)
	}
	if e := srv.Calls("DeregisterScalableTarget"); len(e) != 2 || e[0].Status != 200 || e[1].ErrorCode != "ObjectNotFoundException" {
		t.Errorf("log %+v", e)
	}
}

func TestScalableTargetFaults(t *testing.T) {
	srv, c := startAS(t, Options{})
	ctx := context.Background()
	srv.InjectFaults(FaultRule{Operation: "DescribeScalableTargets", Rate: 1,
		RateFault: Fault{Kind: FaultError, Status: 400, Code: "AccessDeniedException", Message: "User is not authorized to perform: application-autoscaling:DescribeScalableTargets"}})
	_, err := c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceRds}, asNoRetry)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" || !strings.Contains(ae.ErrorMessage(), "not authorized") {
		t.Fatalf("DescribeScalableTargets with an injected fault: %v, want AccessDeniedException", err)
	}
	if e := srv.Calls("DescribeScalableTargets"); len(e) != 1 || e[0].Fault != "error" || e[0].ErrorCode != "AccessDeniedException" || e[0].Status != 400 {
		t.Errorf("log %+v", e)
	}
	// Other operations are unaffected; a service-prefixed throttling is retried by the SDK's default retryer.
	srv.InjectSequence("application-autoscaling:RegisterScalableTarget", FaultThrottling)
	if _, err := c.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceRds,
		ResourceId: aws.String("cluster:sso-prod"), ScalableDimension: aastypes.ScalableDimensionRDSClusterReadReplicaCount,
		MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(2)}); err != nil {
		t.Fatalf("RegisterScalableTarget after one throttling: %v", err)
	}
	e := srv.Calls("RegisterScalableTarget")
	if len(e) != 2 || e[0].ErrorCode != "ThrottlingException" || e[0].Fault != "throttling" || e[1].Status != 200 || e[1].Attempt != 2 {
		t.Errorf("log %+v", e)
	}
	srv.ClearFaults()
	if got := describeTargets(t, c, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceRds}); len(got) != 1 {
		t.Errorf("after clearing faults: %v", targetSummaries(got))
	}
}

func TestScalableTargetStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	ctx := context.Background()
	// A state file without targets (as written before the sandbox had them) loads, and targets can be added.
	srv0, _ := startAS(t, Options{StateFile: path})
	if err := srv0.Close(); err != nil {
		t.Fatal(err)
	}
	srv, c := startAS(t, Options{StateFile: path})
	reg, err := registerReplicas(ctx, c, "sso-prod", aws.Int32(2), aws.Int32(5))
	if err != nil {
		t.Fatal(err)
	}
	// The file is rewritten after the call, before Close.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		RDS struct {
			ScalableTargets map[string]json.RawMessage `json:"scalableTargets"`
		} `json:"rds"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.RDS.ScalableTargets) != 1 || doc.RDS.ScalableTargets["cluster:sso-prod"] == nil {
		t.Errorf("state file after RegisterScalableTarget: %v, targets %s", err, doc.RDS.ScalableTargets)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	_, c2 := startAS(t, Options{StateFile: path})
	got := describeTargets(t, c2, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceRds})
	if want := []string{"cluster:sso-prod rds rds:cluster:ReadReplicaCount 2-5"}; !slices.Equal(targetSummaries(got), want) {
		t.Fatalf("restored %v, want %v", targetSummaries(got), want)
	}
	if aws.ToString(got[0].ScalableTargetARN) != aws.ToString(reg.ScalableTargetARN) || !aws.ToTime(got[0].CreationTime).Equal(ScenarioEpoch) {
		t.Errorf("restored ARN %q created %v, want %q %v", aws.ToString(got[0].ScalableTargetARN), aws.ToTime(got[0].CreationTime),
			aws.ToString(reg.ScalableTargetARN), ScenarioEpoch)
	}
}
