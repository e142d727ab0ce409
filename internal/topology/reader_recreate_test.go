package topology

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// Aurora 2 → 1 → 2: the recreated reader gets back the removed reader's own resource tags (Aurora
// instances do not inherit the cluster's: cost allocation, tag-based access and backup selection
// use them) and its own maintenance window, recorded in Previous.
func TestRecreatedReaderKeepsTagsAndWindow(t *testing.T) {
	sc := sandbox.Demo()
	sc.Clusters[0].Members[1].Tags = map[string]string{"environment": "production", "cost-center": "42"}
	sc.Clusters[0].Members[1].MaintenanceWindow = "wed:07:00-wed:07:30"
	e := newEnv(t, sc)
	ctx := context.Background()
	res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Previous.Reader; r == nil || r.Tags["cost-center"] != "42" || r.MaintenanceWindow != "wed:07:00-wed:07:30" {
		t.Fatalf("Previous.Reader %+v does not record the reader's tags and window", r)
	}
	if _, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Previous: &res.Previous}); err != nil {
		t.Fatal(err)
	}
	in := e.instance(ssoReader)
	tags := map[string]string{}
	for _, tg := range in.TagList {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if tags["environment"] != "production" || tags["cost-center"] != "42" || tags[TagManagedBy] != ManagedByValue {
		t.Errorf("recreated reader's tags %v", tags)
	}
	if w := aws.ToString(in.PreferredMaintenanceWindow); w != "wed:07:00-wed:07:30" {
		t.Errorf("recreated reader's maintenance window %s, want wed:07:00-wed:07:30", w)
	}
}

// A provisioned cluster with a Serverless v2 capacity range (set at cluster level, and required
// before a db.serverless instance is added) but only provisioned members is changed like any
// other: the data sources analyse it, and so the resource must not refuse it as Serverless.
func TestScalingConfigOnProvisionedClusterAccepted(t *testing.T) {
	sc := sandbox.Demo()
	sc.Clusters[0].ServerlessV2 = &sandbox.ServerlessV2Scaling{MinACU: 0.5, MaxACU: 8}
	e := newEnv(t, sc)
	ctx := context.Background()
	cl, err := inventory.Discover(ctx, e.api, "", "sso-prod")
	if err != nil || cl.CheckTwoNode() != nil {
		t.Fatalf("inventory: %v", err)
	}
	p, err := e.o.Preview(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil || p.Refusal != "" {
		t.Errorf("preview: %v, refusal %q: a provisioned cluster with a capacity range is not Serverless", err, p.Refusal)
	}
}

// A reader with 50 tags of its own (RDS's limit) is recreated with those 50, without this
// provider's mark, rather than with a request RDS refuses.
func TestRecreatedReaderTagLimit(t *testing.T) {
	sc := sandbox.Demo()
	tags := map[string]string{}
	for i := range maxTags {
		tags[fmt.Sprintf("team-%02d", i)] = "x"
	}
	sc.Clusters[0].Members[1].Tags = tags
	e := newEnv(t, sc)
	ctx := context.Background()
	res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.ResetLog()
	if _, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Previous: &res.Previous}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.instance(ssoReader).TagList); n != maxTags {
		t.Errorf("recreated reader has %d tags, want the %d it had", n, maxTags)
	}
}

// tagsWithoutRoom are a reader's own tags whose record (readerTagsRecord) cannot fit on a guard
// snapshot beside its other tags: 45 values of 180 characters.
func tagsWithoutRoom() map[string]string {
	m := map[string]string{}
	for i := range 45 {
		m[fmt.Sprintf("team-%02d", i)] = strings.Repeat(fmt.Sprintf("value %02d ", i), 20)
	}
	return m
}

// removalInterrupted runs req (sso-prod to 1 node) until the reader's deletion is requested,
// interrupts it, and lets the deletion finish, as between an interrupted apply and the next.
func (e *env) removalInterrupted(t *testing.T, req Request) {
	t.Helper()
	e.runInterrupted(t, req, StepChange)
	if _, err := FindDBInstance(context.Background(), e.api, ssoReader); err == nil {
		e.srv.Advance(time.Hour)
	}
}

// readerOwnTags are sso-prod's reader's tags but this provider's mark.
func (e *env) readerOwnTags() map[string]string {
	got := map[string]string{}
	for _, tg := range e.instance(ssoReader).TagList {
		if k := aws.ToString(tg.Key); k != TagManagedBy {
			got[k] = aws.ToString(tg.Value)
		}
	}
	return got
}

