package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

var (
	uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	riIDPattern = regexp.MustCompile(`^ri-[a-z0-9]{16}$`)
)

// catalogueClasses is the number of DB instance classes of the offering catalogue: the sizes RDS
// sells of db.t3 and db.t4g (6 each), db.m5 and db.r5 (8), db.m6g, db.m7g, db.r6g and db.r7g (7),
// db.m6i and db.r6i (9).
const catalogueClasses = 2*6 + 2*8 + 4*7 + 2*9

// Per class: postgresql Single-AZ and Multi-AZ, aurora-postgresql Single-AZ, each in 1-year No,
// Partial and All Upfront and 3-year Partial and All Upfront.
const offeringsPerClass = 3 * 5

// year is the 1-year term.
const year = 365 * 24 * time.Hour

// offerings describes every page of in.
func offerings(t *testing.T, rc *rds.Client, in *rds.DescribeReservedDBInstancesOfferingsInput) []rdstypes.ReservedDBInstancesOffering {
	t.Helper()
	return everyPage(t, rds.NewDescribeReservedDBInstancesOfferingsPaginator(rc, in), func(o *rds.DescribeReservedDBInstancesOfferingsOutput) []rdstypes.ReservedDBInstancesOffering {
		return o.ReservedDBInstancesOfferings
	})
}

// reservations describes every page of in.
func reservations(t *testing.T, rc *rds.Client, in *rds.DescribeReservedDBInstancesInput) []rdstypes.ReservedDBInstance {
	t.Helper()
	return everyPage(t, rds.NewDescribeReservedDBInstancesPaginator(rc, in), func(o *rds.DescribeReservedDBInstancesOutput) []rdstypes.ReservedDBInstance {
		return o.ReservedDBInstances
	})
}

// mustOffering returns the one offering with these attributes (years "1" or "3"). The
// ProductDescription filter matches partially, so "postgresql" also returns aurora-postgresql
// offerings: the exact product is picked from the result.
func mustOffering(t *testing.T, rc *rds.Client, class, product string, multiAZ bool, years, typ string) rdstypes.ReservedDBInstancesOffering {
	t.Helper()
	var hit []rdstypes.ReservedDBInstancesOffering
	for _, o := range offerings(t, rc, &rds.DescribeReservedDBInstancesOfferingsInput{DBInstanceClass: aws.String(class),
		ProductDescription: aws.String(product), MultiAZ: aws.Bool(multiAZ), Duration: aws.String(years), OfferingType: aws.String(typ)}) {
		if aws.ToString(o.ProductDescription) == product {
			hit = append(hit, o)
		}
	}
	if len(hit) != 1 {
		t.Fatalf("%d offerings %s %s multiAZ=%t %s years %s", len(hit), class, product, multiAZ, years, typ)
	}
	return hit[0]
}

// purchase buys the offering, with the options applied to the input.
func purchase(ctx context.Context, rc *rds.Client, offeringID string, opts ...func(*rds.PurchaseReservedDBInstancesOfferingInput)) (rdstypes.ReservedDBInstance, error) {
	in := &rds.PurchaseReservedDBInstancesOfferingInput{ReservedDBInstancesOfferingId: aws.String(offeringID)}
	for _, o := range opts {
		o(in)
	}
	out, err := rc.PurchaseReservedDBInstancesOffering(ctx, in)
	if err != nil {
		return rdstypes.ReservedDBInstance{}, err
	}
	return *out.ReservedDBInstance, nil
}

func mustPurchase(t *testing.T, rc *rds.Client, offeringID string, opts ...func(*rds.PurchaseReservedDBInstancesOfferingInput)) rdstypes.ReservedDBInstance {
	t.Helper()
	r, err := purchase(context.Background(), rc, offeringID, opts...)
	if err != nil {
		t.Fatalf("PurchaseReservedDBInstancesOffering(%s): %v", offeringID, err)
	}
	return r
}

// withID sets the purchase's ReservedDBInstanceId.
func withID(id string) func(*rds.PurchaseReservedDBInstancesOfferingInput) {
	return func(in *rds.PurchaseReservedDBInstancesOfferingInput) { in.ReservedDBInstanceId = aws.String(id) }
}

// offeringSummary is an offering's attributes and prices in one line.
func offeringSummary(o rdstypes.ReservedDBInstancesOffering) string {
	var charges []string
	for _, c := range o.RecurringCharges {
		charges = append(charges, fmt.Sprintf("%v/%s", aws.ToFloat64(c.RecurringChargeAmount), aws.ToString(c.RecurringChargeFrequency)))
	}
	return fmt.Sprintf("%s %s %s multiAZ=%t %ds %s fixed=%v usage=%v %s %v", aws.ToString(o.ReservedDBInstancesOfferingId),
		aws.ToString(o.DBInstanceClass), aws.ToString(o.ProductDescription), aws.ToBool(o.MultiAZ), aws.ToInt32(o.Duration),
		aws.ToString(o.OfferingType), aws.ToFloat64(o.FixedPrice), aws.ToFloat64(o.UsagePrice), aws.ToString(o.CurrencyCode), charges)
}

// termsOf is the part of a reservation that comes from its offering, as an offering.
func termsOf(r rdstypes.ReservedDBInstance) rdstypes.ReservedDBInstancesOffering {
	return rdstypes.ReservedDBInstancesOffering{ReservedDBInstancesOfferingId: r.ReservedDBInstancesOfferingId,
		DBInstanceClass: r.DBInstanceClass, Duration: r.Duration, FixedPrice: r.FixedPrice, UsagePrice: r.UsagePrice,
		CurrencyCode: r.CurrencyCode, ProductDescription: r.ProductDescription, OfferingType: r.OfferingType,
		MultiAZ: r.MultiAZ, RecurringCharges: r.RecurringCharges}
}

// reservationSummary is a reservation in one line: its own members and its offering's.
func reservationSummary(r rdstypes.ReservedDBInstance) string {
	return fmt.Sprintf("%s x%d %s %s %s %s | %s", aws.ToString(r.ReservedDBInstanceId), aws.ToInt32(r.DBInstanceCount),
		aws.ToTime(r.StartTime).Format(time.RFC3339Nano), aws.ToString(r.State), aws.ToString(r.LeaseId),
		aws.ToString(r.ReservedDBInstanceArn), offeringSummary(termsOf(r)))
}

