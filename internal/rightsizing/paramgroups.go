package rightsizing

import (
	"fmt"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
)

// withGroupMaxConnections returns the PostgreSQL facts pg (nil when none were read) with the
// max_connections c's writer's parameter groups set (inventory.AttachParameterGroups) as
// MaxConnectionsFormula, which says what the single node keeps; pg itself is not changed. The
// warnings say, for c named name, why that could not be read or used: RDS refused the groups
// (and, when denied, what to allow), the value is not one the provider evaluates, or the writer's
// group waits for a reboot, so that the server may run another value.
func withGroupMaxConnections(pg *analysis.PostgresFacts, c inventory.Cluster, name string) (*analysis.PostgresFacts, []string) {
	if c.ParametersUnread != "" {
		fix := "They are read again on the next plan."
		if c.ParametersDenied {
			fix = "Allow rds:DescribeDBParameters (and, for Aurora, rds:DescribeDBClusterParameters) to the provider's credentials."
		}
		return pg, []string{fmt.Sprintf("%s: the max_connections its parameter groups set was not read (%s), so the recommendation takes the server's value "+
			"(from PostgreSQL statistics, when read) or RDS's default on each class for what the single node keeps. %s", name, c.ParametersUnread, fix)}
	}
	if c.MaxConnectionsSetting == "" {
		return pg, nil
	}
	if _, ok := analysis.EvalFormula(c.MaxConnectionsSetting, analysis.InstanceClass{VCPU: 2, MemoryGiB: 8}); !ok {
		return pg, []string{fmt.Sprintf("%s: its %s sets max_connections to %q, which the provider does not evaluate (an integer, or a formula of "+
			"DBInstanceClassMemory and DBInstanceVCPU with GREATEST, LEAST and SUM): the recommendation takes the server's value (from PostgreSQL "+
			"statistics, when read) or RDS's default on each class instead", name, c.MaxConnectionsFrom, c.MaxConnectionsSetting)}
	}
	f := analysis.PostgresFacts{}
	if pg != nil {
		f = *pg
	}
	f.MaxConnectionsFormula = c.MaxConnectionsSetting
	var warns []string
	if w, ok := c.Writer(); ok && w.ParameterApplyStatus == "pending-reboot" {
		warns = append(warns, fmt.Sprintf("%s: writer %s's DB parameter group %s is pending-reboot: until the instance restarts it may run another "+
			"max_connections than the %s the recommendation takes from %s", name, w.ID, w.ParameterGroup, c.MaxConnectionsSetting, c.MaxConnectionsFrom))
	}
	return &f, warns
}
