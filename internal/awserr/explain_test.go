package awserr

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// The tests below get every error from a real aws-sdk-go-v2 client call, against a closed port,
// an httptest server on 127.0.0.1, the sandbox emulator, or a DNS server on 127.0.0.1; none
// reaches the network.

// fastRetryer is the SDK's standard retryer with attempts attempts, no backoff and no retry
// quota, so that a test of the retries' outcome takes no time.
func fastRetryer(attempts int) func() aws.Retryer {
	return func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = attempts
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = ratelimit.None
		})
	}
}

// testConfig is an aws.Config with static credentials in us-east-1 whose calls end at endpoint
// ("" for AWS's own endpoint of the region) after attempts attempts.
func testConfig(endpoint string, attempts int) aws.Config {
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIAEXAMPLE000000000", "secret", ""),
		Retryer:     fastRetryer(attempts),
	}
	if endpoint != "" {
		cfg.BaseEndpoint = aws.String(endpoint)
	}
	return cfg
}

// closedPort returns a 127.0.0.1 address nothing listens on: a port that was free a moment ago.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func callCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// mustExplain calls Explain on err, which must not be nil, and checks that it is classified with
// title and that the hint contains every string of want.
func mustExplain(t *testing.T, err error, title string, want ...string) string {
	t.Helper()
	if err == nil {
		t.Fatal("the call succeeded; want an error")
	}
	gotTitle, hint, ok := Explain(err)
	if !ok || gotTitle != title {
		t.Fatalf("Explain(%v) = %q, ok %t; want %q", err, gotTitle, ok, title)
	}
	for _, w := range want {
		if !strings.Contains(hint, w) {
			t.Errorf("hint does not contain %q:\n%s\nerror: %v", w, hint, err)
		}
	}
	if !strings.HasSuffix(hint, ".") {
		t.Errorf("hint does not end with a period: %q", hint)
	}
	t.Logf("%s\n%s\n\n%v", gotTitle, hint, err)
	return hint
}

// The first example of the review: endpoints.rds at a port nothing listens on.
func TestExplainConnectionRefused(t *testing.T) {
	addr := closedPort(t)
	client := rds.NewFromConfig(testConfig("http://"+addr, 2))
	_, err := client.DescribeDBClusters(callCtx(t), &rds.DescribeDBClustersInput{})
	mustExplain(t, err, "AWS Endpoint Unreachable", "could not connect", addr, "all 2 attempts",
		"RDS DescribeDBClusters", "endpoints.rds", "custom endpoint")
	if got := IAMAction(err); got != "rds:DescribeDBClusters" {
		t.Errorf("IAMAction = %q", got)
	}
}

// The second example: no credentials anywhere. The config comes from config.LoadDefaultConfig
// in an environment with no credential source, so the credentials provider is the default
// chain's last resort, the EC2 instance role, with IMDS disabled so that nothing is sent.
func TestExplainNoCredentials(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY",
		"AWS_SECRET_KEY", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_RDS"} {
		t.Setenv(k, "")
		if err := os.Unsetenv(k); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	ctx := callCtx(t)
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"), config.WithRetryMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	client := rds.NewFromConfig(cfg, func(o *rds.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	_, err = client.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{})
	mustExplain(t, err, "AWS Credentials Not Available", "RDS DescribeDBClusters", "access_key and secret_key", "profile",
		"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SHARED_CREDENTIALS_FILE", "EC2 instance role")
	if !strings.Contains(err.Error(), "get identity") || hits.Load() != 0 {
		t.Errorf("want the SDK's own failure to get credentials, before sending: %d requests, %v", hits.Load(), err)
	}
}

