package sandbox

import (
	"cmp"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RDS reserved DB instances. DescribeReservedDBInstancesOfferings serves a fixed catalogue, the
// same in every sandbox: for product descriptions "postgresql" (Single-AZ and Multi-AZ) and
// "aurora-postgresql" (Single-AZ only: Aurora reservations are not Multi-AZ), every size RDS sells
// of every DB instance class family LookupClass knows, 1-year No Upfront, Partial Upfront and All
// Upfront, and 3-year Partial Upfront and All Upfront. Its prices follow the rule of offeringPrices
// (the sandbox has no price list). PurchaseReservedDBInstancesOffering records a reservation, a
// copy of the offering as bought; its State is computed from the clock on every call, as a
// blue/green deployment's status is: payment-pending for Durations.ReservationPayment, then active
// until StartTime + Duration, then retired. Nothing happens at those times (AWS has no event source
// type for reservations), so settle has no part in it. Reservations are never removed.

// Product descriptions of the catalogue (ReservedDBInstancesOffering.ProductDescription).
const (
	productPostgres = "postgresql"
	productAurora   = "aurora-postgresql"
)

// Reservation states (ReservedDBInstance.State).
const (
	riPaymentPending = "payment-pending"
	riActive         = "active"
	riRetired        = "retired"
)

// Terms in seconds (ReservedDBInstancesOffering.Duration).
const (
	oneYear    = 31536000
	threeYears = 3 * oneYear
)

// reservationTerm is a term and payment option the catalogue sells, with the price rule's
// parameters for it (offeringPrices).
type reservationTerm struct {
	duration int32   // seconds
	typ      string  // OfferingType
	cost     float64 // effective cost of the reservation / on-demand cost
	upfront  float64 // share of the effective cost in FixedPrice; the rest is the hourly charge
}

// reservationTerms are the terms and payment options of the catalogue, in catalogue order, with
// RDS's usual discounts. AWS sells No Upfront for 1 year only.
var reservationTerms = []reservationTerm{
	{oneYear, "No Upfront", 0.70, 0},
	{oneYear, "Partial Upfront", 0.65, 0.5},
	{oneYear, "All Upfront", 0.63, 1},
	{threeYears, "Partial Upfront", 0.45, 0.5},
	{threeYears, "All Upfront", 0.42, 1},
}

// Sizes RDS sells, smallest first (the RDS DB instance class tables).
var (
	burstableSizes = []string{"micro", "small", "medium", "large", "xlarge", "2xlarge"}
	standardSizes  = []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"}
)

// reservableClasses are the DB instance class families LookupClass knows and the sizes RDS sells of
// each: the classes of the catalogue. (LookupClass also accepts sizes RDS does not sell, such as
// db.m5.3xlarge, and db.serverless, which has no reservations: they have no offering.)
var reservableClasses = []struct {
	family string
	sizes  []string
}{
	{"t3", burstableSizes}, {"t4g", burstableSizes},
	{"m5", standardSizes[:8]}, {"m6g", standardSizes[:7]}, {"m6i", standardSizes}, {"m7g", standardSizes[:7]},
	{"r5", standardSizes[:8]}, {"r6g", standardSizes[:7]}, {"r6i", standardSizes}, {"r7g", standardSizes[:7]},
}

// offering is one reserved DB instance offering. A reservation keeps a copy of the one it bought,
// so that its terms are the ones of the purchase.
type offering struct {
	ID       string  `json:"offeringId"` // ReservedDBInstancesOfferingId
	Class    string  `json:"class"`
	Product  string  `json:"productDescription"`
	MultiAZ  bool    `json:"multiAZ,omitempty"`
	Duration int32   `json:"duration"` // seconds
	Type     string  `json:"offeringType"`
	Fixed    float64 `json:"fixedPrice"`  // USD, paid at the purchase
	Hourly   float64 `json:"hourlyPrice"` // USD per hour of the term: the recurring charge
}

// reservation is one reserved DB instance (a purchase of an offering).
type reservation struct {
	ID       string    `json:"id"` // ReservedDBInstanceId, as given (unique regardless of case) or generated
	Offering offering  `json:"offering"`
	Count    int32     `json:"count"`
	Start    time.Time `json:"start"`
	Paid     time.Time `json:"paid"` // when the payment completes: payment-pending → active
	LeaseID  string    `json:"leaseId"`
	Tags     []tag     `json:"tags,omitempty"`
}

// usd is an amount of US dollars, written in plain decimal notation (encoding/xml writes large and
// tiny float64s in exponent form, which AWS never does).
type usd float64

// MarshalText implements encoding.TextMarshaler.
func (u usd) MarshalText() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(u), 'f', -1, 64), nil
}

