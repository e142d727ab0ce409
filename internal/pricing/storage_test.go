package pricing

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// TestProvisionedPrices: the embedded catalog prices io1's provisioned IOPS and the IOPS gp3
// provisions above what it includes, in us-east-1 (data/storage-prices.csv), Multi-AZ twice the
// Single-AZ price; io2's IOPS, gp3's throughput and other regions are unavailable, and a charge
// it does not know is unsupported.
func TestProvisionedPrices(t *testing.T) {
	c := mustDefault(t)
	for _, tc := range []struct {
		ch     ProvisionedCharge
		d      Deployment
		region string
		want   float64 // 0: unavailable
	}{
		{ChargeIO1IOPS, SingleAZ, "us-east-1", 0.1},
		{ChargeIO1IOPS, MultiAZ, "us-east-1", 0.2},
		{ChargeGP3IOPS, SingleAZ, "us-east-1", 0.02},
		{ChargeGP3IOPS, MultiAZ, "us-east-1", 0.04},
		{ChargeIO2IOPS, SingleAZ, "us-east-1", 0},
		{ChargeGP3Throughput, MultiAZ, "us-east-1", 0},
		{ChargeIO1IOPS, SingleAZ, "eu-west-1", 0},
	} {
		got, err := c.ProvisionedPricePerMonth(tc.ch, tc.d, tc.region)
		var pu *PriceUnavailableError
		if tc.want > 0 && (err != nil || math.Abs(got-tc.want) > 1e-12) || tc.want == 0 && !errors.As(err, &pu) {
			t.Errorf("%s %s %s = %v, %v; want %v", tc.ch, tc.d, tc.region, got, err, tc.want)
		}
		if tc.want == 0 && err != nil && !strings.Contains(err.Error(), "storage_prices can give them") {
			t.Errorf("%s %s %s: %v does not say what gives it", tc.ch, tc.d, tc.region, err)
		}
	}
	for ch, want := range map[ProvisionedCharge]string{ChargeIO2IOPS: "the catalog has no price for it", ChargeGP3Throughput: "the catalog has no price for it"} {
		if _, err := c.ProvisionedPricePerMonth(ch, SingleAZ, "us-east-1"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s in us-east-1: %v, want %q", ch, err, want)
		}
	}
	if _, err := c.ProvisionedPricePerMonth(ChargeIO1IOPS, SingleAZ, "eu-west-1"); err == nil || !strings.Contains(err.Error(), "io1 and gp3 in us-east-1 only") {
		t.Errorf("io1_iops in eu-west-1: %v", err)
	}
	var ue *UnsupportedError
	if _, err := c.ProvisionedPricePerMonth("gp2_iops", SingleAZ, "us-east-1"); !errors.As(err, &ue) {
		t.Errorf("gp2_iops: %v, want unsupported", err)
	}
	if _, err := c.ProvisionedPricePerMonth(ChargeIO1IOPS, "aurora", "us-east-1"); err == nil {
		t.Error("deployment aurora: no error")
	}
}

