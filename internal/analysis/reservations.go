package analysis

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Reservation is a purchase of RDS reserved DB instances (rds:DescribeReservedDBInstances),
// active or with its payment pending. It is a billing discount, not an instance: it is billed for
// its whole term whether or not instances use it, and RDS applies it, hour by hour, to the
// running DB instances of its engine in the region (and, with reservation sharing, in the
// organization's other accounts). For RDS for PostgreSQL and Aurora PostgreSQL it is size
// flexible: it covers any size of its class family, in normalized units (NormalizedUnits).
type Reservation struct {
	ID                 string
	Class              string // the DB instance class bought, e.g. "db.r6g.large"
	ProductDescription string // "postgresql" (RDS for PostgreSQL) or "aurora-postgresql"
	MultiAZ            bool
	Count              int       // DB instances bought, ≥ 1
	End                time.Time // start + duration (zero when unknown)
}

// sizeUnits are RDS's normalized units per DB instance size (AWS's table for size-flexible
// reserved DB instances); a Multi-AZ deployment counts twice.
var sizeUnits = map[string]float64{
	"micro": 0.5, "small": 1, "medium": 2, "large": 4, "xlarge": 8, "2xlarge": 16, "4xlarge": 32,
	"8xlarge": 64, "10xlarge": 80, "12xlarge": 96, "16xlarge": 128, "24xlarge": 192, "32xlarge": 256,
	"48xlarge": 384,
}

// classUnits splits a DB instance class into its family and its normalized units ("db.r6g.large"
// → "db.r6g", 4); ok is false for a size outside the table.
func classUnits(class string) (family string, units float64, ok bool) {
	i := strings.LastIndexByte(class, '.')
	if i < 0 {
		return "", 0, false
	}
	units, ok = sizeUnits[strings.ToLower(class[i+1:])]
	return strings.ToLower(class[:i]), units, ok
}

// NormalizedUnits is the size-flexible capacity r buys: Count × the units of its size, doubled
// for Multi-AZ; 0 when its size is not in AWS's table or Count is below 1.
func (r Reservation) NormalizedUnits() float64 {
	_, u, ok := classUnits(r.Class)
	if !ok || r.Count < 1 {
		return 0
	}
	if r.MultiAZ {
		u *= 2
	}
	return float64(r.Count) * u
}

// Describe names r, what it bought and until when, for messages.
func (r Reservation) Describe() string {
	s := fmt.Sprintf("%s (%d × %s", r.ID, r.Count, r.Class)
	if r.MultiAZ {
		s += " Multi-AZ"
	}
	if !r.End.IsZero() {
		s += ", until " + r.End.UTC().Format("2006-01-02")
	}
	return s + ")"
}

func (r Reservation) validate() error {
	switch {
	case r.ID == "":
		return errorf("reservation of %q: the identifier must be set", r.Class)
	case r.Count < 1:
		return errorf("reservation %q: count %d: must be at least 1", r.ID, r.Count)
	case r.Class == "" || r.ProductDescription == "":
		return errorf("reservation %q: the class and product description must be set", r.ID)
	}
	return nil
}

// reservationFamily is what one class family's reservations of the engine cover of the
// deployment: their normalized units, the units the deployment's nodes of the family use today and
// the single node uses after the change, and the reservations' names and last end.
type reservationFamily struct {
	family        string
	units         float64
	before, after float64
	names         []string
	last          time.Time
}

// covered is the reserved units in use before and after the change: the lower of the
// reservations' units and those the deployment uses.
func (f reservationFamily) covered() (before, after float64) {
	return math.Min(f.units, f.before), math.Min(f.units, f.after)
}