type xRecurringCharge struct {
	RecurringChargeAmount    usd    `xml:"RecurringChargeAmount"`
	RecurringChargeFrequency string `xml:"RecurringChargeFrequency"`
}

type xReservedDBInstancesOffering struct {
	ReservedDBInstancesOfferingId string             `xml:"ReservedDBInstancesOfferingId"`
	DBInstanceClass               string             `xml:"DBInstanceClass"`
	Duration                      int32              `xml:"Duration"`
	FixedPrice                    usd                `xml:"FixedPrice"`
	UsagePrice                    usd                `xml:"UsagePrice"`
	CurrencyCode                  string             `xml:"CurrencyCode"`
	ProductDescription            string             `xml:"ProductDescription"`
	OfferingType                  string             `xml:"OfferingType"`
	MultiAZ                       bool               `xml:"MultiAZ"`
	RecurringCharges              []xRecurringCharge `xml:"RecurringCharges>RecurringCharge"`
}

// xReservedDBInstance is a ReservedDBInstance: the members of its offering and its own.
type xReservedDBInstance struct {
	xReservedDBInstancesOffering
	ReservedDBInstanceId  string `xml:"ReservedDBInstanceId"`
	StartTime             string `xml:"StartTime"`
	DBInstanceCount       int32  `xml:"DBInstanceCount"`
	State                 string `xml:"State"`
	ReservedDBInstanceArn string `xml:"ReservedDBInstanceArn"`
	LeaseId               string `xml:"LeaseId"`
}

type xDescribeReservedDBInstancesOfferingsResult struct {
	Marker                       string                         `xml:"Marker,omitempty"`
	ReservedDBInstancesOfferings []xReservedDBInstancesOffering `xml:"ReservedDBInstancesOfferings>ReservedDBInstancesOffering"`
}

type xDescribeReservedDBInstancesResult struct {
	Marker              string                `xml:"Marker,omitempty"`
	ReservedDBInstances []xReservedDBInstance `xml:"ReservedDBInstances>ReservedDBInstance"`
}

type xPurchaseReservedDBInstancesOfferingResult struct {
	ReservedDBInstance xReservedDBInstance `xml:"ReservedDBInstance"`
}

func errOfferingNotFound(id string) *rdsError {
	return errf(404, "ReservedDBInstancesOfferingNotFound", "Specified offering %s does not exist.", id)
}

func errReservationNotFound(id string) *rdsError {
	return errf(404, "ReservedDBInstanceNotFound", "Reserved DB instance %s not found.", id)
}

// offeringCatalogue is the catalogue: the offerings in catalogue order (product description,
// class family and size, Single-AZ before Multi-AZ, then reservationTerms' order) and their
// positions by identifier.
type offeringCatalogue struct {
	list []offering
	byID map[string]int
}

// catalogue is the catalogue, built when the package is initialised: a class of reservableClasses
// that LookupClass does not know fails every use of the package at once rather than one request.
var catalogue = buildCatalogue()