// rdsError starts an httptest server that answers every request with an RDS (query protocol)
// error of code and HTTP status, and counts the requests.
func rdsError(t *testing.T, status int, code, message string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>`+
			`<RequestId>x</RequestId></ErrorResponse>`, code, message)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// Each AWS error code, as a real RDS client decodes it from an ErrorResponse.
func TestExplainAPIErrors(t *testing.T) {
	for _, tc := range []struct {
		status        int
		code, message string
		title         string // "" for an error Explain leaves to the caller
		want          []string
	}{
		{403, "AccessDenied", "User: arn:aws:iam::123456789012:user/u is not authorized to perform: rds:DescribeDBInstances",
			"AWS Permission Denied", []string{"rds:DescribeDBInstances", "RDS DescribeDBInstances (AccessDenied)", "assume_role.role_arn"}},
		{403, "UnauthorizedOperation", "You are not authorized to perform this operation.",
			"AWS Permission Denied", []string{"rds:DescribeDBInstances", "(UnauthorizedOperation)"}},
		{400, "AccessDeniedException", "Access denied.", // classified by its code alone
			"AWS Permission Denied", []string{"rds:DescribeDBInstances", "(AccessDeniedException)"}},
		{403, "AuthorizationError", "User is not authorized to perform rds:DescribeDBInstances",
			"AWS Permission Denied", []string{"rds:DescribeDBInstances"}},
		{403, "ExpiredToken", "The security token included in the request is expired",
			"AWS Credentials Expired", []string{"(ExpiredToken)", "token", "AWS_SESSION_TOKEN", "aws sso login", "assume_role.duration"}},
		{400, "ExpiredTokenException", "The security token included in the request is expired",
			"AWS Credentials Expired", []string{"(ExpiredTokenException)"}},
		{400, "RequestExpired", "Request has expired.",
			"AWS Request Expired", []string{"(RequestExpired)", "clock"}},
		{403, "InvalidClientTokenId", "The security token included in the request is invalid.",
			"AWS Credentials Invalid", []string{"(InvalidClientTokenId)", "access_key", "AWS_ACCESS_KEY_ID", "token"}},
		{400, "UnrecognizedClientException", "The security token included in the request is invalid.",
			"AWS Credentials Invalid", []string{"(UnrecognizedClientException)", "access_key"}},
		{403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.",
			"AWS Credentials Invalid", []string{"(SignatureDoesNotMatch)", "secret_key", "AWS_SECRET_ACCESS_KEY"}},
		{403, "MissingAuthenticationToken", "Request is missing Authentication Token",
			"AWS Credentials Not Available", []string{"access_key", "AWS_PROFILE"}},
		{400, "Throttling", "Rate exceeded",
			"AWS Request Throttled", []string{"(Throttling)", "all 2 attempts", "max_retries", "RDS DescribeDBInstances"}},
		{400, "InvalidParameterValue", "Invalid database identifier", "", nil},
		{404, "DBInstanceNotFound", "DBInstance x not found.", "", nil},
		{500, "InternalFailure", "boom", "", nil},
	} {
		t.Run(tc.code, func(t *testing.T) {
			srv, hits := rdsError(t, tc.status, tc.code, tc.message)
			client := rds.NewFromConfig(testConfig(srv.URL, 2))
			_, err := client.DescribeDBInstances(callCtx(t), &rds.DescribeDBInstancesInput{})
			if Code(err) != tc.code {
				t.Fatalf("the SDK's error has code %q, want %q: %v", Code(err), tc.code, err)
			}
			if tc.title == "" {
				if title, hint, ok := Explain(err); ok || title != "" || hint != "" {
					t.Errorf("Explain(%v) = %q, %q, %t; want nothing", err, title, hint, ok)
				}
				return
			}
			mustExplain(t, err, tc.title, tc.want...)
			if tc.code == "Throttling" && hits.Load() != 2 {
				t.Errorf("%d requests, want 2 (the retries)", hits.Load())
			}
		})
	}
}

// CloudWatch's errors (a protocol of its own) from the sandbox: the IAM action is
// cloudwatch:GetMetricData; an unsigned request and one signed for another region are refused
// the way AWS refuses them.
func TestExplainCloudWatchSandbox(t *testing.T) {
	srv, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	now := time.Now()
	input := &cloudwatch.GetMetricDataInput{
		StartTime:         aws.Time(now.Add(-time.Hour)),
		EndTime:           aws.Time(now),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("m1"), Expression: aws.String("1")}},
	}
	getMetricData := func(t *testing.T, cfg aws.Config) error {
		t.Helper()
		cfg.Retryer = fastRetryer(2)
		_, err := cloudwatch.NewFromConfig(cfg).GetMetricData(callCtx(t), input)
		return err
	}

	t.Run("AccessDenied", func(t *testing.T) {
		srv.InjectFaults(sandbox.FaultRule{Operation: "cloudwatch:GetMetricData", Sequence: []sandbox.Fault{{Kind: sandbox.FaultError,
			Status: 403, Code: "AccessDenied", Message: "User: arn:aws:iam::123456789012:user/u is not authorized to perform: cloudwatch:GetMetricData"}}})
		mustExplain(t, getMetricData(t, srv.AWSConfig()), "AWS Permission Denied", "cloudwatch:GetMetricData", "CloudWatch GetMetricData")
	})
	t.Run("Throttling", func(t *testing.T) {
		srv.InjectSequence("cloudwatch:GetMetricData", sandbox.FaultThrottling, sandbox.FaultThrottling)
		mustExplain(t, getMetricData(t, srv.AWSConfig()), "AWS Request Throttled", "CloudWatch GetMetricData", "all 2 attempts", "max_retries")
	})
	t.Run("Unsigned", func(t *testing.T) {
		cfg := srv.AWSConfig()
		cfg.Credentials = aws.AnonymousCredentials{}
		mustExplain(t, getMetricData(t, cfg), "AWS Credentials Not Available", "AWS_ACCESS_KEY_ID")
	})
	t.Run("OtherRegion", func(t *testing.T) {
		cfg := srv.AWSConfig()
		cfg.Region = "eu-west-3"
		mustExplain(t, getMetricData(t, cfg), "AWS Credentials Invalid", "(SignatureDoesNotMatch)", "region")
	})
	t.Run("ConnectionReset", func(t *testing.T) {
		srv.InjectSequence("cloudwatch:GetMetricData", sandbox.FaultConnReset, sandbox.FaultConnReset)
		mustExplain(t, getMetricData(t, srv.AWSConfig()), "AWS Endpoint Unreachable", "endpoints.cloudwatch", "all 2 attempts")
	})
}

// assume_role whose STS AssumeRole is refused: the RDS call fails getting its credentials.
func TestExplainAssumeRoleRefused(t *testing.T) {
	var stsHits atomic.Int32
	stsSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		stsHits.Add(1)
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(403)
		_, _ = fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: `+
			`arn:aws:iam::123456789012:user/u is not authorized to perform: sts:AssumeRole on resource: `+
			`arn:aws:iam::123456789012:role/r</Message></Error><RequestId>x</RequestId></ErrorResponse>`)
	}))
	defer stsSrv.Close()
	rdsSrv, rdsHits := rdsError(t, 500, "InternalFailure", "unreached")

	cfg := testConfig("", 1)
	stsClient := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(stsSrv.URL) })
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, "arn:aws:iam::123456789012:role/r"))
	client := rds.NewFromConfig(cfg, func(o *rds.Options) { o.BaseEndpoint = aws.String(rdsSrv.URL) })
	_, err := client.DescribeDBClusters(callCtx(t), &rds.DescribeDBClustersInput{})
	hint := mustExplain(t, err, "Unable to Assume AWS Role", "RDS DescribeDBClusters", "STS AssumeRole", "assume_role.role_arn",
		"(AccessDenied)", "trust policy", "sts:AssumeRole", "assume_role.external_id")
	if strings.Contains(hint, "rds:DescribeDBClusters") || stsHits.Load() != 1 || rdsHits.Load() != 0 {
		t.Errorf("the refusal is STS's, before RDS is called (STS %d, RDS %d requests)", stsHits.Load(), rdsHits.Load())
	}
	if got := IAMAction(err); got != "rds:DescribeDBClusters" {
		t.Errorf("IAMAction = %q, want the outer call's", got)
	}
}