// An Aurora 2 → 1 interrupted after the reader's deletion began and resumed by the next apply
// (which no longer sees the reader) records the reader's own tags from the guard snapshot, so
// that going back to 2 nodes recreates it with them; a reader whose tags leave no room among the
// guard's 50 is recorded as unknown (nil, TagsUnrecorded), and recreating it says so
// (Result.ReaderWithoutTags) rather than passing for a reader without tags.
func TestResumedRemovalKeepsReaderTags(t *testing.T) {
	for _, tc := range []struct {
		name       string
		tags       map[string]string
		unrecorded bool
	}{
		{"tags recorded", map[string]string{"environment": "production", "cost-center": "42", "owner": "identity team / on call: +1 555 0100"}, false},
		{"no tags", nil, false},
		{"no room", tagsWithoutRoom(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := sandbox.Demo()
			sc.Clusters[0].Members[1].Tags = tc.tags
			e := newEnv(t, sc)
			ctx := context.Background()
			e.removalInterrupted(t, Request{Target: sso, Nodes: 1, Generation: 1})
			res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
			if err != nil || !res.Resumed {
				t.Fatalf("resumed run: %+v, %v", res, err)
			}
			rd := res.Previous.Reader
			if rd == nil || rd.TagsUnrecorded != tc.unrecorded || (!tc.unrecorded && !maps.Equal(rd.Tags, tc.tags)) {
				t.Fatalf("resumed Previous.Reader %+v, want tags %v (unrecorded %t)", rd, tc.tags, tc.unrecorded)
			}
			back, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Previous: &res.Previous})
			if err != nil {
				t.Fatal(err)
			}
			got := e.readerOwnTags()
			want := tc.tags
			if tc.unrecorded {
				want = nil
			}
			if reported := back.ReaderWithoutTags == ssoReader; !maps.Equal(got, want) || reported != tc.unrecorded || (!reported && back.ReaderWithoutTags != "") {
				t.Errorf("recreated reader's tags %v (reported without tags: %q), want %v", got, back.ReaderWithoutTags, want)
			}
		})
	}
}

// The reader's tags recorded on a guard snapshot round-trip through RDS's tag rules: parts of at
// most 256 characters RDS accepts in a tag value, whatever the tags hold.
func TestReaderTagsRecord(t *testing.T) {
	long := map[string]string{}
	for i := range 20 {
		long[fmt.Sprintf("kostenstelle-%02d", i)] = strings.Repeat("ü@:/=+-_. ", 25)
	}
	for _, tags := range []map[string]string{nil, {"a": ""}, {"environment": "production"}, long} {
		rec := readerTagsRecord(tags)
		for k, v := range rec {
			if len(k) > 128 || len([]rune(v)) > maxTagValue || !rdsTagChars.MatchString(v) || !rdsTagChars.MatchString(k) {
				t.Errorf("record tag %q=%q breaks RDS's tag rules", k, v)
			}
		}
		got, ok := readerTagsFromRecord(rec)
		if !ok || !maps.Equal(got, tags) {
			t.Errorf("round trip of %d tags: %v, %t", len(tags), got, ok)
		}
	}
	if len(readerTagsRecord(long)) < 2 {
		t.Error("long tags fit one part: the test does not cover several")
	}
	if _, ok := readerTagsFromRecord(map[string]string{readerTagsKey(0): "not base64!"}); ok {
		t.Error("a record that does not decode was accepted")
	}
	if _, ok := readerTagsFromRecord(map[string]string{}); ok {
		t.Error("no record decoded as tags")
	}
}

// A resumed removal whose validation fails is rolled back: the reader comes back with its own
// tags when the guard recorded them, and the error names it as recreated without them when
// the guard had no room (ChangeError.ReaderWithoutTags), rather than in silence.
func TestRolledBackRemovalReaderTags(t *testing.T) {
	for name, tags := range map[string]map[string]string{"recorded": {"environment": "production", "cost-center": "42"}, "no room": tagsWithoutRoom()} {
		t.Run(name, func(t *testing.T) {
			sc := sandbox.Demo()
			sc.Clusters[0].Members[1].Tags = tags
			e := newEnv(t, sc)
			ctx := context.Background()
			req := Request{Target: sso, Nodes: 1, Generation: 1, Validator: mismatchValidator{}}
			e.removalInterrupted(t, req)
			_, err := e.o.Run(ctx, req)
			var ce *ChangeError
			if !errors.As(err, &ce) || !ce.RolledBack {
				t.Fatalf("resumed run: %v; want the failed validation rolled back", err)
			}
			got := e.readerOwnTags()
			unrecorded := name == "no room"
			if unrecorded {
				if len(got) != 0 || ce.ReaderWithoutTags != ssoReader {
					t.Errorf("reader back with %d tags, reported without tags %q; want none and it named", len(got), ce.ReaderWithoutTags)
				}
			} else if !maps.Equal(got, tags) || ce.ReaderWithoutTags != "" {
				t.Errorf("reader back with tags %v (reported without tags %q), want %v", got, ce.ReaderWithoutTags, tags)
			}
		})
	}
}

