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

// reservationRisk is the cost risk of the change when reservations can cover the deployment
// (ok false when none can): the reservations of the engine (Multi-AZ: postgresql, Aurora:
// aurora-postgresql) and of the class family of the node the change removes, their normalized
// units against those the deployment uses and the change frees, and the end of the last one.
// Reserved units beyond what the single node still uses are left idle, up to the units the change
// frees: severity medium when all the freed units are reserved (the change then frees reserved
// capacity rather than on-demand hours), low when part of them; no risk when the single node
// still uses every reserved unit (its savings are real).
func reservationRisk(in ClusterInput) (r Risk, ok bool) {
	product := "postgresql"
	if in.Topology == TopologyAurora {
		product = "aurora-postgresql"
	}
	w, rest := in.split()
	nodeUnits := func(n Node) (string, float64, bool) {
		if n.Role == RoleStandby { // a Multi-AZ standby runs the writer's class
			return classUnits(w.Class.Name)
		}
		return classUnits(n.Class.Name)
	}
	var family string
	var used, freed float64
	for _, n := range rest {
		f, u, known := nodeUnits(n)
		if !known {
			return Risk{}, false
		}
		family, freed = f, freed+u
	}
	for _, n := range in.Nodes {
		if f, u, known := nodeUnits(n); known && f == family {
			used += u
		}
	}
	var (
		units float64
		names []string
		last  time.Time
	)
	for _, res := range in.Reservations {
		if f, _, known := classUnits(res.Class); !known || f != family || !strings.EqualFold(res.ProductDescription, product) {
			continue
		}
		units += res.NormalizedUnits()
		names = append(names, res.Describe())
		if res.End.After(last) {
			last = res.End
		}
	}
	// After the change the deployment uses used − freed units; reservations beyond that are left
	// idle (unless other instances of the family use them), up to the units the change frees.
	idle := math.Min(math.Max(units-(used-freed), 0), freed)
	if units == 0 || freed == 0 || idle == 0 {
		return Risk{}, false // the single node still uses every reserved unit: the savings are real
	}
	sev, share := "low", fmt.Sprintf("%.0f%% of", 100*idle/freed)
	if idle >= freed {
		sev, share = "medium", "all of"
	}
	cover := "can cover part of"
	if units >= used {
		cover = "can cover the whole of"
	}
	until := ""
	if !last.IsZero() {
		until = " until " + last.UTC().Format("2006-01-02")
	}
	return Risk{Category: "cost", Severity: sev, Description: fmt.Sprintf(
		"Reserved DB instances of the %s family for %s (%s), %g normalized units in all, %s this deployment (%g units, %g after the change): "+
			"the change leaves %g reserved units idle, %s the %g it frees. Reservations are billed for their whole term and RDS applies them across the region's instances of the family (and the organization's, with sharing), "+
			"so the change saves money only on hours no reservation covers%s; the savings shown are at on-demand prices",
		family, product, strings.Join(names, ", "), units, cover, used, used-freed, idle, share, freed, until)}, true
}