// stateless is reservationSummary without the State, which changes with the clock.
func stateless(r rdstypes.ReservedDBInstance) string {
	r.State = nil
	return reservationSummary(r)
}

func reservationIDs(rs []rdstypes.ReservedDBInstance) []string {
	var out []string
	for _, r := range rs {
		out = append(out, aws.ToString(r.ReservedDBInstanceId))
	}
	return out
}

func reservationStates(rs []rdstypes.ReservedDBInstance) []string {
	var out []string
	for _, r := range rs {
		out = append(out, aws.ToString(r.ReservedDBInstanceId)+"="+aws.ToString(r.State))
	}
	return out
}

// The catalogue, paged through with the default page size: every class of every family
// LookupClass knows in the sizes RDS sells, the products, deployments, terms and payment options
// AWS sells, UUID-like identifiers, and prices by the documented rule, identical in another
// sandbox.
func TestReservedOfferingsCatalogue(t *testing.T) {
	_, rc := startBlueGreen(t, Options{})
	all := offerings(t, rc, &rds.DescribeReservedDBInstancesOfferingsInput{})
	if len(all) != catalogueClasses*offeringsPerClass {
		t.Fatalf("%d offerings, want %d", len(all), catalogueClasses*offeringsPerClass)
	}
	ids := map[string]bool{}
	perClass := map[string]int{}
	for _, o := range all {
		id, class, product := aws.ToString(o.ReservedDBInstancesOfferingId), aws.ToString(o.DBInstanceClass), aws.ToString(o.ProductDescription)
		typ, duration := aws.ToString(o.OfferingType), aws.ToInt32(o.Duration)
		fixed, charges := aws.ToFloat64(o.FixedPrice), o.RecurringCharges
		switch {
		case !uuidPattern.MatchString(id) || ids[id]:
			t.Errorf("offering id %q is not a new UUID-like id", id)
		case product != "postgresql" && product != "aurora-postgresql":
			t.Errorf("%s: product %q", id, product)
		case product == "aurora-postgresql" && aws.ToBool(o.MultiAZ):
			t.Errorf("%s: a Multi-AZ Aurora offering", id)
		case duration != 31536000 && duration != 94608000:
			t.Errorf("%s: duration %d", id, duration)
		case duration == 94608000 && typ == "No Upfront":
			t.Errorf("%s: 3-year No Upfront", id)
		case typ != "No Upfront" && typ != "Partial Upfront" && typ != "All Upfront":
			t.Errorf("%s: offering type %q", id, typ)
		case aws.ToString(o.CurrencyCode) != "USD" || o.UsagePrice == nil || *o.UsagePrice != 0:
			t.Errorf("%s: currency %q, usage price %v", id, aws.ToString(o.CurrencyCode), o.UsagePrice)
		case len(charges) != 1 || aws.ToString(charges[0].RecurringChargeFrequency) != "Hourly":
			t.Errorf("%s: recurring charges %s", id, offeringSummary(o))
		case (fixed == 0) != (typ == "No Upfront") || (aws.ToFloat64(charges[0].RecurringChargeAmount) == 0) != (typ == "All Upfront"):
			t.Errorf("%s: prices don't fit the payment option: %s", id, offeringSummary(o))
		}
		if _, ok := LookupClass(class); !ok {
			t.Errorf("%s: class %s unknown to LookupClass", id, class)
		}
		ids[id] = true
		perClass[class]++
	}
	if len(perClass) != catalogueClasses {
		t.Errorf("%d classes, want %d", len(perClass), catalogueClasses)
	}
	for class, n := range perClass {
		if n != offeringsPerClass {
			t.Errorf("%s: %d offerings, want %d", class, n, offeringsPerClass)
		}
	}
	// Every class of the named scenarios but db.serverless can be reserved, except the classes
	// with local NVMe storage of Multi-AZ DB clusters (db.m6gd, ...), which the catalogue leaves out.
	for _, name := range ScenarioNames {
		sc, err := ScenarioByName(strings.Replace(name, "-N", "-10", 1))
		if err != nil {
			t.Fatal(err)
		}
		var specs []InstanceSpec
		for _, c := range sc.Clusters {
			if !c.multiAZ() {
				specs = append(specs, c.Members...)
			}
		}
		for _, in := range append(specs, sc.Instances...) {
			if in.Class != "db.serverless" && perClass[in.Class] == 0 {
				t.Errorf("scenario %s: class %s of %s has no offering", name, in.Class, in.ID)
			}
		}
	}

	// The price rule: db.r6g.large (2 vCPU, 16 GiB) costs 0.03·2 + 0.01·16 = 0.22 USD an hour on
	// demand; a reservation costs 70, 65 or 63 % of that for 1 year and 45 or 42 % for 3 years, the
	// upfront share in FixedPrice. Multi-AZ doubles it, Aurora adds 20 %, and a burstable class
	// counts its vCPUs at their baseline (db.t4g.micro: 0.03·2·10 % + 0.01·1 = 0.016).
	for _, c := range []struct {
		class, product string
		multiAZ        bool
		years, typ     string
		fixed, hourly  float64
	}{
		{"db.r6g.large", "postgresql", false, "1", "No Upfront", 0, 0.154},
		{"db.r6g.large", "postgresql", false, "1", "Partial Upfront", 626.34, 0.0715},
		{"db.r6g.large", "postgresql", false, "1", "All Upfront", 1214.14, 0},
		{"db.r6g.large", "postgresql", false, "3", "Partial Upfront", 1300.86, 0.0495},
		{"db.r6g.large", "postgresql", false, "3", "All Upfront", 2428.27, 0},
		{"db.r6g.large", "postgresql", true, "1", "Partial Upfront", 1252.68, 0.143},
		{"db.r6g.large", "aurora-postgresql", false, "1", "No Upfront", 0, 0.1848},
		{"db.t4g.micro", "postgresql", false, "1", "No Upfront", 0, 0.0112},
	} {
		o := mustOffering(t, rc, c.class, c.product, c.multiAZ, c.years, c.typ)
		if aws.ToFloat64(o.FixedPrice) != c.fixed || aws.ToFloat64(o.RecurringCharges[0].RecurringChargeAmount) != c.hourly {
			t.Errorf("%s %s multiAZ=%t %s years %s: %s, want fixed %v hourly %v", c.class, c.product, c.multiAZ, c.years, c.typ,
				offeringSummary(o), c.fixed, c.hourly)
		}
	}

	// Another sandbox, with another scenario and clock, serves the same catalogue.
	_, rc2 := startBlueGreen(t, Options{ScenarioName: "busy", Now: ScenarioEpoch.Add(1000 * time.Hour)})
	other := offerings(t, rc2, &rds.DescribeReservedDBInstancesOfferingsInput{MaxRecords: aws.Int32(100)})
	if len(other) != len(all) {
		t.Fatalf("the other sandbox has %d offerings", len(other))
	}
	for i := range all {
		if a, b := offeringSummary(all[i]), offeringSummary(other[i]); a != b {
			t.Fatalf("offering %d differs between sandboxes: %s / %s", i, a, b)
		}
	}
}

