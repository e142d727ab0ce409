package analysis

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

var classR6g2XLarge = InstanceClass{Name: "db.r6g.2xlarge", VCPU: 8, MemoryGiB: 64, BaselineIOPS: 12000, NetworkBaselineBytesPerSec: 1.25e9 / 8}

// idleAuroraPair is the reviewer's idle Aurora db.r6g.large pair: 5% CPU, 10 connections on each node and
// freeGiB of FreeableMemory on the writer (4.8 of 16: Aurora's buffer cache, about 10.5 GiB on this class,
// is allocated at start and is not freeable, and Aurora reads nothing through the OS page cache).
func idleAuroraPair(freeGiB float64) ClusterInput {
	node := func(salt uint64) load {
		return load{
			MetricCPU:             func(t time.Time, i int) float64 { return 5 + 0.5*noise(i, salt+1) },
			MetricFreeableMemory:  func(t time.Time, i int) float64 { return (freeGiB + 0.05*noise(i, salt+2)) * gib },
			MetricReadIOPS:        func(t time.Time, i int) float64 { return 20 + 5*noise(i, salt+3) },
			MetricWriteIOPS:       func(t time.Time, i int) float64 { return 10 + 2*noise(i, salt+4) },
			MetricConnections:     func(t time.Time, i int) float64 { return 10 },
			MetricNetworkReceive:  func(t time.Time, i int) float64 { return 2e5 },
			MetricNetworkTransmit: func(t time.Time, i int) float64 { return 4e5 },
		}
	}
	return ClusterInput{
		Name:     "idle-aurora",
		Topology: TopologyAurora,
		Nodes: []Node{
			{ID: "idle-aurora-1", Role: RoleWriter, Class: classR6gLarge, Series: seriesOf(node(10), 14, 5*time.Minute)},
			{ID: "idle-aurora-2", Role: RoleReader, Class: classR6gLarge, Series: seriesOf(node(20), 14, 5*time.Minute)},
		},
		Postgres:         &PostgresFacts{MaxConnections: 1000, PeakConnections: 20, CacheHitRatio: 0.999, TPS: 20},
		CurrentHourlyUSD: 0.52,
		Candidates: []Candidate{
			{Class: classR6gLarge, SingleNodeHourlyUSD: 0.26},
			{Class: classR6gXLarge, SingleNodeHourlyUSD: 0.519},
			{Class: classR6g2XLarge, SingleNodeHourlyUSD: 1.038},
		},
	}
}

