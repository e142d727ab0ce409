package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/logging"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// awsClientLogMode is what the AWS SDK logs of each call: its retries only ("retrying request
// RDS/DescribeDBInstances, attempt 2", "request failed with unretryable error ...", "max retry
// attempts exhausted"), which show a throttled or failing call the provider's own messages only
// report once it gives up. Never aws.LogRequest or aws.LogSigning: they log the signed headers
// (the access key ID, the signature and X-Amz-Security-Token, the session token).
const awsClientLogMode = aws.LogRetries

// sdkLogger routes the AWS SDK's log lines into Terraform's provider log (tflog), with the
// request's context and so its fields (tf_rpc, tf_req_id, the resource's own), instead of the
// SDK's default, the provider process's standard error: retries (awsClientLogMode) at DEBUG,
// a call that failed without a retry at TRACE, the SDK's warnings at WARN. Lines are tagged aws_sdk = true for a search of the log.
type sdkLogger struct{ ctx context.Context }

var _ logging.ContextLogger = sdkLogger{}

// Logf implements logging.Logger.
func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	ctx := l.ctx
	if ctx == nil {
		return // no request: no Terraform log to write to
	}
	msg := fmt.Sprintf(format, v...)
	fields := map[string]any{"aws_sdk": true}
	switch {
	case c == logging.Warn:
		tflog.Warn(ctx, msg, fields)
	case strings.HasPrefix(format, sdkUnretryable):
		// Most are answers the provider expects (a guard snapshot not found before it is
		// taken), and it reports those it does not: TRACE, or DEBUG would read as failures.
		tflog.Trace(ctx, msg, fields)
	default:
		tflog.Debug(ctx, msg, fields)
	}
}

// sdkUnretryable begins the SDK's log line of a call that failed without a retry
// (aws/retry.Attempt).
const sdkUnretryable = "request failed with unretryable error"

// WithContext implements logging.ContextLogger: the SDK calls it with each request's context.
func (l sdkLogger) WithContext(ctx context.Context) logging.Logger { return sdkLogger{ctx: ctx} }