// TLS: an httptest TLS server whose certificate the client does not trust, one whose certificate
// is not for the host name, and a plain HTTP server reached with https://.
func TestExplainTLS(t *testing.T) {
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes the clients abort
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	plainSrv := httptest.NewServer(http.NotFoundHandler())
	defer plainSrv.Close()

	t.Run("UnknownAuthority", func(t *testing.T) {
		_, err := rds.NewFromConfig(testConfig(tlsSrv.URL, 1)).DescribeDBClusters(callCtx(t), &rds.DescribeDBClustersInput{})
		mustExplain(t, err, "AWS Endpoint TLS Failure", "authority", "endpoints.rds", "AWS_CA_BUNDLE", "http://")
	})
	t.Run("HostName", func(t *testing.T) {
		// The client trusts the server's CA; the certificate is for 127.0.0.1 and example.com,
		// not localhost.
		cfg := testConfig(strings.Replace(tlsSrv.URL, "127.0.0.1", "localhost", 1), 1)
		cfg.HTTPClient = tlsSrv.Client()
		_, err := rds.NewFromConfig(cfg).DescribeDBClusters(callCtx(t), &rds.DescribeDBClustersInput{})
		mustExplain(t, err, "AWS Endpoint TLS Failure", "not for the endpoint's host name", "endpoints.rds")
	})
	t.Run("NotTLS", func(t *testing.T) {
		url := strings.Replace(plainSrv.URL, "http://", "https://", 1)
		_, err := rds.NewFromConfig(testConfig(url, 1)).DescribeDBClusters(callCtx(t), &rds.DescribeDBClustersInput{})
		mustExplain(t, err, "AWS Endpoint TLS Failure", "does not speak TLS", "endpoints.rds")
	})
	t.Run("InterceptedAWSEndpoint", func(t *testing.T) {
		// AWS's own endpoint, rds.us-east-1.amazonaws.com, answered by a server with another
		// host's certificate, as behind a proxy that intercepts TLS.
		cfg := testConfig("", 1)
		cfg.HTTPClient = dialingOnly(tlsSrv.Listener.Addr().String())
		_, err := rds.NewFromConfig(cfg).DescribeDBClusters(callCtx(t), &rds.DescribeDBClustersInput{})
		mustExplain(t, err, "AWS Endpoint TLS Failure", "not for the endpoint's host name", "rds.us-east-1.amazonaws.com is AWS's endpoint",
			"HTTPS_PROXY", "AWS_CA_BUNDLE")
	})
}

