package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// readDataSource runs ds's Read with pd as the provider's data and a configuration in which the
// attributes of vals are set, and postgres (when not nil) to an object with those string
// attributes set, every other attribute null. It returns the diagnostics.
func readDataSource(t *testing.T, ds datasource.DataSource, pd *ProviderData, vals map[string]tftypes.Value, postgres map[string]string) diag.Diagnostics {
	t.Helper()
	ctx := context.Background()
	var sresp datasource.SchemaResponse
	ds.Schema(ctx, datasource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	all := map[string]tftypes.Value{}
	for k, v := range vals {
		all[k] = v
	}
	if postgres != nil {
		pg := map[string]tftypes.Value{}
		for k, v := range postgres {
			pg[k] = tftypes.NewValue(tftypes.String, v)
		}
		all["postgres"] = objectOf(t, typ.AttributeTypes["postgres"].(tftypes.Object), "postgres.", pg)
	}
	ds.(datasource.DataSourceWithConfigure).Configure(ctx, datasource.ConfigureRequest{ProviderData: pd}, &datasource.ConfigureResponse{})
	resp := datasource.ReadResponse{State: tfsdk.State{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, nil)}}
	ds.Read(ctx, datasource.ReadRequest{Config: tfsdk.Config{Schema: sresp.Schema, Raw: objectOf(t, typ, "", all)}}, &resp)
	return resp.Diagnostics
}

// objectOf is a value of object type typ with the attributes of set, every other one null; it
// fails t for an attribute typ lacks (named with prefix, such as "postgres.").
func objectOf(t *testing.T, typ tftypes.Object, prefix string, set map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	all := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		all[name] = tftypes.NewValue(at, nil)
	}
	for k, v := range set {
		if _, ok := all[k]; !ok {
			t.Fatalf("no attribute %s%s", prefix, k)
		}
		all[k] = v
	}
	return tftypes.NewValue(typ, all)
}

