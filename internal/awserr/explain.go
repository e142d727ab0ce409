package awserr

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/awspartition"
)

// Explain classifies err, an error returned by a call of an aws-sdk-go-v2 service client (the
// provider's RDS, CloudWatch, Application Auto Scaling, Price List or STS client), by what the
// user can change to fix it. For an error it knows, it returns ok, a title (a diagnostic summary
// in title case, such as "AWS Endpoint Unreachable") and a hint: complete sentences, ending with
// a period, that name the service and operation (and, for a refusal, the IAM action, such as
// rds:DescribeDBClusters) and the provider attributes (region, profile, access_key, secret_key,
// token, max_retries, assume_role.role_arn, endpoints.rds, endpoints.cloudwatch, ...) or
// environment variables to check.
//
// The hint does not repeat err's text, which holds what only it knows (the address, the SDK's
// own wording, the request ID): the caller shows both, as hint + "\n\n" + err.Error().
//
// The classes, tried in this order:
//   - "AWS Profile Not Found": config.LoadDefaultConfig's error for a profile (profile, or
//     AWS_PROFILE) that neither shared file has; the one class that is not of a client call;
//   - credentials the SDK could not get before sending the request: "Unable to Assume AWS Role"
//     when it was STS AssumeRole (assume_role, or a profile's role_arn) that failed, "AWS SSO
//     Session Expired" for an SSO profile without a valid session, else "AWS Credentials Not
//     Available";
//   - AWS error codes: "AWS Permission Denied" (AccessDenied, AccessDeniedException,
//     UnauthorizedOperation, UnauthorizedAccess, AuthorizationError), "AWS Credentials Expired" (ExpiredToken, ExpiredTokenException,
//     TokenRefreshRequired), "AWS Request Expired" (RequestExpired: the clock), "AWS Credentials
//     Invalid" (InvalidClientTokenId, UnrecognizedClientException, InvalidAccessKeyId,
//     AuthFailure, SignatureDoesNotMatch, IncompleteSignature), "AWS Credentials Not Available"
//     (MissingAuthenticationToken: an unsigned request), "AWS Request Throttled" (the throttling
//     codes; the hint counts the attempts when the retryer gave up after several);
//   - failures to reach the endpoint: "AWS Endpoint TLS Failure" (certificate or handshake),
//     "AWS Endpoint Host Not Found" or "AWS Endpoint Name Resolution Failed" (DNS),
//     "AWS Endpoint Unreachable" (the connection was refused, timed out or broke).
//
// Every class but the first needs err to come from an SDK operation (a smithy.OperationError in
// its chain): a refused connection, a DNS or a TLS failure of something else (a PostgreSQL
// connection) is not explained. Any other error, nil, and an error of context cancellation or of the context's deadline (the
// caller's timeout, which it reports itself) give ok false and empty strings: other API errors
// (DBClusterNotFoundFault, InvalidParameterValue, ...) are the caller's to explain.
func Explain(err error) (title, hint string, ok bool) {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "", "", false
	}
	call := callOf(err)
	var noProfile config.SharedConfigProfileNotExistError
	if errors.As(err, &noProfile) {
		files := ""
		if len(noProfile.Filename) > 0 {
			files = " (" + strings.Join(noProfile.Filename, ", ") + ")"
		}
		return "AWS Profile Not Found", fmt.Sprintf("The profile %q is in neither the shared config nor the shared credentials "+
			"file%s. Check profile (or AWS_PROFILE) against the profiles of ~/.aws/config and ~/.aws/credentials, or of "+
			"AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE if they are set.", noProfile.Profile, files), true
	}
	if call.service == "" {
		// Not an SDK call's error: a PostgreSQL connection's refusal, DNS or TLS failure (the
		// topology resource's validation, say) is not the AWS endpoint's.
		return "", "", false
	}
	if identityFailed(err) {
		return explainIdentity(err, call)
	}
	if title, hint, ok := explainAPIError(err, call); ok {
		return title, hint, true
	}
	return explainTransport(err, call)
}

// IAMAction returns the IAM action of the outermost SDK operation err comes from, such as
// "rds:DescribeDBInstances" or "cloudwatch:GetMetricData"; "" if err comes from no operation of a
// service whose IAM prefix this package knows (RDS, CloudWatch, Application Auto Scaling, Price
// List, STS).
func IAMAction(err error) string {
	return callOf(err).action()
}

// service is what Explain knows of an AWS service, by its SDK ServiceID.
type service struct {
	iamPrefix string // the service prefix of its IAM actions
	endpoint  string // the provider attribute of its custom endpoint
}