// buildCatalogue makes the catalogue from reservableClasses and reservationTerms.
func buildCatalogue() offeringCatalogue {
	c := offeringCatalogue{byID: map[string]int{}}
	for _, product := range []string{productPostgres, productAurora} {
		for _, fam := range reservableClasses {
			for _, size := range fam.sizes {
				class := "db." + fam.family + "." + size
				spec, ok := LookupClass(class)
				if !ok {
					panic("sandbox: reservable class " + class + " is unknown to LookupClass")
				}
				for _, multiAZ := range []bool{false, true} {
					if multiAZ && product == productAurora {
						continue
					}
					for _, term := range reservationTerms {
						o := offering{Class: class, Product: product, MultiAZ: multiAZ, Duration: term.duration, Type: term.typ}
						o.ID = offeringID(o)
						o.Fixed, o.Hourly = offeringPrices(spec, product, multiAZ, term)
						c.byID[o.ID] = len(c.list)
						c.list = append(c.list, o)
					}
				}
			}
		}
	}
	return c
}

// offeringID is the ReservedDBInstancesOfferingId of o: a UUID-like string hashed from its
// attributes, so it is the same in every run of every sandbox.
func offeringID(o offering) string {
	return uuidOf(hashString(fmt.Sprintf("%s|%s|%t|%d|%s", o.Product, o.Class, o.MultiAZ, o.Duration, o.Type)))
}

// uuidOf is a UUID-like identifier (8-4-4-4-12 lower-case hex digits) made from h, in the format of
// the request ids.
func uuidOf(h uint64) string { return requestID(h) }

// onDemandHourly is the sandbox's on-demand price, in USD per hour, of one DB instance of the
// class spec for the product: 0.03 per vCPU (for a burstable class, per vCPU times its baseline
// CPU share) plus 0.01 per GiB of memory, doubled for Multi-AZ and 1.2 times that for
// aurora-postgresql. It puts db.t4g.micro at 0.016, db.t4g.large at 0.098 and db.r6g.large at 0.22,
// near RDS's us-east-1 prices for PostgreSQL.
func onDemandHourly(spec ClassSpec, product string, multiAZ bool) float64 {
	vcpu := float64(spec.VCPU)
	if spec.Burstable {
		vcpu *= spec.BaselineCPU / 100
	}
	p := 0.03*vcpu + 0.01*spec.MemoryGiB
	if multiAZ {
		p *= 2
	}
	if product == productAurora {
		p *= 1.2
	}
	return p
}

// offeringPrices is the price rule of an offering of the class spec with the term: its effective
// hourly cost is the on-demand price (onDemandHourly) times term.cost; FixedPrice is the upfront
// share of that cost over the whole term, rounded to the cent, and the hourly recurring charge the
// rest, rounded to a hundredth of a cent.
func offeringPrices(spec ClassSpec, product string, multiAZ bool, term reservationTerm) (fixed, hourly float64) {
	effective := onDemandHourly(spec, product, multiAZ) * term.cost
	hours := float64(term.duration) / 3600
	return math.Round(term.upfront*effective*hours*100) / 100, math.Round((1-term.upfront)*effective*1e4) / 1e4
}

// findOffering returns the offering of the catalogue with these attributes (years 1 or 3).
func findOffering(class, product string, multiAZ bool, years int, typ string) (offering, bool) {
	want := offering{Class: class, Product: product, MultiAZ: multiAZ, Duration: int32(years) * oneYear, Type: typ}
	return offeringByID(offeringID(want))
}

// offeringByID returns the offering with this identifier (any case).
func offeringByID(id string) (offering, bool) {
	i, ok := catalogue.byID[strings.ToLower(id)]
	if !ok {
		return offering{}, false
	}
	return catalogue.list[i], true
}

// offeringQuery holds the filter parameters DescribeReservedDBInstancesOfferings and
// DescribeReservedDBInstances share; each one given must match.
type offeringQuery struct {
	class, product, typ, offeringID string
	duration                        int32 // seconds; 0: any
	multiAZ                         *bool
	// partialProduct makes ProductDescription match the product descriptions that contain it, as
	// DescribeReservedDBInstancesOfferings documents; DescribeReservedDBInstances matches it whole.
	partialProduct bool
}