// Each filter of DescribeReservedDBInstancesOfferings, alone and combined, and paging by 20.
func TestReservedOfferingsFiltersAndPaging(t *testing.T) {
	_, rc := startBlueGreen(t, Options{})
	ctx := context.Background()
	one := mustOffering(t, rc, "db.m6i.32xlarge", "postgresql", true, "3", "All Upfront")
	type in = rds.DescribeReservedDBInstancesOfferingsInput
	for _, c := range []struct {
		name string
		in   *in
		want int
		each func(rdstypes.ReservedDBInstancesOffering) bool
	}{
		{"class", &in{DBInstanceClass: aws.String("db.r6g.large")}, offeringsPerClass,
			func(o rdstypes.ReservedDBInstancesOffering) bool {
				return aws.ToString(o.DBInstanceClass) == "db.r6g.large"
			}},
		{"class not sold", &in{DBInstanceClass: aws.String("db.m5.3xlarge")}, 0, nil},
		{"serverless", &in{DBInstanceClass: aws.String("db.serverless")}, 0, nil},
		{"duration 1", &in{Duration: aws.String("1")}, catalogueClasses * 9,
			func(o rdstypes.ReservedDBInstancesOffering) bool { return aws.ToInt32(o.Duration) == 31536000 }},
		{"duration 31536000", &in{Duration: aws.String("31536000")}, catalogueClasses * 9, nil},
		{"duration 3", &in{Duration: aws.String("3")}, catalogueClasses * 6,
			func(o rdstypes.ReservedDBInstancesOffering) bool { return aws.ToInt32(o.Duration) == 94608000 }},
		{"duration 94608000", &in{Duration: aws.String("94608000")}, catalogueClasses * 6, nil},
		{"Multi-AZ", &in{MultiAZ: aws.Bool(true)}, catalogueClasses * 5,
			func(o rdstypes.ReservedDBInstancesOffering) bool {
				return aws.ToBool(o.MultiAZ) && aws.ToString(o.ProductDescription) == "postgresql"
			}},
		{"Single-AZ", &in{MultiAZ: aws.Bool(false)}, catalogueClasses * 10,
			func(o rdstypes.ReservedDBInstancesOffering) bool { return !aws.ToBool(o.MultiAZ) }},
		{"No Upfront", &in{OfferingType: aws.String("No Upfront")}, catalogueClasses * 3,
			func(o rdstypes.ReservedDBInstancesOffering) bool {
				return aws.ToString(o.OfferingType) == "No Upfront" && aws.ToInt32(o.Duration) == 31536000
			}},
		{"All Upfront", &in{OfferingType: aws.String("All Upfront")}, catalogueClasses * 6, nil},
		{"product matches partially", &in{ProductDescription: aws.String("postgresql")}, catalogueClasses * offeringsPerClass, nil},
		{"aurora", &in{ProductDescription: aws.String("Aurora")}, catalogueClasses * 5,
			func(o rdstypes.ReservedDBInstancesOffering) bool {
				return aws.ToString(o.ProductDescription) == "aurora-postgresql"
			}},
		{"another engine", &in{ProductDescription: aws.String("mysql")}, 0, nil},
		{"offering id", &in{ReservedDBInstancesOfferingId: aws.String(strings.ToUpper(aws.ToString(one.ReservedDBInstancesOfferingId)))}, 1,
			func(o rdstypes.ReservedDBInstancesOffering) bool { return offeringSummary(o) == offeringSummary(one) }},
		{"offering id and another class", &in{ReservedDBInstancesOfferingId: one.ReservedDBInstancesOfferingId, DBInstanceClass: aws.String("db.r6g.large")}, 0, nil},
		{"all combined", &in{DBInstanceClass: aws.String("db.t4g.medium"), ProductDescription: aws.String("aurora-postgresql"),
			MultiAZ: aws.Bool(false), Duration: aws.String("3"), OfferingType: aws.String("Partial Upfront")}, 1,
			func(o rdstypes.ReservedDBInstancesOffering) bool {
				return aws.ToString(o.DBInstanceClass) == "db.t4g.medium" && aws.ToString(o.ProductDescription) == "aurora-postgresql" &&
					aws.ToInt32(o.Duration) == 94608000 && aws.ToString(o.OfferingType) == "Partial Upfront"
			}},
	} {
		got := offerings(t, rc, c.in)
		if len(got) != c.want {
			t.Errorf("%s: %d offerings, want %d", c.name, len(got), c.want)
		}
		for _, o := range got {
			if c.each != nil && !c.each(o) {
				t.Errorf("%s: %s does not match", c.name, offeringSummary(o))
				break
			}
		}
	}

	// Pages of 20 give the default pages' offerings in the same order; the last page has no Marker.
	all := offerings(t, rc, &in{})
	small := offerings(t, rc, &in{MaxRecords: aws.Int32(20)})
	if len(small) != len(all) {
		t.Fatalf("%d offerings in pages of 20, %d in pages of 100", len(small), len(all))
	}
	for i := range all {
		if offeringSummary(all[i]) != offeringSummary(small[i]) {
			t.Fatalf("offering %d differs between page sizes", i)
		}
	}
	first, err := rc.DescribeReservedDBInstancesOfferings(ctx, &in{MaxRecords: aws.Int32(20), DBInstanceClass: aws.String("db.r6g.large")})
	if err != nil || len(first.ReservedDBInstancesOfferings) != 15 || first.Marker != nil {
		t.Fatalf("one page of a class: %v %d offerings, marker %v", err, len(first.ReservedDBInstancesOfferings), first.Marker)
	}
	first, err = rc.DescribeReservedDBInstancesOfferings(ctx, &in{MaxRecords: aws.Int32(20)})
	if err != nil || len(first.ReservedDBInstancesOfferings) != 20 || first.Marker == nil {
		t.Fatalf("first page of 20: %v", err)
	}
	second, err := rc.DescribeReservedDBInstancesOfferings(ctx, &in{MaxRecords: aws.Int32(20), Marker: first.Marker})
	if err != nil || offeringSummary(second.ReservedDBInstancesOfferings[0]) != offeringSummary(all[20]) {
		t.Fatalf("second page of 20: %v", err)
	}
}