// services maps the ServiceID of each service client the provider builds (the ServiceID
// constants of the service/* packages) to its IAM prefix and endpoint attribute.
var services = map[string]service{
	"RDS":                      {"rds", "endpoints.rds"},
	"CloudWatch":               {"cloudwatch", "endpoints.cloudwatch"},
	"Application Auto Scaling": {"application-autoscaling", "endpoints.application_autoscaling"},
	"Pricing":                  {"pricing", "endpoints.pricing"},
	"STS":                      {"sts", "endpoints.sts"},
}

// call is the SDK operation an error comes from: the outermost smithy.OperationError in its
// chain (the call the caller made, not one the SDK made to get credentials).
type call struct {
	service, operation string
}

func callOf(err error) call {
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		return call{oe.ServiceID, oe.OperationName}
	}
	return call{}
}

// String names the call for a hint, such as "RDS DescribeDBClusters", or "the AWS call".
func (c call) String() string {
	if c.service == "" {
		return "the AWS call"
	}
	return c.service + " " + c.operation
}

func (c call) action() string {
	s, ok := services[c.service]
	if !ok || c.operation == "" {
		return ""
	}
	return s.iamPrefix + ":" + c.operation
}

// endpointAttr is the provider attribute of the call's endpoint, such as "endpoints.rds", or
// "endpoints" for a service the provider has none for.
func (c call) endpointAttr() string {
	if s, ok := services[c.service]; ok {
		return s.endpoint
	}
	return "endpoints"
}

// walk calls f on err and every error it wraps (Unwrap() error and Unwrap() []error), depth
// first, until f returns true; it reports whether one did.
func walk(err error, f func(error) bool) bool {
	if err == nil {
		return false
	}
	if f(err) {
		return true
	}
	switch u := err.(type) { //nolint:errorlint // walking the chain by hand is the point
	case interface{ Unwrap() error }:
		return walk(u.Unwrap(), f)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if walk(e, f) {
				return true
			}
		}
	}
	return false
}

// identityFailed reports whether the SDK failed to get the credentials to sign the request with,
// so that nothing was sent: the generated clients' auth middleware wraps that error as
// "get identity: %w" (service/*/auth.go), the credentials adapter as "get credentials: %w"
// (aws-sdk-go-v2 internal/auth/smithy). Neither has a type of its own.
func identityFailed(err error) bool {
	return walk(err, func(e error) bool {
		m := e.Error()
		return strings.HasPrefix(m, "get identity: ") || strings.HasPrefix(m, "get credentials: ")
	})
}

// credentialSources is the part of the hints that lists where credentials can come from.
const credentialSources = "Give the provider credentials: access_key and secret_key (with token for temporary " +
	"credentials) or profile in the provider block; or the environment variables AWS_ACCESS_KEY_ID and " +
	"AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN), or AWS_PROFILE naming a profile of the shared config or " +
	"credentials file (~/.aws/config, ~/.aws/credentials, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE); " +
	"or run where a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN), an ECS task role or an " +
	"EC2 instance role provides them."

func explainIdentity(err error, c call) (title, hint string, ok bool) {
	var assume *smithy.OperationError
	walk(err, func(e error) bool {
		oe, isOp := e.(*smithy.OperationError) //nolint:errorlint // one link of the chain, not the chain
		if isOp && oe.ServiceID == "STS" && strings.HasPrefix(oe.OperationName, "AssumeRole") {
			assume = oe
			return true
		}
		return false
	})
	if assume != nil {
		why := "Check"
		switch {
		case PermissionDenied(assume):
			why = "STS refused it (" + Code(assume) + "): check"
		case CredentialsRefused(assume):
			why = "STS refused the base credentials (" + Code(assume) + "): check them (access_key and secret_key, profile, or the default chain), then check"
		case Code(assume) == "":
			why = "STS could not be reached: check endpoints.sts if it is set, and the network; then check"
		}
		return "Unable to Assume AWS Role", fmt.Sprintf("The SDK could not get credentials for %s: STS %s of the role to assume "+
			"(assume_role.role_arn, or the role_arn of the profile) failed, so the call was not sent. %s that the role's trust "+
			"policy lets the base credentials' identity assume it (with assume_role.external_id if the policy requires an "+
			"external ID), and that the identity's policies allow sts:AssumeRole on the role.",
			c, assume.OperationName, why), true
	}
	var sso *ssocreds.InvalidTokenError
	if errors.As(err, &sso) {
		return "AWS SSO Session Expired", fmt.Sprintf("The SDK could not get credentials for %s from the SSO profile (profile, or "+
			"AWS_PROFILE), so the call was not sent: its IAM Identity Center (SSO) session has expired or was never started. "+
			"Run \"aws sso login --profile <name>\" with that profile, then run Terraform again.", c), true
	}
	return "AWS Credentials Not Available", fmt.Sprintf("The SDK could not get AWS credentials to sign %s with, so the call was "+
		"not sent; the error below is that of the last source it tried. With neither profile nor access_key set, the default "+
		"credential chain tries the environment, the shared config and credentials files, web identity, the ECS container "+
		"endpoint and the EC2 instance metadata service (IMDS), in that order. %s", c, credentialSources), true
}