// dialingOnly returns an HTTP client for the SDK that connects to addr whatever the request's
// host, so that a request to AWS's own endpoint reaches a test server on 127.0.0.1.
func dialingOnly(addr string) *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.Proxy = nil
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}
	})
}

// AWS's own endpoint of the region, unreachable (here: connected to a closed port).
func TestExplainAWSEndpointUnreachable(t *testing.T) {
	cfg := testConfig("", 2)
	cfg.HTTPClient = dialingOnly(closedPort(t))
	_, err := rds.NewFromConfig(cfg).DescribeDBClusters(callCtx(t), &rds.DescribeDBClustersInput{})
	mustExplain(t, err, "AWS Endpoint Unreachable", "AWS's endpoint rds.us-east-1.amazonaws.com", "check region",
		"HTTPS_PROXY", "all 2 attempts")
}

// An SSO profile without a session (no cached token; "aws sso login" never run): the SDK's
// ssocreds provider fails before any request.
func TestExplainSSOSessionExpired(t *testing.T) {
	home := t.TempDir()
	cfgFile := filepath.Join(home, "config")
	if err := os.WriteFile(cfgFile, []byte("[profile dev]\nsso_start_url = https://example.awsapps.com/start\n"+
		"sso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Admin\nregion = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("AWS_CONFIG_FILE", cfgFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	ctx := callCtx(t)
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile("dev"), config.WithRetryMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	_, err = rds.NewFromConfig(cfg, func(o *rds.Options) { o.BaseEndpoint = aws.String("http://" + closedPort(t)) }).
		DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{})
	mustExplain(t, err, "AWS SSO Session Expired", "aws sso login", "RDS DescribeDBClusters", "profile")
}

// A profile that neither shared file has: config.LoadDefaultConfig's own error.
func TestExplainProfileNotFound(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	_, err := config.LoadDefaultConfig(callCtx(t), config.WithSharedConfigProfile("nosuch"))
	mustExplain(t, err, "AWS Profile Not Found", `"nosuch"`, "AWS_PROFILE", "AWS_CONFIG_FILE")
}

// dnsServer runs a DNS server on 127.0.0.1 (UDP) that answers every query with no records and
// response code rcode (3 NXDOMAIN, 2 SERVFAIL), counting them in queries, and returns an HTTP
// client for the SDK whose resolver asks it alone.
func dnsServer(t *testing.T, rcode uint16, queries *atomic.Int32) *awshttp.BuildableClient {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			queries.Add(1)
			resp := append([]byte(nil), buf[:n]...)
			// QR, opcode and RD as asked, RA, rcode; the question, no records.
			binary.BigEndian.PutUint16(resp[2:], 0x8000|binary.BigEndian.Uint16(buf[2:])&0x7900|0x0080|rcode)
			binary.BigEndian.PutUint16(resp[6:], 0)
			binary.BigEndian.PutUint16(resp[8:], 0)
			binary.BigEndian.PutUint16(resp[10:], 0) // no additional (EDNS) record
			resp = resp[:12+questionLen(resp[12:])]
			_, _ = pc.WriteTo(resp, from)
		}
	}()
	addr := pc.LocalAddr().String()
	resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
	return awshttp.NewBuildableClient().WithDialerOptions(func(d *net.Dialer) { d.Resolver = resolver })
}