// A purchase is payment-pending, active after Durations.ReservationPayment and retired once its
// term has passed on the clock, without further calls; it carries its offering's terms and takes
// tag calls by its ARN.
func TestReservedPurchaseLifecycle(t *testing.T) {
	srv, rc := startBlueGreen(t, Options{})
	ctx := context.Background()
	o := mustOffering(t, rc, "db.t4g.large", "postgresql", true, "1", "Partial Upfront")
	t0 := srv.Now()
	r := mustPurchase(t, rc, aws.ToString(o.ReservedDBInstancesOfferingId), withID("Mandible-RI"), func(in *rds.PurchaseReservedDBInstancesOfferingInput) {
		in.DBInstanceCount = aws.Int32(2)
		in.Tags = []rdstypes.Tag{{Key: aws.String("team"), Value: aws.String("dba")}}
	})
	if aws.ToString(r.ReservedDBInstanceId) != "Mandible-RI" || aws.ToInt32(r.DBInstanceCount) != 2 ||
		!aws.ToTime(r.StartTime).Equal(t0) || aws.ToString(r.State) != "payment-pending" ||
		!uuidPattern.MatchString(aws.ToString(r.LeaseId)) || aws.ToString(r.ReservedDBInstanceArn) != demoARN("ri", "Mandible-RI") {
		t.Fatalf("purchased %s", reservationSummary(r))
	}
	if got, want := offeringSummary(termsOf(r)), offeringSummary(o); got != want {
		t.Fatalf("terms %s, want the offering's %s", got, want)
	}
	tags, err := rc.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: r.ReservedDBInstanceArn})
	if err != nil || fmt.Sprint(tagMap(tags.TagList)) != "map[team:dba]" {
		t.Fatalf("ListTagsForResource: %v %v", err, tags)
	}
	if _, err := rc.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: r.ReservedDBInstanceArn,
		Tags: []rdstypes.Tag{{Key: aws.String("cost-centre"), Value: aws.String("42")}}}); err != nil {
		t.Fatal(err)
	}
	if tags, err := rc.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: r.ReservedDBInstanceArn}); err != nil || len(tags.TagList) != 2 {
		t.Fatalf("tags after AddTagsToResource: %v %v", err, tags)
	}

	state := func() string {
		t.Helper()
		rs := reservations(t, rc, &rds.DescribeReservedDBInstancesInput{ReservedDBInstanceId: aws.String("mandible-ri")})
		if len(rs) != 1 {
			t.Fatalf("%d reservations mandible-ri", len(rs))
		}
		if a, b := stateless(rs[0]), stateless(r); a != b {
			t.Fatalf("described %s, purchased %s", a, b)
		}
		return aws.ToString(rs[0].State)
	}
	for _, c := range []struct {
		at   time.Duration // after the purchase
		want string
	}{
		{DefaultDurations.ReservationPayment - time.Second, "payment-pending"},
		{DefaultDurations.ReservationPayment, "active"},
		{year - time.Second, "active"},
		{year, "retired"},
		{3 * year, "retired"},
	} {
		srv.Advance(t0.Add(c.at).Sub(srv.Now()))
		if got := state(); got != c.want {
			t.Errorf("%v after the purchase: %s, want %s", c.at, got, c.want)
		}
	}

	// Without ReservedDBInstanceId and DBInstanceCount: a generated identifier, one instance.
	a := mustPurchase(t, rc, aws.ToString(o.ReservedDBInstancesOfferingId))
	b := mustPurchase(t, rc, aws.ToString(o.ReservedDBInstancesOfferingId))
	if !riIDPattern.MatchString(aws.ToString(a.ReservedDBInstanceId)) || aws.ToString(a.ReservedDBInstanceId) == aws.ToString(b.ReservedDBInstanceId) ||
		aws.ToString(a.LeaseId) == aws.ToString(b.LeaseId) || aws.ToInt32(a.DBInstanceCount) != 1 || aws.ToString(a.State) != "payment-pending" {
		t.Fatalf("default purchases %s / %s", reservationSummary(a), reservationSummary(b))
	}
	// The request log holds the purchases.
	if calls := srv.Calls("PurchaseReservedDBInstancesOffering"); len(calls) != 3 || calls[0].Params["ReservedDBInstanceId"] != "Mandible-RI" {
		t.Errorf("logged purchases %+v", calls)
	}
}