// throttleCodes are the error codes of a throttled request: those of the SDK's standard retryer
// (retry.DefaultThrottleErrorCodes) that mean a request rate, not a quota or a conflict.
var throttleCodes = []string{"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
	"TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled", "SlowDown", "EC2ThrottledException"}

func explainAPIError(err error, c call) (title, hint string, ok bool) {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return "", "", false
	}
	code := ae.ErrorCode()
	switch {
	case PermissionDenied(err) || HasCode(err, "UnauthorizedAccess", "AuthorizationError"):
		action := c.action()
		if action == "" {
			action = "the action of " + c.String()
		}
		return "AWS Permission Denied", fmt.Sprintf("AWS refused %s (%s): the IAM identity of the provider's credentials may not "+
			"call %s. Grant it that action, in a policy of the user or role the credentials are of (those of access_key, "+
			"profile, assume_role.role_arn or the default credential chain), and check that no permissions boundary, "+
			"service control policy or session policy denies it.", c, code, action), true
	case HasCode(err, "ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired"):
		return "AWS Credentials Expired", fmt.Sprintf("AWS refused %s (%s): the temporary credentials the provider signed it with "+
			"have expired. Renew them: a new token with its access_key and secret_key (or AWS_SESSION_TOKEN with "+
			"AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), \"aws sso login\" for an SSO profile, or a longer "+
			"assume_role.duration (up to the role's maximum session duration) for a long apply.", c, code), true
	case HasCode(err, "RequestExpired"):
		return "AWS Request Expired", fmt.Sprintf("AWS refused %s (%s): the time the request was signed at is more than 5 "+
			"minutes from AWS's clock. Set this machine's clock right (NTP); if it is right, renew the temporary "+
			"credentials (token, AWS_SESSION_TOKEN or the profile's).", c, code), true
	case HasCode(err, "SignatureDoesNotMatch", "IncompleteSignature"):
		return "AWS Credentials Invalid", fmt.Sprintf("AWS refused the signature of %s (%s): the secret key does not belong to "+
			"the access key, or the request was signed for another region or service. Check secret_key against access_key "+
			"(or AWS_SECRET_ACCESS_KEY against AWS_ACCESS_KEY_ID, or the profile's aws_secret_access_key), region, and this "+
			"machine's clock; a proxy that changes requests breaks signatures too.", c, code), true
	case HasCode(err, "InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId", "AuthFailure"):
		return "AWS Credentials Invalid", fmt.Sprintf("AWS does not know the credentials %s was signed with (%s). Check "+
			"access_key (or AWS_ACCESS_KEY_ID, or the profile's aws_access_key_id): it must be an active key of this "+
			"partition's account (keys of aws-cn or aws-us-gov fail elsewhere), and token (AWS_SESSION_TOKEN) must be set "+
			"with temporary keys (ASIA...) and left out with long-term ones (AKIA...).", c, code), true
	case HasCode(err, "MissingAuthenticationToken"):
		return "AWS Credentials Not Available", fmt.Sprintf("AWS refused %s (%s): the request was not signed, as no credentials "+
			"were configured for it. %s", c, code, credentialSources), true
	case HasCode(err, throttleCodes...):
		tries := "its retries"
		var me *retry.MaxAttemptsError
		if errors.As(err, &me) && me.Attempt > 1 {
			tries = fmt.Sprintf("all %d attempts", me.Attempt)
		}
		return "AWS Request Throttled", fmt.Sprintf("AWS throttled %s (%s) through %s: the account's request rate for it in "+
			"this region is shared with every other caller. Try again later, or raise max_retries (up to 25) so that the "+
			"SDK retries longer.", c, code, tries), true
	}
	return "", "", false
}

// hostOf is the host name (or address) of the URL rawURL; "" if there is none.
func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// endpointAdvice is the sentence of a transport hint that names what to check: endpoints.<svc>
// when the request went to a host that is not AWS's, else the region and the network.
func endpointAdvice(c call, reqURL string) string {
	attr := c.endpointAttr()
	host := hostOf(reqURL)
	switch {
	case host != "" && !awspartition.AWSHost(host):
		return fmt.Sprintf("The request went to %s, a custom endpoint (%s, or AWS_ENDPOINT_URL): check its scheme, host and "+
			"port, and that the emulator or proxy is running there.", host, attr)
	case host != "":
		return fmt.Sprintf("The request went to AWS's endpoint %s: check region (or AWS_REGION, AWS_DEFAULT_REGION, or the "+
			"profile's region), and the network path to AWS (firewall, HTTPS_PROXY and NO_PROXY).", host)
	}
	return fmt.Sprintf("Check %s if it is set (or AWS_ENDPOINT_URL), region, and the network path to AWS (firewall, "+
		"HTTPS_PROXY and NO_PROXY).", attr)
}