// parseOfferingQuery reads the shared filter parameters. Duration is in years (1, 3) or seconds
// (31536000, 94608000) and OfferingType one of the three payment options, as the API documents:
// other values are InvalidParameterValue. Filters, which the API says it does not support, is
// refused as any unknown filter is.
func parseOfferingQuery(f url.Values, partialProduct bool) (offeringQuery, *rdsError) {
	q := offeringQuery{class: f.Get("DBInstanceClass"), product: f.Get("ProductDescription"), typ: f.Get("OfferingType"),
		offeringID: f.Get("ReservedDBInstancesOfferingId"), partialProduct: partialProduct}
	if _, e := knownFilters(f); e != nil {
		return offeringQuery{}, e
	}
	switch d := f.Get("Duration"); d {
	case "":
	case "1", strconv.Itoa(oneYear):
		q.duration = oneYear
	case "3", strconv.Itoa(threeYears):
		q.duration = threeYears
	default:
		return offeringQuery{}, errParam("Invalid value %q for Duration. Valid values: 1 | 3 | 31536000 | 94608000.", d)
	}
	if q.typ != "" && !slices.ContainsFunc(reservationTerms, func(t reservationTerm) bool { return t.typ == q.typ }) {
		return offeringQuery{}, errParam("Invalid value %q for OfferingType. Valid values: \"Partial Upfront\" | \"All Upfront\" | \"No Upfront\".", q.typ)
	}
	multi, e := formBool(f, "MultiAZ")
	if e != nil {
		return offeringQuery{}, e
	}
	q.multiAZ = multi
	return q, nil
}

// match reports whether o passes every filter of q. Classes, product descriptions and offering
// identifiers compare regardless of case.
func (q offeringQuery) match(o offering) bool {
	product := strings.EqualFold(o.Product, q.product)
	if q.partialProduct {
		product = strings.Contains(o.Product, strings.ToLower(q.product))
	}
	return (q.class == "" || strings.EqualFold(o.Class, q.class)) &&
		(q.product == "" || product) &&
		(q.typ == "" || o.Type == q.typ) &&
		(q.offeringID == "" || strings.EqualFold(o.ID, q.offeringID)) &&
		(q.duration == 0 || o.Duration == q.duration) &&
		(q.multiAZ == nil || o.MultiAZ == *q.multiAZ)
}

// describeReservedDBInstancesOfferings lists the offerings of the catalogue that pass every
// filter, in catalogue order and paged by Marker / MaxRecords. An unknown
// ReservedDBInstancesOfferingId is ReservedDBInstancesOfferingNotFound.
func (st *rdsState) describeReservedDBInstancesOfferings(f url.Values, _ time.Time) (any, *rdsError) {
	q, e := parseOfferingQuery(f, true)
	if e != nil {
		return nil, e
	}
	if q.offeringID != "" {
		if _, ok := offeringByID(q.offeringID); !ok {
			return nil, errOfferingNotFound(q.offeringID)
		}
	}
	var sel []offering
	for _, o := range catalogue.list {
		if q.match(o) {
			sel = append(sel, o)
		}
	}
	pg, marker, e := pageSlice(f, sel)
	if e != nil {
		return nil, e
	}
	res := xDescribeReservedDBInstancesOfferingsResult{Marker: marker, ReservedDBInstancesOfferings: []xReservedDBInstancesOffering{}}
	for _, o := range pg {
		res.ReservedDBInstancesOfferings = append(res.ReservedDBInstancesOfferings, xOffering(o))
	}
	return res, nil
}

