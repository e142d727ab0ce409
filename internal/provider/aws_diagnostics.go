package provider

import (
	"errors"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/awserr"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
)

// awsErrorDiag is the summary and detail of an error diagnostic for err, the failure of an AWS
// call made for what title says ("Unable to Describe DB Deployment"; context, when set, is a
// sentence of what was being done, which the detail begins with). When awserr.Explain knows the
// failure (an endpoint not reached, credentials not found or refused, an action not allowed,
// throttling, but not CloudWatch throttling that outlasted the collector's own retries), the
// summary is its title and the detail begins with its hint, which names the
// provider attribute or environment variable to fix; err's own text follows either way. Otherwise
// the summary is title, and unknown, a sentence of what to check, ends the detail when set.
func awsErrorDiag(title, context string, err error, unknown string) (summary, detail string) {
	detail = err.Error()
	if context != "" {
		detail = context + ": " + detail
	}
	if be := (*cloudwatch.BatchError)(nil); errors.As(err, &be) && be.Throttled {
		// The collector's own retries ran out (its error counts them), not the SDK's, which
		// Explain would speak of.
		return title, detail + ". CloudWatch throttled or failed the requests until the retries ran out: try again later, or raise max_retries."
	}
	if t, hint, ok := awserr.Explain(err); ok {
		return t, hint + "\n\n" + detail
	}
	if unknown != "" {
		detail += ". " + unknown
	}
	return title, detail
}

// addAWSError adds err, an AWS call's failure, as an error (see awsErrorDiag).
func addAWSError(diags diagAdder, title, context string, err error, unknown string) {
	diags.AddError(awsErrorDiag(title, context, err, unknown))
}