// TestWithProvisionedPrices: storage_prices' provisioned IOPS and throughput prices apply in the
// configured region (Multi-AZ twice), the catalog's elsewhere; the input catalog is unchanged; a
// charge RDS does not bill or a price out of range is refused naming the charge.
func TestWithProvisionedPrices(t *testing.T) {
	cat := mustDefault(t)
	ext, err := cat.WithProvisionedPrices("ap-northeast-1", map[ProvisionedCharge]float64{ChargeIO2IOPS: 0.119, ChargeGP3Throughput: 0.096})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cat    *Catalog
		ch     ProvisionedCharge
		d      Deployment
		region string
		want   float64
	}{
		{ext, ChargeIO2IOPS, SingleAZ, "ap-northeast-1", 0.119},
		{ext, ChargeGP3Throughput, MultiAZ, "ap-northeast-1", 0.192},
		{ext, ChargeIO1IOPS, SingleAZ, "ap-northeast-1", 0},
		{ext, ChargeIO1IOPS, MultiAZ, "us-east-1", 0.2}, // the catalog's
		{ext, ChargeIO2IOPS, SingleAZ, "us-east-1", 0},
		{cat, ChargeIO2IOPS, SingleAZ, "ap-northeast-1", 0},
	} {
		got, err := tc.cat.ProvisionedPricePerMonth(tc.ch, tc.d, tc.region)
		if tc.want > 0 && (err != nil || math.Abs(got-tc.want) > 1e-12) || tc.want == 0 && err == nil {
			t.Errorf("%s %s %s = %v, %v; want %v", tc.ch, tc.d, tc.region, got, err, tc.want)
		}
	}
	us, err := cat.WithProvisionedPrices("us-east-1", map[ProvisionedCharge]float64{ChargeIO1IOPS: 0.08})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := us.ProvisionedPricePerMonth(ChargeIO1IOPS, MultiAZ, "us-east-1"); err != nil || got != 0.16 {
		t.Errorf("configured io1 IOPS in us-east-1: %v, %v; want 0.16 in place of the catalog's", got, err)
	}
	if got, err := us.ProvisionedPricePerMonth(ChargeGP3IOPS, SingleAZ, "us-east-1"); err != nil || got != 0.02 {
		t.Errorf("gp3 IOPS beside a configured io1 price: %v, %v; want the catalog's 0.02", got, err)
	}
	if same, err := cat.WithProvisionedPrices("us-east-1", nil); err != nil || same != cat {
		t.Errorf("no prices: %p, %v; want the catalog itself", same, err)
	}
	for _, tc := range []struct {
		prices map[ProvisionedCharge]float64
		field  string
		want   string
	}{
		{map[ProvisionedCharge]float64{"gp2_iops": 0.1}, "gp2_iops", "want one of io1_iops, io2_iops, gp3_iops and gp3_throughput"},
		{map[ProvisionedCharge]float64{ChargeIO1IOPS: 0}, "io1_iops", "want more than 0, at most 10 (RDS prices it in cents per IOPS-month)"},
		{map[ProvisionedCharge]float64{ChargeGP3Throughput: 80}, "gp3_throughput", "per MiB/s-month"},
		{map[ProvisionedCharge]float64{ChargeGP3IOPS: math.NaN()}, "gp3_iops", "want more than 0"},
		{map[ProvisionedCharge]float64{ChargeGP3IOPS: math.Inf(1)}, "gp3_iops", "want more than 0"},
	} {
		var fe *CustomClassFieldError
		if _, err := cat.WithProvisionedPrices("us-east-1", tc.prices); !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %s: %q", tc.prices, err, tc.field, tc.want)
		}
	}
}

// TestGP3Included: RDS for PostgreSQL's gp3 includes 3,000 IOPS and 125 MiB/s below 400 GiB,
// 12,000 and 500 from 400 GiB.
func TestGP3Included(t *testing.T) {
	for _, tc := range []struct {
		gib         int32
		iops, mibps int32
	}{{20, 3000, 125}, {399, 3000, 125}, {400, 12000, 500}, {65536, 12000, 500}, {0, 3000, 125}} {
		if i, m := GP3Included(tc.gib); i != tc.iops || m != tc.mibps {
			t.Errorf("%d GiB: %d IOPS, %d MiB/s; want %d, %d", tc.gib, i, m, tc.iops, tc.mibps)
		}
	}
}

// TestStoragePricesFileRejectsBadInput: the storage prices file must name a priced region and an
// item it does not take from the catalog file, once, with a price in (0, 10].
func TestStoragePricesFileRejectsBadInput(t *testing.T) {
	base, err := Load(strings.NewReader(embeddedCSV))
	if err != nil {
		t.Fatal(err)
	}
	const h = "region,item,single_az_usd_per_month\n"
	for name, tc := range map[string]struct{ in, want string }{
		"header":        {"region,item\nus-east-1,io1\n", "header"},
		"region":        {h + "ap-northeast-1,io1,0.1\n", `region "ap-northeast-1" has no prices`},
		"gp3 storage":   {h + "us-east-1,gp3,0.1\n", `item "gp3" is not one of`},
		"unknown item":  {h + "us-east-1,io1_throughput,0.1\n", `item "io1_throughput"`},
		"twice":         {h + "us-east-1,io1,0.1\nus-east-1,io1,0.2\n", "listed twice"},
		"zero":          {h + "us-east-1,io1,0\n", "is not a price"},
		"too dear":      {h + "us-east-1,io1,11\n", "is not a price"},
		"not a number":  {h + "us-east-1,io1,cheap\n", "is not a price"},
		"columns short": {h + "us-east-1,io1\n", "wrong number of fields"},
	} {
		c := *base
		if err := c.addStoragePrices(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	c := *base
	if err := c.addStoragePrices(strings.NewReader(embeddedStoragePricesCSV)); err != nil || len(c.listed) != 4 {
		t.Errorf("embedded file: %v, %d prices", err, len(c.listed))
	}
}