// A change back to 2 nodes from a record without the reader's tags names the reader it created
// without them on every path: when its validation fails (the two nodes kept), and when a later
// apply resumes it after an interruption (the first run's report was lost with it).
func TestReaderWithoutTagsReportedOnEveryPath(t *testing.T) {
	ctx := context.Background()
	untaggedRecord := func(t *testing.T, e *env) Previous {
		t.Helper()
		res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
		if err != nil {
			t.Fatal(err)
		}
		prev := res.Previous
		rd := *prev.Reader
		rd.Tags, rd.TagsUnrecorded = nil, true
		prev.Reader = &rd
		return prev
	}
	t.Run("validation fails, two nodes kept", func(t *testing.T) {
		e := newEnv(t, sandbox.Demo())
		prev := untaggedRecord(t, e)
		_, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Previous: &prev, Validator: mismatchValidator{}})
		var ce *ChangeError
		if !errors.As(err, &ce) || !ce.RedundancyKept || ce.ReaderWithoutTags != ssoReader {
			t.Errorf("%v (reader without tags %q), want the two nodes kept and the reader named", err, func() string {
				if ce == nil {
					return ""
				}
				return ce.ReaderWithoutTags
			}())
		}
	})
	// With guard.tags (Request.Tags), which the reader is created with: still none of its own.
	for _, tags := range []map[string]string{nil, {"CostCenter": "chat"}} {
		for _, step := range []Step{StepChange, StepDone} { // resumed; found completed by the earlier apply
			t.Run(fmt.Sprintf("interrupted after %s, then applied again, tags %v", step, tags), func(t *testing.T) {
				e := newEnv(t, sandbox.Demo())
				prev := untaggedRecord(t, e)
				req := Request{Target: sso, Nodes: 2, Generation: 2, Previous: &prev, Tags: tags}
				e.runInterrupted(t, req, step)
				res, err := e.o.Run(ctx, req)
				if err != nil || !res.Resumed || res.ReaderWithoutTags != ssoReader {
					t.Errorf("next run: %+v, %v; want it resumed and the reader named", res, err)
				}
				if got := e.readerOwnTags(); !maps.Equal(got, tags) {
					t.Errorf("reader's tags %v, want %v", got, tags)
				}
			})
		}
	}
}

// manyFacts is a validator whose baseline fills the guard snapshot's tags (one fact a tag).
type manyFacts int

func (n manyFacts) Capture(context.Context) (Facts, error) {
	f := Facts{}
	for i := range int(n) {
		f[fmt.Sprintf("rows.t%02d", i)] = "1"
	}
	return f, nil
}

func (manyFacts) Check(context.Context, Facts) (*Report, error) { return &Report{}, nil }

