package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// An Aurora reader in another AZ than the writer hands its clients' traffic to the writer: a cost
// risk gives the range the cross-AZ transfer bill can move by, from the reader's network means.
func TestCrossAZRisk(t *testing.T) {
	// withNetwork returns the pair with the reader's transmit and receive series at constant
	// values in bytes/s (NaN: the series left out).
	withNetwork := func(in ClusterInput, transmit, receive float64) ClusterInput {
		in.Nodes = slices.Clone(in.Nodes)
		r := &in.Nodes[1]
		var ss []Series
		for _, s := range r.Series {
			v := map[string]float64{MetricNetworkTransmit: transmit, MetricNetworkReceive: receive}
			if x, ok := v[s.Metric]; ok {
				if x != x {
					continue
				}
				s.Values = slices.Clone(s.Values)
				for i := range s.Values {
					s.Values[i] = x
				}
			}
			ss = append(ss, s)
		}
		r.Series = ss
		return in
	}
	const mb = 1 << 20
	nan := math.NaN()
	perMonth := func(bytesPerSec float64) float64 {
		return bytesPerSec * HoursPerMonth * 3600 / (1 << 30) * 2 * CrossAZUSDPerGB
	}
	for _, c := range []struct {
		name               string
		writerAZ, readerAZ string
		transmit, receive  float64 // bytes/s; NaN: no series
		noPrices, single   bool    // single: AlreadySingleNode (the reader's traffic moved already)
		wantSev            string  // "" for no risk
		wantUSD            float64
		noSavings          bool // the single node priced above the pair: prices known, nothing saved
	}{
		{"other AZ, traffic worth most of the savings", "us-east-1a", "us-east-1b", 3 * mb, 1 * mb, false, false, "medium", perMonth(4 * mb), false},
		{"other AZ, a quarter of the savings is medium", "us-east-1a", "us-east-1b", 0.95 * mb, 0, false, false, "medium", perMonth(0.95 * mb), false},
		{"other AZ, under a quarter of the savings", "us-east-1a", "us-east-1b", 0.9 * mb, 0, false, false, "low", perMonth(0.9 * mb), false},
		{"other AZ, no receive series", "us-east-1a", "us-east-1b", 3 * mb, nan, false, false, "medium", perMonth(3 * mb), false},
		{"other AZ, no prices", "us-east-1a", "us-east-1b", 3 * mb, 1 * mb, true, false, "low", perMonth(4 * mb), false},
		{"other AZ, under a dollar a month", "us-east-1a", "us-east-1b", 1000, 1000, false, false, "", 0, false},
		{"other AZ, no transmit series", "us-east-1a", "us-east-1b", nan, 5 * mb, false, false, "", 0, false},
		{"other AZ, already single-node", "us-east-1a", "us-east-1b", 3 * mb, 1 * mb, false, true, "", 0, false},
		{"same AZ", "us-east-1a", "us-east-1a", 3 * mb, 1 * mb, false, false, "", 0, false},
		{"AZs unknown", "", "", 3 * mb, 1 * mb, false, false, "", 0, false},
		{"reader's AZ unknown", "us-east-1a", "", 3 * mb, 1 * mb, false, false, "", 0, false},
		// $0.01/GB each way, 2^30 bytes a GB: 1.5 MiB/s for 730 h is 3849.6 GB, $76.99 both ways.
		{"other AZ, priced at $0.01/GB each way", "us-east-1a", "us-east-1b", 1 * mb, 0.5 * mb, false, false, "medium", 76.99, false},
		// The floor is $1 a month: 20000 B/s is $0.98, 21000 B/s $1.03.
		{"other AZ, just under the $1 floor", "us-east-1a", "us-east-1b", 20000, 0, false, false, "", 0, false},
		{"other AZ, just over the $1 floor", "us-east-1a", "us-east-1b", 21000, 0, false, false, "low", perMonth(21000), false},
		// Prices known, but the single node costs more than the pair: nothing to weigh the range against.
		{"other AZ, no savings", "us-east-1a", "us-east-1b", 3 * mb, 1 * mb, false, false, "low", perMonth(4 * mb), true},
		{"writer's AZ unknown", "", "us-east-1b", 3 * mb, 1 * mb, false, false, "", 0, false},
		// A negative or infinite mean is no measurement of traffic: a receive one is left out as unmeasured.
		{"other AZ, negative transmit mean", "us-east-1a", "us-east-1b", -3 * mb, 1 * mb, false, false, "", 0, false},
		{"other AZ, negative receive mean", "us-east-1a", "us-east-1b", 3 * mb, -1 * mb, false, false, "medium", perMonth(3 * mb), false},
		{"other AZ, infinite transmit mean", "us-east-1a", "us-east-1b", math.Inf(1), 1 * mb, false, false, "", 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := withNetwork(auroraPair(2), c.transmit, c.receive)
			// The only candidate class, r6g.xlarge, is priced so that the savings are
			// $189.80 a month (a quarter: $47.45).
			in.Candidates = []Candidate{{Class: classR6gXLarge, SingleNodeHourlyUSD: 0.26}}
			in.Nodes[0].AvailabilityZone, in.Nodes[1].AvailabilityZone = c.writerAZ, c.readerAZ
			if c.noPrices {
				in.CurrentHourlyUSD = 0
			}
			if c.noSavings {
				in.Candidates[0].SingleNodeHourlyUSD = 0.60 // $58.40 a month more than the pair's $0.52 an hour
			}
			in.AlreadySingleNode = c.single
			before := fmt.Sprint(in.Nodes[1].Series[0].Values[:3])
			rec, err := Analyze(in, Policy{})
			if err != nil {
				t.Fatal(err)
			}
			if after := fmt.Sprint(in.Nodes[1].Series[0].Values[:3]); after != before {
				t.Fatalf("input mutated: %s → %s", before, after)
			}
			var got []Risk
			for _, r := range rec.Risks {
				if strings.HasPrefix(r.Description, "Cross-AZ data transfer") {
					got = append(got, r)
				}
			}
			if c.wantSev == "" {
				if len(got) != 0 {
					t.Fatalf("risk %+v, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d cross-AZ risks, want 1: %+v", len(got), rec.Risks)
			}
			r := got[0]
			usd := fmt.Sprintf("$%.2f", c.wantUSD)
			if r.Category != "cost" || r.Severity != c.wantSev || !strings.Contains(r.Description, "between -"+usd+" and +"+usd+" a month") ||
				!strings.Contains(r.Description, "+"+usd+" if they all run in "+c.readerAZ) ||
				!strings.Contains(r.Description, "the reader mandible-prod-2 in "+c.readerAZ) || !strings.Contains(r.Description, "goes to the writer in "+c.writerAZ) {
				t.Fatalf("risk %+v, want %s, %s", r, c.wantSev, usd)
			}
			// Clients in the reader's AZ start crossing; the GB it exchanges are the means' sum.
			gb := func(bytesPerSec float64) float64 { return bytesPerSec * HoursPerMonth * 3600 / (1 << 30) }
			if want := "Clients in " + c.readerAZ + " start crossing AZs and those in " + c.writerAZ + " stop"; !strings.Contains(r.Description, want) {
				t.Errorf("risk %q: want %q", r.Description, want)
			}
			receive, unmeasuredIn := c.receive, !(c.receive >= 0) // NaN (no series) or negative
			if unmeasuredIn {
				receive = 0
			}
			if want := fmt.Sprintf("exchanges %.0f GB a month", gb(c.transmit)+gb(receive)); !strings.Contains(r.Description, want) {
				t.Errorf("risk %q: want %q", r.Description, want)
			}
			if want := fmt.Sprintf("%.0f GB sent, %.0f GB received", gb(c.transmit), gb(c.receive)); !unmeasuredIn && !strings.Contains(r.Description, want) {
				t.Errorf("risk %q: want %q", r.Description, want)
			}
			// What it receives, unmeasured, is said so, not "0 GB received".
			if unmeasured := strings.Contains(r.Description, "what it receives is not measured"); unmeasured != unmeasuredIn ||
				(unmeasured && strings.Contains(r.Description, "GB received")) {
				t.Errorf("risk %q: receive unmeasured said %t, want %t (then with no GB received)", r.Description, unmeasured, unmeasuredIn)
			}
			if c.noSavings && (!rec.Cost.Known || rec.Cost.MonthlySavingsUSD >= 0) {
				t.Fatalf("case set up wrong: cost %+v, want known and negative savings", rec.Cost)
			}
			named := !c.noPrices && !c.noSavings
			if savings := fmt.Sprintf("against monthly savings of $%.2f", rec.Cost.MonthlySavingsUSD); strings.Contains(r.Description, savings) != named ||
				strings.Contains(r.Description, "against monthly savings") != named {
				t.Errorf("risk %q: savings named %t, want %t", r.Description, !named, named)
			}
			if named && (c.wantUSD >= rec.Cost.MonthlySavingsUSD/4) != (c.wantSev == "medium") {
				t.Errorf("case set up wrong: $%.2f against savings of $%.2f", c.wantUSD, rec.Cost.MonthlySavingsUSD)
			}
		})
	}
}
