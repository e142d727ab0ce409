package provider

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go/logging"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/acctest"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

// TestAWSRetriesAreLogged: a call the SDK retries (throttling) leaves its retries in Terraform's
// provider log, with the request's fields, and nothing of the credentials: the access key ID,
// the secret key and the session token appear in no line.
func TestAWSRetriesAreLogged(t *testing.T) {
	srv := acctest.StartSandbox(t, sandbox.Options{})
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	cfg, err := loadAWSConfig(ctx, providerModel{Region: types.StringValue("us-east-1"), MaxRetries: types.Int64Value(3),
		AccessKey: types.StringValue("AKIDLOGCANARY"), SecretKey: types.StringValue("secret-log-canary"), Token: types.StringValue("token-log-canary")})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClientLogMode&(aws.LogRequest|aws.LogRequestWithBody|aws.LogSigning|aws.LogResponse|aws.LogResponseWithBody) != 0 {
		t.Fatalf("ClientLogMode %b logs requests, responses or signing, whose headers carry the credentials", cfg.ClientLogMode)
	}
	api := rds.NewFromConfig(cfg, func(o *rds.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	srv.InjectSequence("DescribeDBInstances", sandbox.FaultThrottling)
	if _, err := api.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{}); err != nil {
		t.Fatal(err)
	}
	// An answer the provider expects (not found) is TRACE.
	if _, err := api.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("no-such-db")}); err == nil {
		t.Fatal("no-such-db found")
	}
	out := buf.String()
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "unretryable error") && !strings.Contains(l, `"@level":"trace"`) {
			t.Errorf("an unretryable call's line is not TRACE: %s", l)
		}
	}
	if !strings.Contains(out, "DBInstanceNotFound") {
		t.Errorf("the unretryable call is not in the log:\n%s", out)
	}
	if !strings.Contains(out, `"@message":"retrying request RDS/DescribeDBInstances, attempt 2"`) || !strings.Contains(out, `"aws_sdk":true`) {
		t.Errorf("the SDK's retry is not in the log:\n%s", out)
	}
	for _, secret := range []string{"AKIDLOGCANARY", "secret-log-canary", "token-log-canary"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q:\n%s", secret, out)
		}
	}
}

// The SDK's warnings (logging.Warn) go to Terraform's log at WARN, tagged aws_sdk, so that
// TF_LOG=WARN shows them; its retries stay at DEBUG.
func TestSDKWarningsAreWarn(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	l := sdkLogger{}.WithContext(ctx)
	l.Logf(logging.Warn, "Response has no supported checksum. Not validating response payload.")
	l.Logf(logging.Debug, "retrying request RDS/DescribeDBInstances, attempt 2")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"@level":"warn"`) || !strings.Contains(lines[0], `"aws_sdk":true`) ||
		!strings.Contains(lines[1], `"@level":"debug"`) {
		t.Errorf("log:\n%s\nwant the warning at WARN and the retry at DEBUG, each tagged aws_sdk", buf.String())
	}
}
