package sandbox

import (
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
)

// Static credentials the sandbox hands out (any signed credentials are
// accepted; these are only a convenience).
const (
	AccessKeyID     = "AKIASANDBOX000000000"
	SecretAccessKey = "sandbox-secret-access-key"
)

// AWSConfig returns an aws.Config for the real SDK clients: the scenario's
// region, static credentials and BaseEndpoint = URL(), so
// rds.NewFromConfig(srv.AWSConfig()), cloudwatch.NewFromConfig(srv.AWSConfig())
// and applicationautoscaling.NewFromConfig(srv.AWSConfig()) talk to this sandbox. Outside Go, the same is achieved with the environment
// AWS_ENDPOINT_URL=<URL()> AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=…
// AWS_SECRET_ACCESS_KEY=… (see Env).
func (s *Server) AWSConfig() aws.Config {
	return aws.Config{
		Region:       s.st.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		BaseEndpoint: aws.String(s.url),
		// The provider's own client (a smithy-go/net/http race closes connections otherwise).
		HTTPClient: sdkhttp.Wrap(nil),
	}
}

// Env returns the environment variables that make any AWS SDK or CLI (and the
// provider, through config.LoadDefaultConfig) use this sandbox, as KEY=VALUE.
// AWS_ENDPOINT_URL applies to every service, so RDS, CloudWatch and
// Application Auto Scaling clients all reach the sandbox.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.url,
		"AWS_REGION=" + s.st.Region,
		"AWS_ACCESS_KEY_ID=" + AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + SecretAccessKey,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// checkSignature does what AWS's front door does before any API logic: the
// request must carry a SigV4 Authorization header whose credential scope names
// the sandbox's region and the right signing service ("rds", "monitoring" or
// "application-autoscaling"). It returns the HTTP status, error code (in its
// query-protocol form; asSignatureCode gives the awsJson one) and message of
// the rejection, or status 0. Signatures themselves are not verified.
func (s *Server) checkSignature(r *http.Request, service string) (int, string, string) {
	if s.opts.AllowUnsigned {
		return 0, "", ""
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return 403, "MissingAuthenticationToken", "Request is missing Authentication Token"
	}
	i := strings.Index(auth, "Credential=")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") || i < 0 {
		return 400, "IncompleteSignature", "Authorization header requires a SigV4 'Credential' parameter."
	}
	cred := auth[i+len("Credential="):]
	if j := strings.IndexAny(cred, ", "); j >= 0 {
		cred = cred[:j]
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return 400, "IncompleteSignature", "Credential scope " + cred + " is malformed."
	}
	if parts[2] != s.st.Region {
		return 403, "SignatureDoesNotMatch", "Credential should be scoped to a valid region, not '" + parts[2] + "'. (The sandbox emulates region " + s.st.Region + ".)"
	}
	if parts[3] != service {
		return 403, "SignatureDoesNotMatch", "Credential should be scoped to correct service: '" + service + "'."
	}
	return 0, "", ""
}