// questionLen is the length of the one question at the start of msg: its name, type and class.
func questionLen(msg []byte) int {
	i := 0
	for i < len(msg) && msg[i] != 0 {
		i += int(msg[i]) + 1
	}
	return min(i+1+4, len(msg))
}

// DNS: the endpoint of a region that does not exist (region = "us-east-9"), and a custom endpoint
// whose host does not exist, both resolved by a local DNS server that answers NXDOMAIN.
func TestExplainHostNotFound(t *testing.T) {
	var queries atomic.Int32
	httpClient := dnsServer(t, 3, &queries)

	t.Run("Region", func(t *testing.T) {
		cfg := testConfig("", 1)
		cfg.Region, cfg.HTTPClient = "us-east-9", httpClient
		_, err := rds.NewFromConfig(cfg).DescribeDBClusters(callCtx(t), &rds.DescribeDBClustersInput{})
		mustExplain(t, err, "AWS Endpoint Host Not Found", "rds.us-east-9.amazonaws.com", "Set region", "AWS_REGION")
		if queries.Load() == 0 {
			t.Error("the test's DNS server was not asked")
		}
	})
	t.Run("Endpoint", func(t *testing.T) {
		cfg := testConfig("http://rds.emulator.invalid:4566", 1)
		cfg.HTTPClient = httpClient
		_, err := rds.NewFromConfig(cfg).DescribeDBClusters(callCtx(t), &rds.DescribeDBClustersInput{})
		mustExplain(t, err, "AWS Endpoint Host Not Found", "rds.emulator.invalid", "endpoints.rds")
	})
}

// A DNS server that fails (SERVFAIL) rather than answering that the name does not exist.
func TestExplainNameResolutionFailed(t *testing.T) {
	var queries atomic.Int32
	cfg := testConfig("", 1)
	cfg.HTTPClient = dnsServer(t, 2, &queries)
	_, err := rds.NewFromConfig(cfg).DescribeDBClusters(callCtx(t), &rds.DescribeDBClustersInput{})
	mustExplain(t, err, "AWS Endpoint Name Resolution Failed", "rds.us-east-1.amazonaws.com", "DNS")
	if queries.Load() == 0 {
		t.Error("the test's DNS server was not asked")
	}
}