// TestAnalyzeAuroraMemoryExcludesBufferCache: on Aurora the memory check leaves out the buffer cache. The
// reviewer's idle r6g.large pair (4.8 GiB freeable of 16) consolidates on its own class: its memory in use
// outside the buffer cache is 16 − 4.8 − 10.51 = 0.69 GiB, plus 10 of the reader's connections × 10 MiB, of
// the 5.49 GiB the buffer cache leaves. Counting the cache as load gave keep, "resize the writer to
// db.r6g.xlarge first", and on that class (where the cache is twice as large) the same again.
func TestAnalyzeAuroraMemoryExcludesBufferCache(t *testing.T) {
	rec, err := Analyze(idleAuroraPair(4.8), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Verdict != VerdictConsolidate || rec.RecommendedClass != "db.r6g.large" {
		t.Fatalf("verdict %s on %s, want consolidate on db.r6g.large; reasons %+v", rec.Verdict, rec.RecommendedClass, rec.Reasons)
	}
	buf := 1377133.0 * 8192 // floor(16 GiB / 12038) − 50003 pages of 8 kB
	if got := auroraBufferCacheBytes(classR6gLarge); got != buf {
		t.Fatalf("buffer cache of db.r6g.large %.0f, want %.0f", got, buf)
	}
	room := 16*gib - buf
	nonBuf := 16*gib - 4.8*gib - buf + 10*10*(1<<20) // plus the reader's 10 connections × 10 MiB
	mem, ok := reason(rec, "memory_p99_with_headroom")
	if want := 100 * nonBuf / room * 1.2; !ok || !mem.Passed || !(math.Abs(mem.Value-want) <= 1.5) {
		t.Fatalf("memory reason %+v, want about %.1f%%", mem, want)
	}
	if !strings.Contains(mem.Message, "outside the buffer cache") || !strings.Contains(mem.Message, "5.49 GiB") {
		t.Errorf("memory message %q: want what is measured on Aurora", mem.Message)
	}
	for _, u := range rec.Projected {
		if u.Metric == "memory" && !(math.Abs(u.P99-100*nonBuf/room) <= 1.5) {
			t.Errorf("projected memory %+v, want p99 about %.1f%% of the room the buffer cache leaves", u, 100*nonBuf/room)
		}
	}
	// Each class is judged against what its own buffer cache leaves: the non-buffer use stays, the cache
	// grows with the class.
	for _, o := range rec.Options {
		r := o.Class.MemoryBytes() - auroraBufferCacheBytes(o.Class)
		if !o.Fits || !(math.Abs(o.MemoryP99-100*nonBuf/r) <= 1.5) {
			t.Errorf("option %s: fits %t, memory p99 %.2f%%, want about %.2f%%", o.Class.Name, o.Fits, o.MemoryP99, 100*nonBuf/r)
		}
	}
	// The rollback alarm on FreeableMemory (which excludes the buffer cache): below the baseline's
	// 4.8 GiB, by the non-buffer use × 0.5 or 5% of RAM, whichever is more.
	alarms := 0
	for _, a := range rec.RollbackTriggers {
		if a.MetricName != MetricFreeableMemory {
			continue
		}
		alarms++
		want := room - nonBuf - 0.05*16*gib
		if !(math.Abs(a.Threshold-want) <= 0.1*gib) || a.Threshold >= 4.7*gib {
			t.Errorf("memory alarm %.2f GiB, want about %.2f GiB (below the baseline freeable 4.7 GiB)", a.Threshold/gib, want/gib)
		}
	}
	if alarms != 1 {
		t.Errorf("%d FreeableMemory alarms, want 1", alarms)
	}
}

// TestAnalyzeAuroraSharedBuffersFromGroup: a parameter group that sets shared_buffers
// (PostgresFacts.SharedBuffersFormula) sizes the buffer cache the memory check leaves out, on each
// class. With a quarter of the memory ({DBInstanceClassMemory/32768} pages, 4 GiB of 16) and 10 GiB
// freeable, 2 GiB (plus the reader's connections) is in use outside the cache, of the 12 GiB it
// leaves; with Aurora's default (10.51 GiB) that use would vanish below the cache.
func TestAnalyzeAuroraSharedBuffersFromGroup(t *testing.T) {
	in := idleAuroraPair(10)
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if u := rec.Projected[1]; u.Metric != "memory" || u.P99 > 1 {
		t.Fatalf("with Aurora's default cache: projected memory %+v, want about 0", u)
	}
	in.Postgres.SharedBuffersFormula = "{DBInstanceClassMemory/32768}"
	if rec, err = Analyze(in, Policy{}); err != nil {
		t.Fatal(err)
	}
	nonBuf := 2*gib + 10*10*float64(1<<20)
	mem, ok := reason(rec, "memory_p99_with_headroom")
	if u := rec.Projected[1]; !ok || !(math.Abs(u.P99-100*nonBuf/(12*gib)) <= 0.5) ||
		!strings.Contains(mem.Message, "its own 4.00 GiB buffer cache leaves of 16 GiB (the parameter group's shared_buffers {DBInstanceClassMemory/32768}, ") {
		t.Errorf("group's shared_buffers: projected memory %+v, reason %+v", u, mem)
	}
	for _, o := range rec.Options { // a quarter of each class's memory
		if want := 100 * nonBuf / (0.75 * o.Class.MemoryBytes()); !(math.Abs(o.MemoryP99-want) <= 0.5) {
			t.Errorf("option %s: memory p99 %.2f%%, want %.2f%%", o.Class.Name, o.MemoryP99, want)
		}
	}
	// The parameters keep the group's cache (the one the check judged), and size
	// maintenance_work_mem on what it leaves: 12 GiB / 16.
	if rec.Parameters["shared_buffers"] != "{DBInstanceClassMemory/32768}" || rec.Parameters["effective_cache_size"] != "{DBInstanceClassMemory/32768}" ||
		rec.Parameters["maintenance_work_mem"] != "786432" {
		t.Errorf("group's shared_buffers: parameters %v", rec.Parameters)
	}
	// A value under PostgreSQL's 16 pages leaves Aurora's default, and says so.
	in.Postgres.SharedBuffersFormula = "15"
	if rec, err = Analyze(in, Policy{}); err != nil {
		t.Fatal(err)
	}
	mem, _ = reason(rec, "memory_p99_with_headroom")
	if rec.Parameters["shared_buffers"] != AuroraBufferFormula || !strings.Contains(mem.Message, "(Aurora's default shared_buffers, since the parameter group's 15 gives db.r6g.large less than 16 pages,") {
		t.Errorf("15 pages: parameters %v, memory %+v", rec.Parameters, mem)
	}
	// A value that takes a class's whole memory fails that class (the group the node keeps would
	// not start there): a db.r6g.xlarge writer (14 GiB freeable of 32: 18 GiB in use, about 2 GiB
	// outside its 16.02 GiB cache, plus the reader's connections) whose group sets 2,100,000 pages is
	// not offered db.r6g.large.
	xl := idleAuroraPair(14)
	xl.Nodes = slices.Clone(xl.Nodes)
	xl.Nodes[0].Class, xl.Nodes[1].Class = classR6gXLarge, classR6gXLarge
	xl.Postgres.SharedBuffersFormula = "2100000"
	if rec, err = Analyze(xl, Policy{}); err != nil {
		t.Fatal(err)
	}
	large := rec.Options[slices.IndexFunc(rec.Options, func(o ClassOption) bool { return o.Class.Name == "db.r6g.large" })]
	mem, _ = reason(rec, "memory_p99_with_headroom")
	xlNonBuf := 32*gib - 14*gib - 2100000*8192 + 10*10*float64(1<<20)
	if rec.RecommendedClass != "db.r6g.xlarge" || large.Fits || !math.IsInf(large.MemoryP99, 1) || !mem.Passed ||
		!(math.Abs(rec.Projected[1].P99-100*xlNonBuf/(32*gib-2100000*8192)) <= 0.5) || rec.Parameters["shared_buffers"] != "2100000" {
		t.Errorf("16.02 GiB of shared_buffers: class %s, large %+v, memory %+v, projected %+v, parameters %v", rec.RecommendedClass, large, mem, rec.Projected[1], rec.Parameters)
	}
	found := false
	for _, r := range singleNodeChecks(rec.Projection, classR6gLarge, xl.Postgres, Policy{}.withDefaults()) {
		if r.Check == "memory_p99_with_headroom" {
			found = true
			if r.Passed || r.Message != "on db.r6g.large the parameter group's shared_buffers 2100000 takes all of its 16 GiB, and nothing is left for connections, sorts "+
				"and the OS: PostgreSQL would not start there; set shared_buffers in the group for it before moving to it" {
				t.Errorf("db.r6g.large's memory check %+v", r)
			}
		}
	}
	if !found {
		t.Error("no memory check on db.r6g.large")
	}
	// The same value on a db.r6g.large writer (0.5 GiB freeable) cannot be what it runs (pending a
	// reboot, say): its memory in use outside the cache is judged against Aurora's default, not
	// hidden as none.
	tight := idleAuroraPair(0.5)
	tight.Postgres.SharedBuffersFormula = "2100000"
	if rec, err = Analyze(tight, Policy{}); err != nil {
		t.Fatal(err)
	}
	room := 16*gib - auroraBufferCacheBytes(classR6gLarge)
	want := 100 * (16*gib - 0.5*gib - auroraBufferCacheBytes(classR6gLarge) + 10*10*float64(1<<20)) / room
	if u := rec.Projected[1]; !(math.Abs(u.P99-want) <= 1) || rec.Verdict == VerdictConsolidate {
		t.Errorf("writer's class too small for the group's shared_buffers: verdict %s, projected memory %+v, want %.1f%% of Aurora's default room", rec.Verdict, u, want)
	}
	in.Postgres.SharedBuffersFormula = "{AllocatedStorage}"
	if _, err := Analyze(in, Policy{}); err == nil || !strings.Contains(err.Error(), "shared_buffers formula") {
		t.Errorf("unevaluable shared_buffers: %v", err)
	}
}

// TestAnalyzeAuroraMemoryTooMuch: a writer whose memory outside the buffer cache leaves too little of what
// the cache leaves keeps, and is offered the class whose room holds it.
func TestAnalyzeAuroraMemoryTooMuch(t *testing.T) {
	// 1 GiB freeable of 16: 4.49 GiB in use outside the 10.51 GiB cache, 82% of the 5.49 GiB room.
	rec, err := Analyze(idleAuroraPair(1), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	wc, ok := reason(rec, "writer_class_fits")
	if rec.Verdict != VerdictKeep || !ok || wc.Passed || rec.RecommendedClass != "db.r6g.xlarge" ||
		!strings.Contains(wc.Message, "(memory_p99_with_headroom): resize the writer to db.r6g.xlarge first") {
		t.Fatalf("verdict %s on %s, writer class %+v; want keep, db.r6g.xlarge", rec.Verdict, rec.RecommendedClass, wc)
	}
	// On db.r6g.xlarge the same 4.49 GiB (plus the reader's connections) is 43% of the 10.61 GiB its
	// 21.39 GiB cache leaves.
	if mem, _ := reason(rec, "memory_p99_with_headroom"); !mem.Passed || !(math.Abs(mem.Value-52.5) <= 1) {
		t.Errorf("memory on db.r6g.xlarge %+v", mem)
	}
}

// TestAnalyzeMultiAZMemoryUnchanged: RDS (Multi-AZ) judges memory in use against the whole class memory, as
// before: FreeableMemory there includes the reclaimable OS cache and shared_buffers is a quarter of memory.
func TestAnalyzeMultiAZMemoryUnchanged(t *testing.T) {
	in := idleMultiAZ(14) // m6g.large (8 GiB), freeable 4.8 GiB ± 0.1
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	mem, ok := reason(rec, "memory_p99_with_headroom")
	used := rec.Projection.MemoryUsed.P99
	if want := 100 * used / (8 * gib) * 1.2; !ok || mem.Value != round(want, 2) {
		t.Fatalf("memory reason %+v, want %.2f", mem, want)
	}
	if want := "projected memory in use p99 on db.m6g.large is 41.2% of 8 GiB; with headroom 49.5%, limit 80%"; mem.Message != want {
		t.Errorf("message %q, want %q", mem.Message, want)
	}
	for _, a := range rec.RollbackTriggers {
		if a.MetricName == MetricFreeableMemory {
			if want := roundMiB(math.Max(8*gib-used*1.5, 0.05*8*gib)); a.Threshold != want {
				t.Errorf("memory alarm %v, want %v", a.Threshold, want)
			}
		}
	}
	// The same series analysed as an Aurora writer would judge them differently: only Multi-AZ keeps
	// the whole class memory as the room.
	for _, u := range rec.Projected {
		if u.Metric == "memory" && u.P99 != 100*used/(8*gib) {
			t.Errorf("projected memory %+v", u)
		}
	}
}

// TestAnalyzeAuroraOneInstance: a one-instance Aurora cluster (after the change, or never with a
// reader) is analysed as TopologyMultiAZ with AuroraClusterID set: its memory is still judged
// without Aurora's buffer cache, and its parameters are Aurora's. Judged as RDS memory, the idle
// writer's 4.8 GiB freeable of 16 was 84% in use with headroom: keep.
func TestAnalyzeAuroraOneInstance(t *testing.T) {
	in := idleAuroraPair(4.8)
	in.Topology, in.AuroraClusterID, in.Nodes = TopologyMultiAZ, "idle-aurora", in.Nodes[:1]
	rec, err := Analyze(in, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	mem, _ := reason(rec, "memory_p99_with_headroom")
	if rec.Verdict != VerdictConsolidate || !mem.Passed || !strings.Contains(mem.Message, "outside the buffer cache") ||
		rec.Parameters["shared_buffers"] != AuroraBufferFormula || rec.Parameters["max_wal_size"] != "" {
		t.Errorf("verdict %s, memory %+v, parameters %v", rec.Verdict, mem, rec.Parameters)
	}
	// Its risks, decision matrix and report are Aurora's: no standby, continuous backups, no reader
	// whose reads would move.
	var risks []string
	for _, r := range rec.Risks {
		risks = append(risks, r.Description)
	}
	all := strings.Join(risks, "\n")
	if rec.Topology != TopologyAurora || !strings.Contains(all, "No reader to promote") || !strings.Contains(all, "Aurora backups are continuous") ||
		strings.Contains(all, "hot standby") || strings.Contains(all, "Single-AZ") || strings.Contains(all, "Read traffic moves") {
		t.Errorf("topology %s, risks:\n%s", rec.Topology, all)
	}
	for _, c := range rec.Matrix.Rows {
		if c.Criterion == "reliability" && c.Score != 5 {
			t.Errorf("reliability %+v, want Aurora's 5", c)
		}
	}
	if !strings.Contains(rec.ReportMarkdown, "- **Topology:** aurora") || !strings.Contains(rec.ReportMarkdown, "The cluster has one instance, which carries all of its load") ||
		strings.Contains(rec.ReportMarkdown, "delete the reader") || strings.Contains(rec.ReportMarkdown, "standby") {
		t.Error("the report does not call it a one-instance Aurora cluster:\n" + rec.ReportMarkdown)
	}
	// A failover in the last 14 days had the reader to take over; its reservations are Aurora's.
	in.Events = []Event{{Source: "idle-aurora-1", Time: t0.Add(13 * 24 * time.Hour), Message: "Started cross AZ failover to DB instance: idle-aurora-2", Category: "failover"}}
	// On db.r6g.xlarge (24 GiB of 32 freeable: nothing in use outside its cache), moving to
	// db.r6g.large, an Aurora xlarge reservation loses half its use.
	events := in.Events
	in = idleAuroraPair(24)
	in.Topology, in.AuroraClusterID, in.Nodes, in.Events = TopologyMultiAZ, "idle-aurora", in.Nodes[:1], events
	in.Nodes[0].Class = classR6gXLarge
	in.Reservations = []Reservation{{ID: "ri-aur", Class: "db.r6g.xlarge", ProductDescription: "aurora-postgresql", Count: 1}}
	if rec, err = Analyze(in, Policy{}); err != nil {
		t.Fatal(err)
	}
	var failover, cost string
	for _, r := range rec.Risks {
		switch r.Category {
		case "redundancy":
			failover += r.Description
		case "cost":
			cost += r.Description
		}
	}
	if !strings.Contains(failover, "each time the reader was there to take over") || !strings.Contains(cost, "for aurora-postgresql") || rec.RecommendedClass != "db.r6g.large" {
		t.Errorf("on %s: failover risk %q, reservation risk %q", rec.RecommendedClass, failover, cost)
	}
}
