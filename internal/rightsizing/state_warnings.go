package rightsizing

import (
	"fmt"
	"strings"
	"time"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
)

// extendedSupport is the RDS Extended Support charge billed on every instance of c (engine
// engine, priced in region) at time at (pricing.ExtendedSupport); ok is false when none is: its
// major version is in standard support, or c was created with EngineLifecycleSupport
// "open-source-rds-extended-support-disabled", which RDS does not enroll (nor bill). RDS's
// default, and an empty value, is enrolled.
func extendedSupport(engine pricing.Engine, c inventory.Cluster, region string, at time.Time) (pricing.ExtendedSupportCharge, bool) {
	if c.EngineLifecycleSupport == pricing.LifecycleExtendedSupportDisabled {
		return pricing.ExtendedSupportCharge{}, false
	}
	return pricing.ExtendedSupportWith(engine, c.EngineVersion, region, at, c.ExtendedSupportFromRDS)
}

// extendedSupportAheadWarning says, when RDS reports (inventory.AttachSupportDates) that the
// PostgreSQL major version of c, named name, goes on RDS Extended Support within a year of at,
// from when and what it will then add to every instance: the costs and savings, which are
// today's, leave it out until then. "" otherwise.
func extendedSupportAheadWarning(engine pricing.Engine, c inventory.Cluster, name, region string, at time.Time, vcpus int) string {
	p := c.ExtendedSupportFromRDS
	if p == nil || c.EngineLifecycleSupport == pricing.LifecycleExtendedSupportDisabled || !p.ChargedFrom.After(at) || p.ChargedFrom.After(at.AddDate(1, 0, 0)) {
		return ""
	}
	es, ok := extendedSupport(engine, c, region, p.ChargedFrom)
	if !ok {
		return ""
	}
	head := fmt.Sprintf("%s runs PostgreSQL %d (engine version %s), whose RDS standard support ends on %s (RDS's date): from %s AWS bills RDS Extended Support per vCPU-hour on every instance, "+
		"on top of the instance price and not covered by reserved instances. The costs and savings here are today's and leave it out",
		name, p.Major, c.EngineVersion, p.From.AddDate(0, 0, -1).Format(time.DateOnly), p.ChargedFrom.Format(time.DateOnly))
	const upgrade = "Upgrading to a PostgreSQL major version in RDS standard support before then avoids the charge."
	if !es.Priced {
		return fmt.Sprintf("%s; the charge is not priced here (%s). %s", head, es.Unpriced, upgrade)
	}
	return fmt.Sprintf("%s: at the year-1 rate of $%.3f per vCPU-hour in %s (%s, %s), $%.2f a month on today's %d vCPUs, and going to one node then saves its share too. %s",
		head, es.USDPerVCPUHour, es.Region, es.Source, es.SourceDate, es.MonthlyUSD(vcpus), vcpus, upgrade)
}

// supportDatesUnreadWarning says that the Extended Support dates of c's PostgreSQL major version,
// past the community's support and not in the provider's table, could not be read from RDS
// (inventory.AttachSupportDates), and what that leaves out.
func supportDatesUnreadWarning(c inventory.Cluster, name string) string {
	major, _ := pricing.PostgresMajor(c.EngineVersion)
	fix := "They are read again on the next plan."
	if c.SupportDatesDenied {
		fix = "Allow rds:DescribeDBMajorEngineVersions to the provider's credentials to have it priced."
	}
	return fmt.Sprintf("%s runs PostgreSQL %d (engine version %s), which the PostgreSQL community no longer supports; the provider's table does not have its RDS Extended Support dates, "+
		"and reading them from RDS failed (%s). If RDS bills it Extended Support, the costs and savings leave that charge out. %s", name, major, c.EngineVersion, c.SupportDatesUnread, fix)
}

// billedVCPUs is the sum of the catalog vCPUs of the classes of nodes (the instances the current
// price is for, a Multi-AZ standby included). It fails on a class the catalog does not know.
func billedVCPUs(cat *pricing.Catalog, nodes []inventory.Node) (int, error) {
	n := 0
	for _, node := range nodes {
		class, err := cat.Class(node.Class)
		if err != nil {
			return 0, err
		}
		n += class.VCPU
	}
	return n, nil
}

// extendedSupportWarning says that the deployment c, named name, is billed RDS Extended Support
// (es), on vcpus vCPUs (every instance the current cost is for: the 2-node form of a deployment
// already on one node), and what the recommendation did with it: with a known rate, the monthly
// amount is part of the current cost (when included, that is when the current price is known) and
// of each single-node option; else the costs and savings leave it out. Either way, upgrading the
// major version ends it.
func extendedSupportWarning(c inventory.Cluster, name string, es pricing.ExtendedSupportCharge, vcpus int, included bool) string {
	since := es.Period.From.Format(time.DateOnly)
	if es.Period.FromRDS {
		since += " (RDS's date)"
	}
	if !es.Period.ChargedFrom.Equal(es.Period.From) {
		since += " (billed from " + es.Period.ChargedFrom.Format(time.DateOnly) + ")"
	}
	every := "every instance, the Multi-AZ standby included"
	if c.Kind == inventory.KindAurora {
		every = "every instance of the cluster, each reader included"
	}
	head := fmt.Sprintf("%s runs PostgreSQL %d (engine version %s), which is on RDS Extended Support since %s: AWS bills it per vCPU-hour on %s, "+
		"on top of the instance price and not covered by reserved instances",
		name, es.Period.Major, c.EngineVersion, since, every)
	const upgrade = "Upgrading to a PostgreSQL major version in RDS standard support removes the charge."
	if !es.Priced {
		return fmt.Sprintf("%s. It is not priced here (%s), so the current cost, the single-node costs and the savings leave it out: "+
			"the savings are understated by the charge on the vCPUs the single node no longer runs. %s", head, es.Unpriced, upgrade)
	}
	monthly := es.MonthlyUSD(vcpus)
	of := fmt.Sprintf("its %d vCPUs", vcpus)
	if len(c.Nodes) == 1 { // Request.AllowSingleNode: the current cost prices the 2-node form
		of = fmt.Sprintf("the %d vCPUs of its 2-node form, which the current cost prices", vcpus)
	}
	amount := fmt.Sprintf("$%.2f a month for %s (%d × $%.3f × %d h), included in the current cost, and each single-node option carries its own class's vCPUs at the same rate",
		monthly, of, vcpus, es.USDPerVCPUHour, analysis.HoursPerMonth)
	if !included {
		amount = fmt.Sprintf("$%.2f a month for %s, not in the current cost, which is unknown", monthly, of)
	}
	return fmt.Sprintf("%s: year %d of Extended Support, $%.3f per vCPU-hour in %s (%s, %s), %s. %s",
		head, es.Year, es.USDPerVCPUHour, es.Region, es.Source, es.SourceDate, amount, upgrade)
}