// The same custom endpoint under .invalid (RFC 2606) with this machine's own resolver, which
// answers it NXDOMAIN without the network, or is skipped if it does not answer within 2 s.
func TestExplainHostNotFoundSystemResolver(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := rds.NewFromConfig(testConfig("http://rds.emulator.invalid:4566", 1)).
		DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{})
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsNotFound {
		t.Skipf("this machine's resolver did not answer NXDOMAIN for a .invalid name within 2 s: %v", err)
	}
	mustExplain(t, err, "AWS Endpoint Host Not Found", "rds.emulator.invalid", "endpoints.rds")
}

// Errors Explain leaves to the caller: a plain one, and the caller's own cancellation and
// deadline, whether the SDK reports them as such (canceled, hanging) or, as the net package does
// for a dial the context ends, inside a *net.OpError (hand-made: it needs an address that drops
// packets, which only the network has).
func TestExplainNotClassified(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, canceled := rds.NewFromConfig(testConfig("http://"+closedPort(t), 1)).DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{})

	ln, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never answers
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				_ = c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, hanging := rds.NewFromConfig(testConfig("http://"+ln.Addr().String(), 1)).DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{})
	dialDeadline := &smithy.OperationError{ServiceID: "RDS", OperationName: "DescribeDBClusters",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: context.DeadlineExceeded}}

	// A failure of something other than an SDK call, such as the topology resource's PostgreSQL
	// connection: a real refused dial, and a DNS failure, wrapped as its callers wrap them. They
	// are not the AWS endpoint's.
	var dialer net.Dialer
	_, refused := dialer.DialContext(context.Background(), "tcp", closedPort(t))
	if refused == nil {
		t.Fatal("dialling a closed port succeeded")
	}
	pgRefused := fmt.Errorf("recording the validation baseline: connecting to PostgreSQL: %w", refused)
	pgDNS := fmt.Errorf("connecting to PostgreSQL: %w", &net.DNSError{Err: "no such host", Name: "db.example.invalid", IsNotFound: true})
	for _, err := range []error{nil, errors.New("plain"), canceled, hanging, dialDeadline, pgRefused, pgDNS} {
		if title, hint, ok := Explain(err); ok || title != "" || hint != "" {
			t.Errorf("Explain(%v) = %q, %q, %t; want nothing", err, title, hint, ok)
		}
	}
	if got := IAMAction(errors.New("plain")); got != "" {
		t.Errorf("IAMAction = %q", got)
	}
}

// AWS's own endpoints of every partition are told from custom ones: a region whose host name does
// not exist is said to be no AWS region (not a custom endpoint to check), and an unreachable one
// is AWS's endpoint (not an emulator that is not running).
func TestExplainAWSEndpointsOfEveryPartition(t *testing.T) {
	for _, region := range []string{"us-east-9", "cn-north-9", "us-gov-west-9", "eusc-de-east-9", "eu-isoe-west-9", "us-isof-east-9", "us-iso-east-9", "us-isob-east-9"} {
		t.Run("not found/"+region, func(t *testing.T) {
			var queries atomic.Int32
			cfg := testConfig("", 1)
			cfg.Region, cfg.HTTPClient = region, dnsServer(t, 3, &queries)
			_, err := rds.NewFromConfig(cfg).DescribeDBClusters(callCtx(t), &rds.DescribeDBClustersInput{})
			_, hint, _ := Explain(err)
			if !strings.Contains(hint, "not an AWS region") || strings.Contains(hint, "custom endpoint") {
				t.Errorf("hint %q, want the region named as no AWS region", hint)
			}
		})
	}
	for _, region := range []string{"us-east-1", "cn-north-1", "eusc-de-east-1", "eu-isoe-west-1", "us-isof-south-1"} {
		t.Run("unreachable/"+region, func(t *testing.T) {
			cfg := testConfig("", 1)
			cfg.Region, cfg.HTTPClient = region, dialingOnly(closedPort(t))
			_, err := rds.NewFromConfig(cfg).DescribeDBClusters(callCtx(t), &rds.DescribeDBClustersInput{})
			_, hint, _ := Explain(err)
			if !strings.Contains(hint, "AWS's endpoint") || strings.Contains(hint, "custom endpoint") {
				t.Errorf("hint %q, want AWS's endpoint named", hint)
			}
		})
	}
}
