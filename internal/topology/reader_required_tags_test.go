package topology

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// An account whose service control policy denies rds:CreateDBInstance (and the cluster snapshot)
// without a CostCenter tag, and a reader whose own tags, recorded or not, lack it (tagged before
// the policy): the reader recreated by the change back to 2 nodes, or by the rollback of a failed
// removal, carries Request.Tags (guard.tags) where its own lack them, its own values kept. Without
// them RDS refused the reader: the change back failed, and the rollback left one node.
func TestRecreatedReaderCarriesRequiredTags(t *testing.T) {
	required := map[string]string{"CostCenter": "chat", "environment": "staging"} // the reader's own environment is kept
	setup := func(t *testing.T, own map[string]string) *env {
		sc := sandbox.Demo()
		sc.Clusters[0].Members[1].Tags = own
		e := newEnv(t, sc)
		for _, op := range []string{"CreateDBClusterSnapshot", "CreateDBInstance"} {
			e.srv.RequireRequestTags(op, "CostCenter")
		}
		return e
	}
	readerTags := func(e *env) map[string]string {
		tags := map[string]string{}
		for _, tg := range e.instance(ssoReader).TagList {
			tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return tags
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		own        map[string]string
		unrecorded bool
	}{
		{"own tags recorded", map[string]string{"environment": "production"}, false},
		{"own tags not recorded", map[string]string{"environment": "production"}, true},
		{"no own tags", nil, false},
	} {
		t.Run("back to 2 nodes, "+tc.name, func(t *testing.T) {
			e := setup(t, tc.own)
			res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1, Tags: required})
			if err != nil {
				t.Fatal(err)
			}
			prev := res.Previous
			if tc.unrecorded {
				r := *prev.Reader
				r.Tags, r.TagsUnrecorded = nil, true
				prev.Reader = &r
			}
			if _, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Previous: &prev, Tags: required}); err != nil {
				t.Fatalf("back to 2 nodes: %v", err)
			}
			tags := readerTags(e)
			if tags["CostCenter"] != "chat" || tags[TagManagedBy] != ManagedByValue {
				t.Errorf("recreated reader's tags %v", tags)
			}
			if want := tc.own["environment"]; !tc.unrecorded && tags["environment"] != want && want != "" {
				t.Errorf("recreated reader's environment tag %q, want its own %q", tags["environment"], want)
			}
		})
	}
	t.Run("rollback of a failed removal", func(t *testing.T) {
		e := setup(t, map[string]string{"environment": "production"})
		_, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1, Tags: required, Validator: mismatchValidator{}})
		if err == nil || !strings.Contains(err.Error(), "rolled back") {
			t.Fatalf("removal with a failed validation: %v, want it rolled back", err)
		}
		if tags := readerTags(e); tags["CostCenter"] != "chat" || tags["environment"] != "production" {
			t.Errorf("reader recreated by the rollback tagged %v", tags)
		}
	})
}

// Request.Tags the reader's own lack are added only while room is left for this provider's mark
// among RDS's 50: a reader of 48 own tags gets one of two and the mark; one of 49 gets the mark
// alone; one of 50 neither.
func TestRecreatedReaderRequiredTagsLeaveRoomForMark(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		own           int
		added, marked bool
	}{{48, true, true}, {49, false, true}, {50, false, false}} {
		t.Run(fmt.Sprint(tc.own), func(t *testing.T) {
			e := newEnv(t, sandbox.Demo())
			res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
			if err != nil {
				t.Fatal(err)
			}
			prev := res.Previous
			rd := *prev.Reader
			rd.Tags, rd.TagsUnrecorded = map[string]string{}, false
			for i := range tc.own {
				rd.Tags[fmt.Sprintf("own%02d", i)] = "x"
			}
			prev.Reader = &rd
			if _, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Previous: &prev, Tags: map[string]string{"CostCenter": "chat", "Owner": "dba"}}); err != nil {
				t.Fatal(err)
			}
			tags := map[string]string{}
			for _, tg := range e.instance(ssoReader).TagList {
				tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			_, costCenter := tags["CostCenter"]
			_, marked := tags[TagManagedBy]
			if costCenter != tc.added || marked != tc.marked || len(tags) > maxTags || tags["own00"] != "x" {
				t.Errorf("%d tags: CostCenter %t, marked %t; want %t, %t", len(tags), costCenter, marked, tc.added, tc.marked)
			}
		})
	}
}
