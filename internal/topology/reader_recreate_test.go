package topology

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// Aurora 2 → 1 → 2: the recreated reader gets back the removed reader's own resource tags (Aurora
// instances do not inherit the cluster's: cost allocation, tag-based access and backup selection
// use them) and its own maintenance window, recorded in Previous.
func TestRecreatedReaderKeepsTagsAndWindow(t *testing.T) {
	sc := sandbox.Demo()
	sc.Clusters[0].Members[1].Tags = map[string]string{"environment": "production", "cost-center": "42"}
	sc.Clusters[0].Members[1].MaintenanceWindow = "wed:07:00-wed:07:30"
	e := newEnv(t, sc)
	ctx := context.Background()
	res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Previous.Reader; r == nil || r.Tags["cost-center"] != "42" || r.MaintenanceWindow != "wed:07:00-wed:07:30" {
		t.Fatalf("Previous.Reader %+v does not record the reader's tags and window", r)
	}
	if _, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Previous: &res.Previous}); err != nil {
		t.Fatal(err)
	}
	in := e.instance(ssoReader)
	tags := map[string]string{}
	for _, tg := range in.TagList {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if tags["environment"] != "production" || tags["cost-center"] != "42" || tags[TagManagedBy] != ManagedByValue {
		t.Errorf("recreated reader's tags %v", tags)
	}
	if w := aws.ToString(in.PreferredMaintenanceWindow); w != "wed:07:00-wed:07:30" {
		t.Errorf("recreated reader's maintenance window %s, want wed:07:00-wed:07:30", w)
	}
}

// A provisioned cluster with a Serverless v2 capacity range (set at cluster level, and required
// before a db.serverless instance is added) but only provisioned members is changed like any
// other: the data sources analyse it, and so the resource must not refuse it as Serverless.
func TestScalingConfigOnProvisionedClusterAccepted(t *testing.T) {
	sc := sandbox.Demo()
	sc.Clusters[0].ServerlessV2 = &sandbox.ServerlessV2Scaling{MinACU: 0.5, MaxACU: 8}
	e := newEnv(t, sc)
	ctx := context.Background()
	cl, err := inventory.Discover(ctx, e.api, "", "sso-prod")
	if err != nil || cl.CheckTwoNode() != nil {
		t.Fatalf("inventory: %v", err)
	}
	p, err := e.o.Preview(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil || p.Refusal != "" {
		t.Errorf("preview: %v, refusal %q: a provisioned cluster with a capacity range is not Serverless", err, p.Refusal)
	}
}

// A reader with 50 tags of its own (RDS's limit) is recreated with those 50, without this
// provider's mark, rather than with a request RDS refuses.
func TestRecreatedReaderTagLimit(t *testing.T) {
	sc := sandbox.Demo()
	tags := map[string]string{}
	for i := range maxTags {
		tags[fmt.Sprintf("team-%02d", i)] = "x"
	}
	sc.Clusters[0].Members[1].Tags = tags
	e := newEnv(t, sc)
	ctx := context.Background()
	res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.ResetLog()
	if _, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Previous: &res.Previous}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.instance(ssoReader).TagList); n != maxTags {
		t.Errorf("recreated reader has %d tags, want the %d it had", n, maxTags)
	}
}
