package topology

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// tablesValidator is a validation baseline of n tables with their index definitions: 2n facts,
// as PGValidator with CheckIndexes records them.
type tablesValidator struct{ n int }

func (v tablesValidator) Capture(context.Context) (Facts, error) {
	f := Facts{}
	for i := range v.n {
		f[fmt.Sprintf("%spublic.t%02d", factRowsPrefix, i)] = "1"
		f[fmt.Sprintf("%spublic.t%02d", factIndexesPrefix, i)] = "0123456789abcdef"
	}
	return f, nil
}

func (tablesValidator) Check(context.Context, Facts) (*Report, error) {
	return &Report{Checked: []string{"tables"}}, nil
}

// GuardTagsRoom is what an Aurora cluster's guard snapshot has room for: with a reader whose
// settings take their tags (an Enhanced Monitoring role) and the most validation tables with their
// index definitions, as many Request.Tags as it says are taken and the reader removed, where a
// request with 15 (guard.tags' limit) failed at the guard snapshot ("55 tags, and 3 more added
// during the change, exceed the RDS limit of 50"). A DB instance has room for 15 with them.
func TestGuardTagsRoom(t *testing.T) {
	facts := 2 * MaxValidationTables
	room := GuardTagsRoom(KindCluster, facts)
	if room < 1 || room >= 15 {
		t.Fatalf("GuardTagsRoom(cluster, %d) = %d", facts, room)
	}
	if r := GuardTagsRoom(KindInstance, facts); r < 15 {
		t.Fatalf("GuardTagsRoom(instance, %d) = %d, want at least 15", facts, r)
	}
	tags := func(n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m[fmt.Sprintf("CostCenter%02d", i)] = "chat"
		}
		return m
	}
	run := func(n int) error {
		sc := sandbox.Demo()
		sc.Clusters[0].Members[1].MonitoringRoleARN = "arn:aws:iam::123456789012:role/rds-monitoring"
		e := newEnv(t, sc)
		_, err := e.o.Run(context.Background(), Request{Target: sso, Nodes: 1, Generation: 1, Validator: tablesValidator{MaxValidationTables}, Tags: tags(n)})
		return err
	}
	if err := run(room); err != nil {
		t.Fatalf("%d tags, GuardTagsRoom's: %v", room, err)
	}
	if err := run(15); err == nil || !strings.Contains(err.Error(), "exceed the RDS limit of 50") {
		t.Fatalf("15 tags: %v, want the guard snapshot refused", err)
	}
}