// DescribeReservedDBInstances lists every reservation, whatever its state, in purchase order;
// each filter selects, and pages of 20 follow the same order.
func TestReservedDescribeFiltersAndPaging(t *testing.T) {
	srv, rc := startBlueGreen(t, Options{})
	pg1 := mustOffering(t, rc, "db.r6g.large", "postgresql", false, "1", "No Upfront")
	pg3 := mustOffering(t, rc, "db.r6g.large", "postgresql", true, "3", "All Upfront")
	au1 := mustOffering(t, rc, "db.r6g.large", "aurora-postgresql", false, "1", "Partial Upfront")
	t4 := mustOffering(t, rc, "db.t4g.medium", "aurora-postgresql", false, "3", "Partial Upfront")
	sequence := []rdstypes.ReservedDBInstancesOffering{pg1, pg3, au1, t4}
	var want []string
	for i := range 25 { // identifiers in reverse, so that purchase order is not identifier order
		id := fmt.Sprintf("ri-%02d", 24-i)
		mustPurchase(t, rc, aws.ToString(sequence[i%4].ReservedDBInstancesOfferingId), withID(id))
		want = append(want, id)
		if i == 0 {
			srv.Advance(year) // the first is retired by the time the others are bought
		}
	}
	srv.Advance(DefaultDurations.ReservationPayment)
	last := mustPurchase(t, rc, aws.ToString(pg1.ReservedDBInstancesOfferingId), withID("latest"))
	want = append(want, "latest")

	first, err := rc.DescribeReservedDBInstances(context.Background(), &rds.DescribeReservedDBInstancesInput{MaxRecords: aws.Int32(20)})
	if err != nil || len(first.ReservedDBInstances) != 20 || first.Marker == nil {
		t.Fatalf("first page of 20: %v", err)
	}
	all := reservations(t, rc, &rds.DescribeReservedDBInstancesInput{MaxRecords: aws.Int32(20)})
	if got := reservationIDs(all); !slices.Equal(got, want) {
		t.Fatalf("over pages of 20: %v, want %v", got, want)
	}
	if got := reservations(t, rc, &rds.DescribeReservedDBInstancesInput{}); len(got) != 26 {
		t.Fatalf("%d reservations in one default page", len(got))
	}
	if got := reservationStates(all); got[0] != "ri-24=retired" || got[1] != "ri-23=active" || got[25] != "latest=payment-pending" {
		t.Fatalf("states %v", got)
	}

	lease := aws.ToString(all[5].LeaseId)
	type in = rds.DescribeReservedDBInstancesInput
	for _, c := range []struct {
		name string
		in   *in
		want []string
	}{
		{"identifier", &in{ReservedDBInstanceId: aws.String("RI-07")}, []string{"ri-07"}},
		{"lease", &in{LeaseId: aws.String(lease)}, want[5:6]},
		{"unknown lease", &in{LeaseId: aws.String("00000000-0000-0000-0000-000000000000")}, nil},
		{"class", &in{DBInstanceClass: aws.String("db.t4g.medium")}, []string{"ri-21", "ri-17", "ri-13", "ri-09", "ri-05", "ri-01"}},
		{"duration 3", &in{Duration: aws.String("3")}, []string{"ri-23", "ri-21", "ri-19", "ri-17", "ri-15", "ri-13", "ri-11", "ri-09", "ri-07", "ri-05", "ri-03", "ri-01"}},
		{"duration in seconds", &in{Duration: aws.String("94608000"), DBInstanceClass: aws.String("db.r6g.large")}, []string{"ri-23", "ri-19", "ri-15", "ri-11", "ri-07", "ri-03"}},
		{"Multi-AZ", &in{MultiAZ: aws.Bool(true)}, []string{"ri-23", "ri-19", "ri-15", "ri-11", "ri-07", "ri-03"}},
		{"offering type", &in{OfferingType: aws.String("No Upfront")}, []string{"ri-24", "ri-20", "ri-16", "ri-12", "ri-08", "ri-04", "ri-00", "latest"}},
		{"product matches whole", &in{ProductDescription: aws.String("postgresql"), Duration: aws.String("1")}, []string{"ri-24", "ri-20", "ri-16", "ri-12", "ri-08", "ri-04", "ri-00", "latest"}},
		{"aurora", &in{ProductDescription: aws.String("aurora-postgresql"), Duration: aws.String("1")}, []string{"ri-22", "ri-18", "ri-14", "ri-10", "ri-06", "ri-02"}},
		{"offering", &in{ReservedDBInstancesOfferingId: t4.ReservedDBInstancesOfferingId}, []string{"ri-21", "ri-17", "ri-13", "ri-09", "ri-05", "ri-01"}},
		{"unknown offering", &in{ReservedDBInstancesOfferingId: aws.String("00000000-0000-0000-0000-000000000000")}, nil},
		{"identifier and another filter", &in{ReservedDBInstanceId: aws.String("latest"), MultiAZ: aws.Bool(true)}, nil},
		{"identifier and its filters", &in{ReservedDBInstanceId: aws.String("latest"), LeaseId: last.LeaseId, OfferingType: aws.String("No Upfront")}, []string{"latest"}},
	} {
		if got := reservationIDs(reservations(t, rc, c.in)); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// Every refusal, as the SDK's typed error where the SDK has one; none changes the state.
func TestReservedErrors(t *testing.T) {
	_, rc := startBlueGreen(t, Options{})
	ctx := context.Background()
	o := aws.ToString(mustOffering(t, rc, "db.r6g.large", "postgresql", false, "1", "No Upfront").ReservedDBInstancesOfferingId)
	mustPurchase(t, rc, o, withID("taken"))

	buy := func(offering string, opts ...func(*rds.PurchaseReservedDBInstancesOfferingInput)) func() error {
		return func() error { _, err := purchase(ctx, rc, offering, opts...); return err }
	}
	count := func(n int32) func(*rds.PurchaseReservedDBInstancesOfferingInput) {
		return func(in *rds.PurchaseReservedDBInstancesOfferingInput) { in.DBInstanceCount = aws.Int32(n) }
	}
	catalogue := func(in *rds.DescribeReservedDBInstancesOfferingsInput) func() error {
		return func() error { _, err := rc.DescribeReservedDBInstancesOfferings(ctx, in); return err }
	}
	describe := func(in *rds.DescribeReservedDBInstancesInput) func() error {
		return func() error { _, err := rc.DescribeReservedDBInstances(ctx, in); return err }
	}
	filters := []rdstypes.Filter{{Name: aws.String("db-instance-class"), Values: []string{"db.r6g.large"}}}
	for _, c := range []struct {
		name  string
		call  func() error
		code  string
		typed func(error) bool // nil: the SDK has no type for code
	}{
		{"unknown offering", buy("438012d3-4052-4cc7-b2e3-8d3372e0e706"), "ReservedDBInstancesOfferingNotFound", isErr[*rdstypes.ReservedDBInstancesOfferingNotFoundFault]},
		{"empty offering", buy(""), "InvalidParameterValue", nil},
		{"identifier taken", buy(o, withID("TAKEN")), "ReservedDBInstanceAlreadyExists", isErr[*rdstypes.ReservedDBInstanceAlreadyExistsFault]},
		{"empty identifier", buy(o, withID("")), "InvalidParameterValue", nil},
		{"identifier starting with a digit", buy(o, withID("1ri")), "InvalidParameterValue", nil},
		{"identifier with two hyphens", buy(o, withID("ri--x")), "InvalidParameterValue", nil},
		{"identifier with an underscore", buy(o, withID("ri_x")), "InvalidParameterValue", nil},
		{"identifier of 64 characters", buy(o, withID(strings.Repeat("r", 64))), "InvalidParameterValue", nil},
		{"count 0", buy(o, count(0)), "InvalidParameterValue", nil},
		{"negative count", buy(o, count(-1)), "InvalidParameterValue", nil},
		{"describe unknown offering", catalogue(&rds.DescribeReservedDBInstancesOfferingsInput{ReservedDBInstancesOfferingId: aws.String("nope")}),
			"ReservedDBInstancesOfferingNotFound", isErr[*rdstypes.ReservedDBInstancesOfferingNotFoundFault]},
		{"offerings of 2 years", catalogue(&rds.DescribeReservedDBInstancesOfferingsInput{Duration: aws.String("2")}), "InvalidParameterValue", nil},
		{"offerings of 12 months", catalogue(&rds.DescribeReservedDBInstancesOfferingsInput{Duration: aws.String("12")}), "InvalidParameterValue", nil},
		{"legacy offering type", catalogue(&rds.DescribeReservedDBInstancesOfferingsInput{OfferingType: aws.String("Heavy Utilization")}), "InvalidParameterValue", nil},
		{"offering Filters", catalogue(&rds.DescribeReservedDBInstancesOfferingsInput{Filters: filters}), "InvalidParameterValue", nil},
		{"offerings MaxRecords below 20", catalogue(&rds.DescribeReservedDBInstancesOfferingsInput{MaxRecords: aws.Int32(19)}), "InvalidParameterValue", nil},
		{"offerings MaxRecords above 100", catalogue(&rds.DescribeReservedDBInstancesOfferingsInput{MaxRecords: aws.Int32(101)}), "InvalidParameterValue", nil},
		{"offerings bad Marker", catalogue(&rds.DescribeReservedDBInstancesOfferingsInput{Marker: aws.String("%%")}), "InvalidParameterValue", nil},
		{"describe unknown reservation", describe(&rds.DescribeReservedDBInstancesInput{ReservedDBInstanceId: aws.String("nope")}),
			"ReservedDBInstanceNotFound", isErr[*rdstypes.ReservedDBInstanceNotFoundFault]},
		{"reservations of 2 years", describe(&rds.DescribeReservedDBInstancesInput{Duration: aws.String("2")}), "InvalidParameterValue", nil},
		{"reservations offering type", describe(&rds.DescribeReservedDBInstancesInput{OfferingType: aws.String("Light Utilization")}), "InvalidParameterValue", nil},
		{"reservation Filters", describe(&rds.DescribeReservedDBInstancesInput{Filters: filters}), "InvalidParameterValue", nil},
		{"reservations MaxRecords below 20", describe(&rds.DescribeReservedDBInstancesInput{MaxRecords: aws.Int32(19)}), "InvalidParameterValue", nil},
		{"tags of an unknown reservation", func() error {
			_, err := rc.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String(demoARN("ri", "nope"))})
			return err
		}, "ReservedDBInstanceNotFound", isErr[*rdstypes.ReservedDBInstanceNotFoundFault]},
	} {
		err := c.call()
		if apiCode(err) != c.code || (c.typed != nil && !c.typed(err)) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if got := reservationIDs(reservations(t, rc, &rds.DescribeReservedDBInstancesInput{})); !slices.Equal(got, []string{"taken"}) {
		t.Errorf("reservations after the refusals: %v", got)
	}
}

// reservedScenario is the demo fleet with reservations bought before the clock's start: one 200
// days ago, two 400 days ago (a 3-year one still active, a 1-year one retired) and one seconds ago,
// already paid like every scenario reservation.
func reservedScenario() *Scenario {
	sc := Demo()
	sc.Name = "reserved"
	sc.Reservations = []ReservationSpec{
		{ID: "mandible-1y", Class: "db.t4g.large", ProductDescription: "postgresql", MultiAZ: true, Count: 1, Years: 1,
			OfferingType: "All Upfront", StartAgo: 200 * 24 * time.Hour},
		{Class: "db.t4g.medium", ProductDescription: "aurora-postgresql", Count: 2, Years: 3, OfferingType: "Partial Upfront",
			StartAgo: 400 * 24 * time.Hour},
		{ID: "Expired", Class: "db.t4g.medium", ProductDescription: "aurora-postgresql", Count: 2, Years: 1,
			OfferingType: "No Upfront", StartAgo: 400 * 24 * time.Hour},
		{ID: "just-bought", Class: "db.r6g.large", ProductDescription: "postgresql", Count: 1, Years: 1,
			OfferingType: "No Upfront", StartAgo: 10 * time.Second},
	}
	return sc
}

// A scenario's reservations are there at the start, in purchase order, paid, with the terms of
// their offerings; they age on the clock like purchased ones, and the same scenario gives the same
// identifiers. The demo has none.
func TestReservedScenario(t *testing.T) {
	srv, rc := startBlueGreen(t, Options{Scenario: reservedScenario()})
	t0 := srv.Now()
	got := reservations(t, rc, &rds.DescribeReservedDBInstancesInput{})
	if len(got) != 4 {
		t.Fatalf("%d reservations", len(got))
	}
	generated := aws.ToString(got[0].ReservedDBInstanceId)
	if !riIDPattern.MatchString(generated) {
		t.Errorf("generated identifier %q", generated)
	}
	if states := reservationStates(got); !slices.Equal(states, []string{generated + "=active", "Expired=retired", "mandible-1y=active", "just-bought=active"}) {
		t.Errorf("states in purchase order %v", states)
	}
	for i, c := range []struct {
		ago                 time.Duration
		class, product, typ string
		multiAZ             bool
		years               string
		count               int32
	}{
		{400 * 24 * time.Hour, "db.t4g.medium", "aurora-postgresql", "Partial Upfront", false, "3", 2},
		{400 * 24 * time.Hour, "db.t4g.medium", "aurora-postgresql", "No Upfront", false, "1", 2},
		{200 * 24 * time.Hour, "db.t4g.large", "postgresql", "All Upfront", true, "1", 1},
		{10 * time.Second, "db.r6g.large", "postgresql", "No Upfront", false, "1", 1},
	} {
		r := got[i]
		o := mustOffering(t, rc, c.class, c.product, c.multiAZ, c.years, c.typ)
		if !aws.ToTime(r.StartTime).Equal(t0.Add(-c.ago)) || aws.ToInt32(r.DBInstanceCount) != c.count ||
			offeringSummary(termsOf(r)) != offeringSummary(o) || !uuidPattern.MatchString(aws.ToString(r.LeaseId)) ||
			aws.ToString(r.ReservedDBInstanceArn) != demoARN("ri", aws.ToString(r.ReservedDBInstanceId)) {
			t.Errorf("reservation %d: %s", i, reservationSummary(r))
		}
	}
	// The 1-year reservation bought 200 days before the start retires 165 days after it.
	srv.Advance(165*24*time.Hour - time.Second)
	if rs := reservations(t, rc, &rds.DescribeReservedDBInstancesInput{ReservedDBInstanceId: aws.String("mandible-1y")}); aws.ToString(rs[0].State) != "active" {
		t.Errorf("a second before the end of its term: %s", aws.ToString(rs[0].State))
	}
	srv.Advance(time.Second)
	if rs := reservations(t, rc, &rds.DescribeReservedDBInstancesInput{ReservedDBInstanceId: aws.String("mandible-1y")}); aws.ToString(rs[0].State) != "retired" {
		t.Errorf("at the end of its term: %s", aws.ToString(rs[0].State))
	}

	_, rc2 := startBlueGreen(t, Options{Scenario: reservedScenario()})
	again := reservations(t, rc2, &rds.DescribeReservedDBInstancesInput{})
	for i := range again {
		if a, b := stateless(again[i]), stateless(got[i]); a != b {
			t.Errorf("the same scenario again: %s, first %s", a, b)
		}
	}
	// A generated identifier avoids those the scenario gives, even one it would otherwise draw.
	sc := reservedScenario()
	sc.Reservations[3].ID = generated
	_, rc3 := startBlueGreen(t, Options{Scenario: sc})
	ids := reservationIDs(reservations(t, rc3, &rds.DescribeReservedDBInstancesInput{}))
	if len(ids) != 4 || !riIDPattern.MatchString(ids[0]) || ids[0] == generated || ids[3] != generated {
		t.Errorf("identifiers with %s given to the last: %v", generated, ids)
	}
	_, demo := startBlueGreen(t, Options{})
	if rs := reservations(t, demo, &rds.DescribeReservedDBInstancesInput{}); len(rs) != 0 {
		t.Errorf("the demo scenario has %d reservations", len(rs))
	}
}

// Validate refuses a reservation no offering matches, and Start a scenario Validate refuses.
func TestReservationSpecValidate(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*ReservationSpec)
		want   string // in the error; "" for valid
	}{
		{"valid", func(*ReservationSpec) {}, ""},
		{"3-year All Upfront Aurora", func(r *ReservationSpec) {
			r.ProductDescription, r.Years, r.OfferingType = "aurora-postgresql", 3, "All Upfront"
		}, ""},
		{"another engine", func(r *ReservationSpec) { r.ProductDescription = "mysql" }, "product description"},
		{"no product", func(r *ReservationSpec) { r.ProductDescription = "" }, "product description"},
		{"Multi-AZ Aurora", func(r *ReservationSpec) { r.ProductDescription, r.MultiAZ = "aurora-postgresql", true }, "not Multi-AZ"},
		{"count 0", func(r *ReservationSpec) { r.Count = 0 }, "count 0"},
		{"2 years", func(r *ReservationSpec) { r.Years = 2 }, "term of 2 years"},
		{"no term", func(r *ReservationSpec) { r.Years = 0 }, "term of 0 years"},
		{"bought at the start", func(r *ReservationSpec) { r.StartAgo = 0 }, "before the scenario's start"},
		{"bought after the start", func(r *ReservationSpec) { r.StartAgo = -time.Hour }, "before the scenario's start"},
		{"unknown class", func(r *ReservationSpec) { r.Class = "db.x9.large" }, `unknown DB instance class "db.x9.large"`},
		{"size RDS does not sell", func(r *ReservationSpec) { r.Class = "db.m5.3xlarge" }, "no 1-year"},
		{"serverless", func(r *ReservationSpec) { r.Class = "db.serverless" }, "no 1-year"},
		{"legacy offering type", func(r *ReservationSpec) { r.OfferingType = "Heavy Utilization" }, "no 1-year"},
		{"3-year No Upfront", func(r *ReservationSpec) { r.Years, r.OfferingType = 3, "No Upfront" }, `no 3-year "No Upfront"`},
		{"invalid identifier", func(r *ReservationSpec) { r.ID = "1ri" }, "invalid ReservedDBInstanceId"},
	} {
		sc := reservedScenario()
		c.change(&sc.Reservations[2])
		err := sc.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "Reservations[2]")):
			t.Errorf("%s: error %v, want one about Reservations[2] containing %q", c.name, err, c.want)
		}
	}
	sc := reservedScenario()
	sc.Reservations[3].ID = "EXPIRED"
	if err := sc.Validate(); err == nil || !strings.Contains(err.Error(), `duplicate ReservedDBInstanceId "EXPIRED"`) {
		t.Errorf("duplicate identifier: %v", err)
	}
	if srv, err := Start(Options{Scenario: sc}); err == nil {
		_ = srv.Close()
		t.Error("Start accepted a scenario Validate refuses")
	}
}