// stoppedWarning says, when the deployment c (named name) is stopped, stopping or starting
// (inventory.Cluster.Stopped), what that does to the recommendation; "" otherwise. AWS bills a
// stopped DB instance or Aurora cluster for its storage only, and it publishes no CloudWatch
// metrics while stopped; RDS starts it again by itself after 7 days.
func stoppedWarning(c inventory.Cluster, name string) string {
	what, state, status, ok := c.StoppedState()
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s is %s (status %q): AWS bills a stopped %s for its storage only, and it publishes no CloudWatch metrics while stopped, "+
		"so the metrics cover only the time it ran and the verdict rests on that; the costs and savings assume it runs the whole month (%d hours). "+
		"RDS starts a stopped %s again by itself after 7 days. Read the recommendation again once it has run for the lookback period, "+
		"or, if it is kept stopped, weigh the savings against what it is billed while stopped.",
		name, state, status, what, analysis.HoursPerMonth, what)
}

// pendingWarnings says which modifications of the deployment c (named name) are pending (an
// instance class, storage or Multi-AZ change requested without ApplyImmediately, applied in the next
// maintenance window, or being applied): the recommendation sizes and prices what runs today.
func pendingWarnings(c inventory.Cluster, name string) []Warning {
	const refuse = "rightsize_db_topology refuses to change the deployment while modifications are pending: " +
		"apply the pending change (ModifyDBInstance with ApplyImmediately) or revert it, then read the recommendation again"
	var out []Warning
	if p := c.PendingMultiAZ; p != nil && c.Kind == inventory.KindMultiAZ && *p != c.MultiAZ {
		to, now, nodes := "Single-AZ", "two nodes", "one node"
		if *p {
			to, now, nodes = "Multi-AZ", "one node", "two nodes"
		}
		out = append(out, Warning{"Multi-AZ Change Pending", fmt.Sprintf("a change of %s to %s is pending (requested without ApplyImmediately: RDS applies it in the next maintenance window, or is applying it now), "+
			"so it is going to %s by itself: the recommendation measures and prices the %s it runs today.", name, to, nodes, now)})
	}
	for _, n := range c.PendingClasses() {
		out = append(out, Warning{"Instance Class Change Pending", fmt.Sprintf("a change of the instance class of %s from %s to %s is pending (RDS applies it in the next maintenance window, or is applying it now): "+
			"the sizing, the projected load and the costs of %s are for %s's current class %s, not %s. %s",
			n.ID, n.Class, n.PendingClass, name, n.ID, n.Class, n.PendingClass, refuse)})
	}
	if p := c.PendingStorage; p.Any() {
		var to []string
		if p.AllocatedGiB > 0 {
			to = append(to, fmt.Sprintf("%d GiB allocated (now %d GiB)", p.AllocatedGiB, c.AllocatedStorageGiB))
		}
		if p.StorageType != "" {
			to = append(to, fmt.Sprintf("storage type %s (now %s)", p.StorageType, c.StorageType))
		}
		if p.IOPS > 0 {
			to = append(to, fmt.Sprintf("%d provisioned IOPS (now %d)", p.IOPS, c.ProvisionedIOPS))
		}
		if p.ThroughputMBps > 0 {
			to = append(to, fmt.Sprintf("%d MiB/s of provisioned throughput (now %d)", p.ThroughputMBps, c.StorageThroughputMBps))
		}
		out = append(out, Warning{"Storage Change Pending", fmt.Sprintf("a storage change of %s to %s is pending (RDS applies it in the next maintenance window, or is applying it now): "+
			"the storage costs and checks here are for its current storage. %s", name, strings.Join(to, ", "), refuse)})
	}
	return out
}

// snapshotsUnreadWarning is the warning of an RDS instance without automated backups whose
// snapshots could not be listed (inventory.Cluster.SnapshotsUnread): the backup risk then cannot
// say how old the recovery point left on one node is, or whether there is one. It starts "name: ",
// which the fleet, naming the deployments before a warning, drops.
func snapshotsUnreadWarning(c inventory.Cluster, name string) string {
	fix := "They are listed again on the next plan."
	if c.SnapshotsDenied {
		fix = "Allow rds:DescribeDBSnapshots to the provider's credentials to have it found."
	}
	return fmt.Sprintf("%s: it keeps no automated backups (backup retention period 0), so on one node its latest snapshot is the recovery point left; listing its snapshots failed (%s), "+
		"so the backup risk cannot say how old that snapshot is, or whether there is one. %s", name, c.SnapshotsUnread, fix)
}