// httpToHTTPS is the error net/http's Transport returns, with no type of its own, in place of the
// tls.RecordHeaderError of an https:// request answered in plain HTTP.
const httpToHTTPS = "http: server gave HTTP response to HTTPS client"

func explainTransport(err error, c call) (title, hint string, ok bool) {
	reqURL := ""
	var ue *url.Error
	if errors.As(err, &ue) {
		reqURL = ue.URL
	}
	attempts := ""
	var me *retry.MaxAttemptsError
	if errors.As(err, &me) && me.Attempt > 1 {
		attempts = fmt.Sprintf(" (all %d attempts)", me.Attempt)
	}

	var (
		unknownCA   x509.UnknownAuthorityError
		badHost     x509.HostnameError
		invalidCert x509.CertificateInvalidError
		verify      *tls.CertificateVerificationError
		notTLS      tls.RecordHeaderError
	)
	tlsWhy := ""
	switch {
	case errors.As(err, &unknownCA):
		tlsWhy = "the server's certificate is signed by an authority this machine does not trust"
	case errors.As(err, &badHost):
		tlsWhy = "the server's certificate is not for the endpoint's host name"
	case errors.As(err, &invalidCert):
		tlsWhy = "the server's certificate is not valid (expired, or not for a server)"
	case errors.As(err, &verify):
		tlsWhy = "the server's certificate could not be verified"
	case errors.As(err, &notTLS) || walk(err, func(e error) bool { return e.Error() == httpToHTTPS }):
		tlsWhy = "the server does not speak TLS (an http:// server reached with https://)"
	}
	if tlsWhy != "" {
		host := hostOf(reqURL)
		advice := fmt.Sprintf("If %s is set (or AWS_ENDPOINT_URL), use http:// in it for an emulator without TLS, or give "+
			"the SDK the CA bundle of one with its own certificate (AWS_CA_BUNDLE, or ca_bundle in the shared config file); "+
			"a proxy that intercepts TLS (HTTPS_PROXY) needs its CA bundle there too.", c.endpointAttr())
		switch {
		case host != "" && !awspartition.AWSHost(host):
			advice = fmt.Sprintf("%s is a custom endpoint (%s, or AWS_ENDPOINT_URL): use http:// in it for an emulator "+
				"without TLS, or give the SDK the CA bundle of one with its own certificate (AWS_CA_BUNDLE, or ca_bundle in "+
				"the shared config file).", host, c.endpointAttr())
		case host != "":
			advice = fmt.Sprintf("%s is AWS's endpoint, so something on the way intercepts TLS (a proxy: HTTPS_PROXY): give "+
				"the SDK its CA bundle (AWS_CA_BUNDLE, or ca_bundle in the shared config file), or bypass it (NO_PROXY).", host)
		}
		return "AWS Endpoint TLS Failure", fmt.Sprintf("The TLS connection for %s failed%s: %s. %s", c, attempts, tlsWhy, advice), true
	}

	var de *net.DNSError
	if errors.As(err, &de) {
		attr := c.endpointAttr()
		if !de.IsNotFound {
			return "AWS Endpoint Name Resolution Failed", fmt.Sprintf("The endpoint host name of %s, %s, could not be "+
				"resolved%s: the DNS server failed or did not answer. Check this machine's network and DNS (or a proxy: HTTPS_PROXY).",
				c, de.Name, attempts), true
		}
		if awspartition.AWSHost(de.Name) {
			return "AWS Endpoint Host Not Found", fmt.Sprintf("The endpoint host name of %s, %s, does not exist: the region it "+
				"names is not an AWS region where the service is. Set region (or AWS_REGION, AWS_DEFAULT_REGION, or the "+
				"profile's region) to one such as us-east-1, or check %s if it is set.", c, de.Name, attr), true
		}
		return "AWS Endpoint Host Not Found", fmt.Sprintf("The host name of the custom endpoint of %s, %s, does not exist. "+
			"Check %s (or AWS_ENDPOINT_URL): its host must resolve from this machine.", c, de.Name, attr), true
	}

	var oe *net.OpError
	if errors.As(err, &oe) {
		what := "could not connect to"
		if oe.Op != "dial" {
			what = "lost the connection to"
		}
		addr := ""
		if oe.Addr != nil {
			addr = " at " + oe.Addr.String()
		}
		return "AWS Endpoint Unreachable", fmt.Sprintf("The SDK %s the endpoint%s%s, so %s got no answer. %s",
			what, addr, attempts, c, endpointAdvice(c, reqURL)), true
	}
	return "", "", false
}