// Reservations are part of the state file, written after each purchase; a file written before any
// (without the field) loads, and a restored purchase turns active when it was due, whatever the
// restarted sandbox's Durations.
func TestReservedStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	srv, _ := startBlueGreen(t, Options{StateFile: path})
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || strings.Contains(string(b), `"reservations"`) {
		t.Fatalf("state file without reservations: %v", err)
	}

	srv2, rc2 := startBlueGreen(t, Options{StateFile: path})
	o := mustOffering(t, rc2, "db.r6g.large", "aurora-postgresql", false, "3", "All Upfront")
	r := mustPurchase(t, rc2, aws.ToString(o.ReservedDBInstancesOfferingId), withID("sso"), func(in *rds.PurchaseReservedDBInstancesOfferingInput) {
		in.Tags = []rdstypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}
	})
	if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), aws.ToString(r.LeaseId)) {
		t.Fatalf("state file after PurchaseReservedDBInstancesOffering: %v", err)
	}
	if err := srv2.Close(); err != nil {
		t.Fatal(err)
	}

	srv3, rc3 := startBlueGreen(t, Options{StateFile: path, Durations: Durations{ReservationPayment: time.Hour}})
	got := reservations(t, rc3, &rds.DescribeReservedDBInstancesInput{})
	if len(got) != 1 || reservationSummary(got[0]) != reservationSummary(r) {
		t.Fatalf("restored %v, want %s", reservationIDs(got), reservationSummary(r))
	}
	tags, err := rc3.ListTagsForResource(context.Background(), &rds.ListTagsForResourceInput{ResourceName: r.ReservedDBInstanceArn})
	if err != nil || fmt.Sprint(tagMap(tags.TagList)) != "map[k:v]" {
		t.Fatalf("restored tags: %v %v", err, tags)
	}
	srv3.Advance(DefaultDurations.ReservationPayment)
	if got := reservations(t, rc3, &rds.DescribeReservedDBInstancesInput{}); aws.ToString(got[0].State) != "active" {
		t.Fatalf("restored purchase after its payment time: %s", aws.ToString(got[0].State))
	}
	// A new purchase takes the restarted sandbox's payment time.
	n := mustPurchase(t, rc3, aws.ToString(o.ReservedDBInstancesOfferingId))
	srv3.Advance(time.Hour - time.Second)
	if got := reservations(t, rc3, &rds.DescribeReservedDBInstancesInput{ReservedDBInstanceId: n.ReservedDBInstanceId}); aws.ToString(got[0].State) != "payment-pending" {
		t.Fatalf("new purchase before Durations.ReservationPayment: %s", aws.ToString(got[0].State))
	}
}

