// Package awserr classifies the errors AWS service APIs return by their error code, for the
// packages that call RDS: one list of the codes that mean the caller's permissions or credentials
// were refused, rather than one per caller. Explain turns the error of an SDK call that could not
// reach AWS, get credentials, or was refused them or throttled into a title and a hint that name
// what the user can set.
package awserr

import (
	"errors"
	"strings"

	"github.com/aws/smithy-go"
)

// Code returns the AWS error code of err, or of the API error it wraps; "" if there is none.
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// HasCode reports whether err's AWS error code (Code) is one of codes, compared without regard to
// case; false for an error that is not an API error.
func HasCode(err error, codes ...string) bool {
	c := Code(err)
	if c == "" {
		return false
	}
	for _, want := range codes {
		if strings.EqualFold(c, want) {
			return true
		}
	}
	return false
}

// PermissionDenied reports whether AWS refused a call because the caller's permissions do not
// allow it (granting the action fixes it).
func PermissionDenied(err error) bool {
	return HasCode(err, "AccessDenied", "AccessDeniedException", "UnauthorizedOperation")
}

// CredentialsRefused reports whether AWS refused a call for the caller's credentials or
// permissions, not for the request itself: PermissionDenied, or credentials that are expired,
// unknown or badly signed.
func CredentialsRefused(err error) bool {
	return PermissionDenied(err) || HasCode(err, "UnauthorizedAccess",
		"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId", "UnrecognizedClientException",
		"SignatureDoesNotMatch", "AuthFailure")
}