// A data source whose postgres attribute is set warns, as the provider does for its own block, when
// the connection it makes (the provider's settings with the attribute's on top) does not verify
// the server's identity for a host that is not local: on postgres.sslmode when the attribute sets
// it, else on postgres.host. The connection the provider already warned of (same host and
// sslmode) is not warned of again, nor a verifying or local one. The reads fail (the hosts resolve
// nowhere); the warnings are given all the same, before connecting.
func TestReadWarnsUnverifiedPostgresOverride(t *testing.T) {
	const remote, other = "rightsize-test.invalid", "rightsize-other.invalid"
	settings := func(host, sslmode, rootcert string) PostgresSettings {
		return PostgresSettings{Host: host, Port: 5432, Database: "postgres", Username: "rightsize", SSLMode: sslmode,
			SSLRootCert: rootcert, ConnectTimeout: 2 * time.Second}
	}
	none := settings("", "", "")
	local := settings("127.0.0.1", "disable", "")
	remotePrefer := settings(remote, "", "")
	remoteVerified := settings(remote, "verify-full", "/ca.pem")
	homeRootCrt := none // resolved where ~/.postgresql/root.crt exists, which the connection reads
	homeRootCrt.defaultRootCert = "/home/ops/.postgresql/root.crt"
	now := utilizationAccNow()
	aws := sandboxProviderData(t, "demo", now)
	withPostgres := func(pg PostgresSettings) *ProviderData {
		pd := *aws
		pd.Postgres = pg
		return &pd
	}
	rec := map[string]tftypes.Value{
		"db_cluster_identifier": tftypes.NewValue(tftypes.String, "sso-prod"),
		"end_time":              tftypes.NewValue(tftypes.String, now.Format(time.RFC3339)),
	}
	for _, c := range []struct {
		name     string
		ds       datasource.DataSource
		base     PostgresSettings
		vals     map[string]tftypes.Value
		postgres map[string]string
		at       path.Path // empty: no warning
		want     []string  // substrings of the detail
	}{
		{"no provider postgres, host set here", NewPostgresStatsDataSource(), none, nil, map[string]string{"host": remote},
			path.Root("postgres").AtName("host"), []string{`This data source's PostgreSQL connection to "` + remote + `"`,
				`sslmode is not set, so it is libpq's default "prefer"`, "would receive the password, in cleartext if it refuses TLS",
				`Set postgres.sslmode = "verify-full" and postgres.sslrootcert (in this data source's postgres attribute, or in the provider's postgres block)`,
				rdsCABundleURL}},
		{"local provider, remote host here", NewPostgresStatsDataSource(), local, nil, map[string]string{"host": remote},
			path.Root("postgres").AtName("host"), []string{`sslmode is "disable", from the provider's postgres.sslmode or PGSSLMODE`, "in cleartext."}},
		{"verified provider, sslmode disable here", NewPostgresStatsDataSource(), remoteVerified, nil, map[string]string{"sslmode": "disable"},
			path.Root("postgres").AtName("sslmode"), []string{`connection to "` + remote + `"`, `this data source's postgres.sslmode is "disable"`}},
		{"host and sslmode here", NewPostgresStatsDataSource(), none, nil, map[string]string{"host": remote, "sslmode": "require"},
			path.Root("postgres").AtName("sslmode"), []string{`this data source's postgres.sslmode is "require"`, "over TLS, whatever certificate it presents"}},
		{"warned provider, another host here", NewPostgresStatsDataSource(), remotePrefer, nil, map[string]string{"host": other},
			path.Root("postgres").AtName("host"), []string{`connection to "` + other + `"`}},
		{"warned provider, another sslmode here", NewPostgresStatsDataSource(), remotePrefer, nil, map[string]string{"sslmode": "allow"},
			path.Root("postgres").AtName("sslmode"), []string{`this data source's postgres.sslmode is "allow"`}},
		{"warned provider, same connection", NewPostgresStatsDataSource(), remotePrefer, nil, map[string]string{"database": "chat"}, path.Empty(), nil},
		{"warned provider, no override", NewPostgresStatsDataSource(), remotePrefer, nil, nil, path.Empty(), nil},
		{"verified here", NewPostgresStatsDataSource(), none, nil, map[string]string{"host": remote, "sslmode": "verify-full", "sslrootcert": "/ca.pem"}, path.Empty(), nil},
		{"require here, ~/.postgresql/root.crt", NewPostgresStatsDataSource(), homeRootCrt, nil, map[string]string{"host": remote, "sslmode": "require"}, path.Empty(), nil},
		{"allow here, ~/.postgresql/root.crt", NewPostgresStatsDataSource(), homeRootCrt, nil, map[string]string{"host": remote, "sslmode": "allow"},
			path.Root("postgres").AtName("sslmode"), []string{`this data source's postgres.sslmode is "allow"`,
				"The root CA file /home/ops/.postgresql/root.crt, which the connection reads when sslrootcert is not set",
				`Set postgres.sslmode = "verify-full" (in this data source's postgres attribute, or in the provider's postgres block) to check`}},
		{"local socket here", NewPostgresStatsDataSource(), remotePrefer, nil, map[string]string{"host": "/nonexistent/rightsize-socket"}, path.Empty(), nil},
		{"recommendation, host set here", NewSingleNodeRecommendationDataSource(), none, rec, map[string]string{"host": remote},
			path.Root("postgres").AtName("host"), []string{`This data source's PostgreSQL connection to "` + remote + `"`}},
		{"recommendation, use_provider_postgres", NewSingleNodeRecommendationDataSource(), remotePrefer,
			map[string]tftypes.Value{"db_cluster_identifier": rec["db_cluster_identifier"], "end_time": rec["end_time"],
				"use_provider_postgres": tftypes.NewValue(tftypes.Bool, true)}, nil, path.Empty(), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			diags := readDataSource(t, c.ds, withPostgres(c.base), c.vals, c.postgres)
			var got []diag.Diagnostic
			for _, d := range diags.Warnings() {
				if d.Summary() == "PostgreSQL Server Identity Not Verified" {
					got = append(got, d)
				}
			}
			if c.at.Equal(path.Empty()) {
				if len(got) != 0 {
					t.Errorf("unexpected warning: %s", got[0].Detail())
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d server identity warnings, want 1: %v", len(got), diags)
			}
			if wp, ok := got[0].(diag.DiagnosticWithPath); !ok || !wp.Path().Equal(c.at) {
				t.Errorf("the warning is not on %s: %#v", c.at, got[0])
			}
			for _, w := range c.want {
				if !strings.Contains(got[0].Detail(), w) {
					t.Errorf("warning detail lacks %q: %s", w, got[0].Detail())
				}
			}
		})
	}
}

// rightsize_single_node_recommendation gives each recommendation warning under its own title,
// naming the issue (rightsizing.Warning), not one title for all.
func TestReadRecommendationWarningTitles(t *testing.T) {
	now := utilizationAccNow()
	diags := readDataSource(t, NewSingleNodeRecommendationDataSource(), sandboxProviderData(t, "demo", now), map[string]tftypes.Value{
		"db_instance_identifier": tftypes.NewValue(tftypes.String, "mandible-prod"),
		"lookback_days":          tftypes.NewValue(tftypes.Number, 28),
		"end_time":               tftypes.NewValue(tftypes.String, now.Format(time.RFC3339)),
	}, nil)
	if diags.HasError() {
		t.Fatalf("read: %v", diags)
	}
	got := map[string]string{}
	for _, d := range diags.Warnings() {
		got[d.Summary()] = d.Detail()
	}
	want := map[string]string{
		"Coarser Period Forced by Retention":           "the window starts " + now.Add(-28*24*time.Hour).UTC().Truncate(5*time.Minute).Format(time.RFC3339) + ", more than 15 days ago, and CloudWatch keeps 1-minute data 15 days (a lookback of 28 days",
		"Pinned Window Changes When Datapoints Expire": "end_time pins this window, but CloudWatch keeps its 300-second datapoints for 63 days",
	}
	if len(got) != len(want) {
		t.Errorf("warnings %q, want %d titled %q", got, len(want), want)
	}
	for title, detail := range want {
		if !strings.HasPrefix(got[title], detail) {
			t.Errorf("warning %q: %q, want it to start %q (warnings %q)", title, got[title], detail, got)
		}
	}
}