// purchaseReservedDBInstancesOffering buys DBInstanceCount (default 1) reservations of an offering
// under ReservedDBInstanceId (unique regardless of case; generated when not given). The
// reservation starts now, payment-pending for Durations.ReservationPayment.
func (st *rdsState) purchaseReservedDBInstancesOffering(f url.Values, now time.Time) (any, *rdsError) {
	oid := f.Get("ReservedDBInstancesOfferingId")
	if oid == "" {
		return nil, errParam("ReservedDBInstancesOfferingId is required.")
	}
	o, ok := offeringByID(oid)
	if !ok {
		return nil, errOfferingNotFound(oid)
	}
	count, e := formInt(f, "DBInstanceCount")
	if e != nil {
		return nil, e
	}
	n := int32(1)
	if count != nil {
		if *count < 1 {
			return nil, errParam("Invalid value %d for DBInstanceCount: it must be at least 1.", *count)
		}
		n = *count
	}
	id := f.Get("ReservedDBInstanceId")
	if _, given := f["ReservedDBInstanceId"]; given {
		if !validID(strings.ToLower(id)) {
			return nil, errParam("The parameter ReservedDBInstanceId is not a valid identifier: it must have 1 to 63 ASCII letters, digits and hyphens, begin with a letter, and must not end with a hyphen or contain two consecutive hyphens.")
		}
		if st.reservation(id) != nil {
			return nil, errf(404, "ReservedDBInstanceAlreadyExists", "Reserved DB instance %s already exists.", id)
		}
	} else {
		id = st.newReservationID(o.ID, nil)
	}
	r := st.addReservation(o, id, n, now, now.Add(st.dur.ReservationPayment), formTags(f))
	return xPurchaseReservedDBInstancesOfferingResult{ReservedDBInstance: st.xReservation(r, now)}, nil
}

// describeReservedDBInstances lists the account's reservations, every state, that pass every
// filter, in purchase order and paged by Marker / MaxRecords. An unknown ReservedDBInstanceId is
// ReservedDBInstanceNotFound; the other filters just select.
func (st *rdsState) describeReservedDBInstances(f url.Values, now time.Time) (any, *rdsError) {
	q, e := parseOfferingQuery(f, false)
	if e != nil {
		return nil, e
	}
	id, lease := f.Get("ReservedDBInstanceId"), f.Get("LeaseId")
	if id != "" && st.reservation(id) == nil {
		return nil, errReservationNotFound(id)
	}
	var sel []*reservation
	for _, r := range st.Reservations {
		if (id == "" || strings.EqualFold(r.ID, id)) && (lease == "" || strings.EqualFold(r.LeaseID, lease)) && q.match(r.Offering) {
			sel = append(sel, r)
		}
	}
	pg, marker, e := pageSlice(f, sel)
	if e != nil {
		return nil, e
	}
	res := xDescribeReservedDBInstancesResult{Marker: marker, ReservedDBInstances: []xReservedDBInstance{}}
	for _, r := range pg {
		res.ReservedDBInstances = append(res.ReservedDBInstances, st.xReservation(r, now))
	}
	return res, nil
}

// reservation returns the reservation whose ReservedDBInstanceId is id in any case, or nil.
func (st *rdsState) reservation(id string) *reservation {
	for _, r := range st.Reservations {
		if strings.EqualFold(r.ID, id) {
			return r
		}
	}
	return nil
}

// newReservationID draws a generated ReservedDBInstanceId for a reservation of the offering
// offeringID: "ri-<16 lower-case alphanumerics>", naming no reservation and not in also (lower-case
// identifiers that are spoken for).
func (st *rdsState) newReservationID(offeringID string, also map[string]bool) string {
	for {
		id := "ri-" + st.uniqueAlnum("ri:"+offeringID, 16)
		if st.reservation(id) == nil && !also[id] {
			return id
		}
	}
}

// addReservation records, after the others, a reservation id of count instances of o that starts
// at start and is paid at paid, with a new LeaseId.
func (st *rdsState) addReservation(o offering, id string, count int32, start, paid time.Time, tags []tag) *reservation {
	h, _ := st.uniqueHash("lease:" + id)
	r := &reservation{ID: id, Offering: o, Count: count, Start: start, Paid: paid, LeaseID: uuidOf(h), Tags: tags}
	st.Reservations = append(st.Reservations, r)
	return r
}