// reservationRisk is the cost risk of the change when it would leave reserved units idle (ok false
// when it would not). It looks at the reservations of the engine (Multi-AZ: postgresql, Aurora:
// aurora-postgresql) of every class family today's nodes (a Multi-AZ standby runs the writer's
// class) or the single node on target use. In each family the reservations cover the lower of
// their normalized units and those the deployment uses: today every node's of the family, after
// the change target's (Single-AZ) when target is of the family, else none. A family whose
// reservations would cover fewer units after the change leaves the difference idle: billed for its
// term whatever it covers, so the savings shown, at on-demand prices, count as saved what the
// reservations paid for. A family whose reservations would cover more (target's, unused by the
// deployment today) saves that much more than shown; alone it is no risk.
//
// Where the families' on-demand prices are known (a priced candidate of the family, else the
// current price when every node is of the family; without the Extended Support they include,
// in.ExtendedSupportUSDPerVCPUHour, which reservations do not cover), the risk states what the idle units are worth
// per month, net of the units newly covered, and, with cost known, what the change then saves.
// Severity medium when that net worth is at least the instance savings shown (in.CurrentHourlyUSD
// less target's price: the change saves nothing on instance hours, or costs more), low otherwise;
// unpriced, medium when the idle units are all the units the change stops using in their families.
// No risk when a node's size is not in AWS's table (NormalizedUnits); a target whose size is not
// is counted as using no reserved units, which the risk says (its idle units are then at most
// what it states).
func reservationRisk(in ClusterInput, target InstanceClass, cost CostEstimate) (r Risk, ok bool) {
	product := "postgresql"
	if in.engineTopology() == TopologyAurora {
		product = "aurora-postgresql"
	}
	w, _ := in.split()
	var fams []*reservationFamily
	var today, vcpus float64 // the units and vCPUs of every node
	byName := map[string]*reservationFamily{}
	use := func(class string) (*reservationFamily, float64, bool) {
		f, u, known := classUnits(class)
		if !known {
			return nil, 0, false
		}
		if byName[f] == nil {
			byName[f] = &reservationFamily{family: f}
			fams = append(fams, byName[f])
		}
		return byName[f], u, true
	}
	for _, n := range in.Nodes {
		class := n.Class
		if n.Role == RoleStandby {
			class = w.Class
		}
		f, u, known := use(class.Name)
		if !known {
			return Risk{}, false
		}
		f.before += u
		today += u
		vcpus += class.VCPU
	}
	tf, tu, targetKnown := use(target.Name)
	if targetKnown {
		tf.after = tu
	}
	for _, res := range in.Reservations {
		fam, _, known := classUnits(res.Class)
		f := byName[fam]
		if !known || f == nil || !strings.EqualFold(res.ProductDescription, product) {
			continue
		}
		f.units += res.NormalizedUnits()
		f.names = append(f.names, res.Describe())
		if res.End.After(f.last) {
			f.last = res.End
		}
	}

	// The on-demand price of a normalized unit of a family, USD per hour, without the Extended
	// Support reservations do not cover (0: unknown).
	es := in.ExtendedSupportUSDPerVCPUHour
	unitPrice := func(f *reservationFamily) float64 {
		for _, c := range in.Candidates {
			if cf, u, known := classUnits(c.Class.Name); known && cf == f.family && c.SingleNodeHourlyUSD-float64(es*c.Class.VCPU) > 0 {
				return (c.SingleNodeHourlyUSD - float64(es*c.Class.VCPU)) / u
			}
		}
		if f.before > 0 && f.before == today && in.CurrentHourlyUSD-float64(es*vcpus) > 0 {
			return (in.CurrentHourlyUSD - float64(es*vcpus)) / f.before
		}
		return 0
	}
	var (
		clauses          []string
		idle, stops      float64
		idleUSD, gainUSD float64
		gainUnits        float64
		gainNames        []string
		priced           = true
		last             time.Time
	)
	for _, f := range fams {
		before, after := f.covered()
		if before == after {
			continue
		}
		price := unitPrice(f)
		if price == 0 {
			priced = false
		}
		if after > before { // reservations unused today that would cover the single node
			gainUnits += after - before
			gainUSD += float64((after - before) * price * HoursPerMonth)
			gainNames = append(gainNames, f.family)
			continue
		}
		n := before - after
		idle, stops = idle+n, stops+f.before-f.after
		idleUSD += float64(n * price * HoursPerMonth)
		if f.last.After(last) {
			last = f.last
		}
		share := fmt.Sprintf("%.0f%% of", 100*n/(f.before-f.after))
		if n >= f.before-f.after {
			share = "all of"
		}
		more := "" // reserved units the deployment leaves idle today too
		if f.units > before {
			more = " more"
		}
		afterText, node := "none", fmt.Sprintf("the single node's %s is of another family", target.Name)
		if !targetKnown {
			afterText, node = "none", fmt.Sprintf("the size of the single node's %s is not in AWS's table of normalized units: counted as none, so at most this many go idle", target.Name)
		}
		if f == tf && targetKnown {
			afterText, node = fmt.Sprintf("%g", after), fmt.Sprintf("the single node on %s uses %g", target.Name, f.after)
		}
		clauses = append(clauses, fmt.Sprintf(
			"Reserved DB instances of the %s family for %s (%s), %g normalized units in all, cover %g of the %g units this deployment uses of the family and would cover %s after the change (%s): "+
				"the change leaves %g%s reserved units idle, %s the %g it stops using",
			f.family, product, strings.Join(f.names, ", "), f.units, before, f.before, afterText, node, n, more, share, f.before-f.after))
	}
	if idle == 0 {
		return Risk{}, false // the reservations cover as much after the change: the savings are real
	}
	sev := "low"
	if targetHourly := in.singleNodeHourly(target.Name); priced && in.CurrentHourlyUSD > 0 && targetHourly > 0 {
		if idleUSD-gainUSD >= (in.CurrentHourlyUSD-targetHourly)*HoursPerMonth {
			sev = "medium"
		}
	} else if idle >= stops {
		sev = "medium"
	}
	until := ""
	if !last.IsZero() {
		until = " until " + last.UTC().Format("2006-01-02")
	}
	money := "the savings shown are at on-demand prices, which count the idle units as saved"
	if priced {
		money += fmt.Sprintf(": at those prices they are worth about $%.2f a month", idleUSD)
		if gainUnits > 0 {
			money += fmt.Sprintf(", and the %g reserved units of the %s family that this deployment does not use today and the single node would, about $%.2f a month",
				gainUnits, strings.Join(gainNames, " and "), gainUSD)
		}
		if cost.Known {
			shown := cost.MonthlySavingsUSD
			switch net := round(shown-idleUSD+gainUSD, 2); {
			case net == 0:
				money += fmt.Sprintf(", so the change saves nothing, not the $%.2f shown", shown)
			case net > 0:
				money += fmt.Sprintf(", so the change saves about $%.2f a month, not the $%.2f shown", net, shown)
			case shown >= 0:
				money += fmt.Sprintf(", so the change costs about $%.2f a month more instead of saving the $%.2f shown", -net, shown)
			default:
				money += fmt.Sprintf(", so the change costs about $%.2f a month more, not the $%.2f shown", -net, -shown)
			}
		}
	}
	return Risk{Category: "cost", Severity: sev, Description: strings.Join(clauses, "; ") + ". " +
		"Reservations are billed for their whole term whether used or not, and RDS applies them across the region's instances of their family (and the organization's, with sharing), " +
		"so idle units save nothing unless other instances use them" + until + "; " + money}, true
}
