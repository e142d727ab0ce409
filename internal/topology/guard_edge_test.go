package topology

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// An Aurora guard tagged changing whose reader tags were removed (by hand, a tag tool), with the
// cluster at its original 2 nodes: plan and apply do not crash; the apply says the guard does not
// record the reader and the cluster is to be restored by hand from it.
func TestChangingGuardWithoutReaderTags(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	req := Request{Target: sso, Nodes: 1, Generation: 1}
	e.runInterrupted(t, req, StepGuardVerified)
	ctx := context.Background()
	g, err := loadGuard(ctx, e.api, KindCluster, "rightsize-guard-sso-prod-g1-to1")
	if err != nil {
		t.Fatal(err)
	}
	var readerKeys []string
	for k := range g.tags {
		if strings.HasPrefix(k, tagReaderPrefix) {
			readerKeys = append(readerKeys, k)
		}
	}
	if _, err := e.api.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(g.arn),
		Tags: []rdstypes.Tag{{Key: aws.String(TagOutcome), Value: aws.String(OutcomeChanging)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: aws.String(g.arn), TagKeys: readerKeys}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.o.Preview(ctx, req); err != nil {
		t.Errorf("preview: %v", err)
	}
	_, err = e.o.Run(ctx, req)
	if err == nil || !strings.Contains(err.Error(), "does not record the reader") {
		t.Errorf("run: %v, want the guard's missing reader record named", err)
	}
}

// This resource's change to 1 node was interrupted after its call and completed at RDS (guard
// left changing); then Multi-AZ is turned on outside the resource. A change to 2 nodes (a destroy
// with restore_on_destroy) is refused as a change this resource did not start, not named as the
// resource's own finished change to 1 node "still under way".
func TestOutsideChangeNotNamedAsOwn(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	e.runInterrupted(t, Request{Target: mandible, Nodes: 1, Generation: 1}, StepChange)
	e.srv.Advance(2 * time.Hour)
	if topo := e.topology(mandible); topo.MultiAZ || topo.Status != "available" {
		t.Fatalf("setup: multiAZ=%t status=%s", topo.MultiAZ, topo.Status)
	}
	if _, err := e.api.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("mandible-prod"),
		MultiAZ: aws.Bool(true), ApplyImmediately: aws.Bool(true)}); err != nil { // outside the resource
		t.Fatal(err)
	}
	e.srv.Advance(time.Minute)
	req := Request{Target: mandible, Nodes: 2, Generation: 1, Previous: &Previous{Nodes: 2, MultiAZ: true}}
	const want = "a change that this resource did not start is in progress"
	if p, err := e.o.Preview(context.Background(), req); err != nil || !strings.Contains(p.Refusal, want) {
		t.Errorf("preview: %v, refusal %q; want %q", err, p.Refusal, want)
	}
	_, err := e.o.Run(context.Background(), req)
	var pe *PrecheckError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), want) {
		t.Errorf("run: %v; want a refusal saying %q", err, want)
	}
}