// addScenarioReservations materialises a (validated) scenario's reservations as bought before the
// clock's start now and already paid, in purchase order: earliest StartTime first.
func (st *rdsState) addScenarioReservations(specs []ReservationSpec, now time.Time) {
	explicit := map[string]bool{}
	for _, rs := range specs {
		if rs.ID != "" {
			explicit[strings.ToLower(rs.ID)] = true
		}
	}
	specs = slices.Clone(specs)
	slices.SortStableFunc(specs, func(a, b ReservationSpec) int { return cmp.Compare(b.StartAgo, a.StartAgo) })
	for _, rs := range specs {
		o, err := rs.offering()
		if err != nil {
			continue // unreachable: Start validates the scenario first
		}
		id := rs.ID
		if id == "" {
			id = st.newReservationID(o.ID, explicit)
		}
		start := now.Add(-rs.StartAgo)
		st.addReservation(o, id, rs.Count, start, start, nil)
	}
}

// offering validates the spec's terms and returns the offering of the catalogue it buys.
func (rs ReservationSpec) offering() (offering, error) {
	switch {
	case rs.ProductDescription != productPostgres && rs.ProductDescription != productAurora:
		return offering{}, fmt.Errorf("product description %q: want %q or %q", rs.ProductDescription, productPostgres, productAurora)
	case rs.MultiAZ && rs.ProductDescription == productAurora:
		return offering{}, fmt.Errorf("%s reservations are not Multi-AZ", productAurora)
	case rs.Count < 1:
		return offering{}, fmt.Errorf("count %d: want at least 1", rs.Count)
	case rs.Years != 1 && rs.Years != 3:
		return offering{}, fmt.Errorf("term of %d years: want 1 or 3", rs.Years)
	case rs.StartAgo <= 0:
		return offering{}, fmt.Errorf("StartAgo %v: the purchase must be before the scenario's start", rs.StartAgo)
	case rs.ID != "" && !validID(strings.ToLower(rs.ID)):
		return offering{}, fmt.Errorf("invalid ReservedDBInstanceId %q", rs.ID)
	}
	if _, ok := LookupClass(rs.Class); !ok {
		return offering{}, fmt.Errorf("unknown DB instance class %q", rs.Class)
	}
	o, ok := findOffering(rs.Class, rs.ProductDescription, rs.MultiAZ, rs.Years, rs.OfferingType)
	if !ok {
		return offering{}, fmt.Errorf("no %d-year %q offering for %s (%s)", rs.Years, rs.OfferingType, rs.Class, rs.ProductDescription)
	}
	return o, nil
}

// state is r's State at now: payment-pending until it is paid, active until its term has passed,
// then retired.
func (r *reservation) state(now time.Time) string {
	switch {
	case now.Before(r.Paid):
		return riPaymentPending
	case now.Before(r.Start.Add(time.Duration(r.Offering.Duration) * time.Second)):
		return riActive
	}
	return riRetired
}

// xOffering is o as the API shows it.
func xOffering(o offering) xReservedDBInstancesOffering {
	return xReservedDBInstancesOffering{ReservedDBInstancesOfferingId: o.ID, DBInstanceClass: o.Class, Duration: o.Duration,
		FixedPrice: usd(o.Fixed), CurrencyCode: "USD", ProductDescription: o.Product, OfferingType: o.Type, MultiAZ: o.MultiAZ,
		RecurringCharges: []xRecurringCharge{{RecurringChargeAmount: usd(o.Hourly), RecurringChargeFrequency: "Hourly"}}}
}

// xReservation is r as the API shows it at now.
func (st *rdsState) xReservation(r *reservation, now time.Time) xReservedDBInstance {
	return xReservedDBInstance{xReservedDBInstancesOffering: xOffering(r.Offering), ReservedDBInstanceId: r.ID,
		StartTime: ts(r.Start), DBInstanceCount: r.Count, State: r.state(now), ReservedDBInstanceArn: st.arn("ri", r.ID),
		LeaseId: r.LeaseID}
}