// The new actions go through the shared RDS path: fault injection, the request log and the
// signature check.
func TestReservedFaultsLogAndSignature(t *testing.T) {
	srv, rc := startBlueGreen(t, Options{})
	ctx := context.Background()
	o := aws.ToString(mustOffering(t, rc, "db.r6g.large", "postgresql", false, "1", "No Upfront").ReservedDBInstancesOfferingId)

	srv.InjectSequence("PurchaseReservedDBInstancesOffering", FaultThrottling)
	in := &rds.PurchaseReservedDBInstancesOfferingInput{ReservedDBInstancesOfferingId: aws.String(o), ReservedDBInstanceId: aws.String("ri")}
	if _, err := rc.PurchaseReservedDBInstancesOffering(ctx, in, apiNoRetry); apiCode(err) != "Throttling" {
		t.Fatalf("throttled purchase: %v", err)
	}
	if _, err := rc.PurchaseReservedDBInstancesOffering(ctx, in, apiNoRetry); err != nil {
		t.Fatalf("after the fault: %v", err)
	}
	calls := srv.Calls("PurchaseReservedDBInstancesOffering")
	if len(calls) != 2 || calls[0].ErrorCode != "Throttling" || calls[0].Fault == "" || calls[1].Status != 200 ||
		calls[1].Params["ReservedDBInstancesOfferingId"] != o || calls[1].Params["ReservedDBInstanceId"] != "ri" {
		t.Fatalf("logged calls %+v", calls)
	}

	srv.InjectFaults(FaultRule{Operation: "rds:DescribeReservedDBInstances", Sequence: []Fault{{Kind: FaultError, Code: "AccessDenied", Message: "no"}}})
	if _, err := rc.DescribeReservedDBInstances(ctx, &rds.DescribeReservedDBInstancesInput{}, apiNoRetry); apiCode(err) != "AccessDenied" {
		t.Fatalf("injected error: %v", err)
	}
	if got := reservations(t, rc, &rds.DescribeReservedDBInstancesInput{}); !slices.Equal(reservationIDs(got), []string{"ri"}) {
		t.Fatalf("after the injected error: %v, want the one bought after the throttling", reservationIDs(got))
	}
	if calls := srv.Calls("DescribeReservedDBInstances"); len(calls) != 2 || calls[0].ErrorCode != "AccessDenied" || calls[1].Status != 200 {
		t.Fatalf("logged describes %+v", calls)
	}

	for _, action := range []string{"DescribeReservedDBInstancesOfferings", "PurchaseReservedDBInstancesOffering", "DescribeReservedDBInstances"} {
		resp, err := http.Post(srv.URL(), "application/x-www-form-urlencoded", strings.NewReader("Action="+action+"&Version=2014-10-31"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("unsigned %s: HTTP %d, want 403", action, resp.StatusCode)
		}
	}
}

// Prices are written in plain decimal notation, however large or small.
func TestUSDMarshalText(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 0.0112: "0.0112", 2428.27: "2428.27", 12345678.9: "12345678.9", 0.00001: "0.00001"} {
		if b, err := usd(v).MarshalText(); err != nil || string(b) != want {
			t.Errorf("usd(%v) = %q, %v; want %q", v, b, err, want)
		}
	}
}
