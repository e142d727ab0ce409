package rightsizing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/paramgroups"
)

// withGroupSettings returns the PostgreSQL facts pg (nil when none were read) with what c's
// writer's parameter groups set (inventory.AttachParameterGroups): max_connections as
// MaxConnectionsFormula, which says what the single node keeps, and shared_buffers as
// SharedBuffersFormula, the buffer cache Aurora allocates at start; pg itself is not changed. The
// shared_buffers is taken on Aurora only. The
// warnings say, for c named name, why a setting could not be read or used: RDS refused the groups
// (and, when denied, what to allow), a value is not one the provider evaluates, or the group it
// came from waits for a reboot, so that the server may run another value.
func withGroupSettings(pg *analysis.PostgresFacts, c inventory.Cluster, name string) (*analysis.PostgresFacts, []Warning) {
	if c.ParametersUnread != "" {
		fix := "They are read again on the next plan."
		if c.ParametersDenied {
			fix = "Allow rds:DescribeDBParameters (and, for Aurora, rds:DescribeDBClusterParameters) to the provider's credentials."
		}
		return pg, []Warning{{"Parameter Groups Not Read", fmt.Sprintf("%s: what its parameter groups set for max_connections and shared_buffers was not read (%s), so the recommendation takes "+
			"the server's max_connections (from PostgreSQL statistics, when read) or RDS's default on each class for what the single node keeps, and Aurora's "+
			"default buffer cache%s%s. %s", name, c.ParametersUnread, unreadParameters(c), uncomparedReader(c), fix)}}
	}
	if len(c.GroupSettings) == 0 {
		return pg, nil
	}
	f := analysis.PostgresFacts{}
	if pg != nil {
		f = *pg
	}
	var warns []Warning
	var pending []string
	w, _ := c.Writer()
	for _, p := range inventory.GroupParameters {
		s, ok := c.GroupSettings[p]
		if !ok || p == "shared_buffers" && c.Kind != inventory.KindAurora { // RDS's memory check does not take it
			continue
		}
		if !analysis.FormulaEvaluable(s.Value) {
			warns = append(warns, Warning{"Parameter Not Evaluated", fmt.Sprintf("%s: its %s sets %s to %q, which the provider does not evaluate (an integer, or a formula of "+
				"DBInstanceClassMemory and DBInstanceVCPU with GREATEST, LEAST and SUM): the recommendation leaves it out", name, s.From, p, s.Value)})
			continue
		}
		switch p {
		case "max_connections":
			f.MaxConnectionsFormula = s.Value
		case "shared_buffers":
			f.SharedBuffersFormula = s.Value
		}
		status := w.ParameterApplyStatus
		if strings.HasPrefix(s.From, "DB cluster parameter group") {
			status = w.ClusterParameterApplyStatus
		}
		if status == "pending-reboot" && !slices.Contains(pending, s.From) {
			pending = append(pending, s.From)
		}
	}
	for _, g := range pending {
		warns = append(warns, Warning{"Parameter Group Pending Reboot", fmt.Sprintf("%s: writer %s's %s is pending-reboot: until the instance restarts it may run other values than the ones "+
			"the recommendation takes from it", name, w.ID, g)})
	}
	if pg == nil && f.MaxConnectionsFormula == "" && f.SharedBuffersFormula == "" ||
		pg != nil && f.MaxConnectionsFormula == pg.MaxConnectionsFormula && f.SharedBuffersFormula == pg.SharedBuffersFormula {
		return pg, warns // nothing set: the facts as they were
	}
	return &f, warns
}

// uncomparedReader adds, to the warning that c's parameter groups were not read, that the
// parameters its Aurora reader runs with were not compared with the writer's either, when that is
// for the same cause (inventory: ReaderParametersUnread is ParametersUnread), so that one warning
// says both; readerParametersUnread says a cause of the reader's own.
func uncomparedReader(c inventory.Cluster) string {
	if c.ReaderParametersUnread == "" || c.ReaderParametersUnread != c.ParametersUnread {
		return ""
	}
	return "; and the parameters its reader and writer run with (statement_timeout, work_mem and others its queries would meet on the writer) were not " +
		"compared: compare the groups yourself"
}

// readerParametersUnread is the warning that the parameters c's Aurora reader runs with were not
// compared with its writer's, for c named name; "" when they were, or when it was for the writer's
// groups not read, which withGroupSettings's warning says (uncomparedReader).
func readerParametersUnread(c inventory.Cluster, name string) string {
	if c.ReaderParametersUnread == "" || c.ReaderParametersUnread == c.ParametersUnread {
		return ""
	}
	fix := "They are compared again on the next plan; or compare the groups yourself"
	if c.ReaderParametersDenied {
		fix = "Allow rds:DescribeDBParameters and rds:DescribeDBClusterParameters to the provider's credentials, or compare the groups yourself"
	}
	return fmt.Sprintf("%s: the parameters its reader and writer run with (statement_timeout, work_mem and others its queries would meet on the writer) were not "+
		"compared: %s. %s", name, c.ReaderParametersUnread, fix)
}

// unreadParameters adds, to the warning that c's parameter groups were not read, that
// current_parameters is unknown too when it was the writer's DB parameter group that was not read
// (an Aurora cluster's DB cluster parameter group alone leaves it known).
func unreadParameters(c inventory.Cluster) string {
	if w, _ := c.Writer(); c.WriterGroupParameters != nil || paramgroups.IsDefault(w.ParameterGroup) {
		return "" // read, or RDS's default group (not read: it sets nothing a user chose)
	}
	return "; and current_parameters, what a new group replacing the writer's DB parameter group must keep, is unknown (null): copy that group's parameters by hand"
}