// A reader without tags of its own, recorded so in state ({}), whose change back to 2 nodes has a
// guard snapshot with no room for the tags' record, is not reported as recreated without its
// tags when a later apply resumes the change: the state's record says there were none.
func TestResumedUntaggedReaderNotReported(t *testing.T) {
	ctx := context.Background()
	sc := sandbox.Demo()
	sc.Clusters[0].Members[1].Tags = nil
	e := newEnv(t, sc)
	res, err := e.o.Run(ctx, Request{Target: sso, Nodes: 1, Generation: 1})
	if err != nil || res.Previous.Reader == nil || res.Previous.Reader.TagsUnrecorded {
		t.Fatalf("%+v, %v", res, err)
	}
	req := Request{Target: sso, Nodes: 2, Generation: 2, Previous: &res.Previous, Validator: manyFacts(27)}
	e.runInterrupted(t, req, StepChange)
	g, err := loadGuard(ctx, e.api, KindCluster, GuardSnapshotID("", sso, 2, 2, 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, recorded := g.tags[readerTagsKey(0)]; recorded {
		t.Fatalf("the guard has %d tags and the reader's record: the test needs a guard without room for it", len(g.tags))
	}
	back, err := e.o.Run(ctx, req)
	if err != nil || !back.Resumed || back.ReaderWithoutTags != "" {
		t.Errorf("resumed run: %+v, %v; want it resumed and no reader reported without tags", back, err)
	}
}

// longRoles are monitoring roles RDS refuses in a tag value whose ARNs are long (IAM allows a path
// of 512 characters): longer encoded than a tag value holds (256), so their encoding goes on in
// further tags.
var longRoles = []string{
	"arn:aws:iam::123456789012:role/" + strings.Repeat("p", 150) + "/rds,monitoring",
	"arn:aws:iam::123456789012:role/" + strings.Repeat("team-", 100) + "/rds,monitoring",
}

// A reader whose Enhanced Monitoring role has a name or path with characters IAM allows and RDS
// does not in a tag value (',' in a role name, '!' in a path) is removed behind its guard snapshot
// (whose tags record the role encoded, readerTagValue; a long one in several tags) and recreated
// with that role: RDS refused the guard snapshot's tags before ("contains characters that are not
// allowed", then for a long one "must be 1 to 256 Unicode characters long"), and the reader could
// not be removed at all.
func TestReaderMonitoringRoleOutsideTagCharacters(t *testing.T) {
	for i, role := range append([]string{"arn:aws:iam::123456789012:role/rds,monitoring", "arn:aws:iam::123456789012:role/team!db/rds-monitoring"}, longRoles...) {
		t.Run(fmt.Sprintf("%d-%d-characters", i, len(role)), func(t *testing.T) {
			sc := sandbox.Demo()
			sc.Clusters[0].Members[1].MonitoringRoleARN = role
			e := newEnv(t, sc)
			ctx := context.Background()
			req := Request{Target: sso, Nodes: 1, Generation: 1}
			if _, err := e.o.Run(ctx, req); err != nil {
				t.Fatal(err)
			}
			// The same request again finds the change completed and reads the reader from the
			// guard snapshot's tags.
			res, err := e.o.Run(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if r := res.Previous.Reader; !res.Resumed || r == nil || r.MonitoringRoleARN != role {
				t.Fatalf("resumed %v, reader read back from the guard snapshot %+v: want monitoring role %s", res.Resumed, r, role)
			}
			if _, err := e.o.Run(ctx, Request{Target: sso, Nodes: 2, Generation: 2, Previous: &res.Previous}); err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(e.instance(ssoReader).MonitoringRoleArn); got != role {
				t.Errorf("recreated reader's monitoring role %q, want %q", got, role)
			}
		})
	}
}

// readerTagValue writes every field RDS takes as a tag value as it is (as earlier versions did) and
// any other encoded; readerFromTags reads both back.
func TestReaderTagValueRoundTrip(t *testing.T) {
	for _, v := range append([]string{"sso-prod-instance-2", "arn:aws:iam::123456789012:role/rds-monitoring", "sun:05:00-sun:05:30",
		"arn:aws:iam::123456789012:role/a,b", "role/x!y#z", " lead", "b64:looks-encoded", "aws:x", "ü-ß 1"}, longRoles...) {
		tv := readerTagValue(v)
		if len(tv) <= maxTagValue && tagText(tv) != tv { // a longer one is split (readerTags, below)
			t.Errorf("readerTagValue(%q) = %q, not a value RDS takes", v, tv)
		}
		if plain := tagText(v) == v && !strings.HasPrefix(v, readerTagEncoded); plain != (tv == v) {
			t.Errorf("readerTagValue(%q) = %q: plain %v", v, tv, plain)
		}
		tags := readerTags(ReaderSpec{Identifier: "r", MonitoringRoleARN: v, MaintenanceWindow: "sun:05:00-sun:05:30"})
		for k, tv := range tags {
			if len([]rune(tv)) > maxTagValue || tagText(tv) != tv {
				t.Errorf("tag %s = %q: not a value RDS takes", k, tv)
			}
		}
		spec, ok := readerFromTags(tags)
		if !ok || spec.MonitoringRoleARN != v || spec.MaintenanceWindow != "sun:05:00-sun:05:30" {
			t.Errorf("round trip of %q: %+v", v, spec)
		}
	}
}
