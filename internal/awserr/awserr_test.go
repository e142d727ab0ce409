package awserr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

func TestClassify(t *testing.T) {
	api := func(code string) error {
		return fmt.Errorf("operation error RDS: wrapped: %w", &smithy.GenericAPIError{Code: code, Message: "m"})
	}
	for _, tc := range []struct {
		err                 error
		code                string
		denied, credentials bool
	}{
		{api("AccessDenied"), "AccessDenied", true, true},
		{api("accessdeniedexception"), "accessdeniedexception", true, true},
		{api("UnauthorizedOperation"), "UnauthorizedOperation", true, true},
		{api("UnauthorizedAccess"), "UnauthorizedAccess", false, true},
		{api("ExpiredToken"), "ExpiredToken", false, true},
		{api("SignatureDoesNotMatch"), "SignatureDoesNotMatch", false, true},
		{api("InvalidParameterValue"), "InvalidParameterValue", false, false},
		{errors.New("AccessDenied"), "", false, false},
		{nil, "", false, false},
	} {
		if got := Code(tc.err); got != tc.code {
			t.Errorf("Code(%v) = %q, want %q", tc.err, got, tc.code)
		}
		if got := PermissionDenied(tc.err); got != tc.denied {
			t.Errorf("PermissionDenied(%v) = %t", tc.err, got)
		}
		if got := CredentialsRefused(tc.err); got != tc.credentials {
			t.Errorf("CredentialsRefused(%v) = %t", tc.err, got)
		}
	}
	if !HasCode(api("Throttling"), "x", "THROTTLING") || HasCode(api("Throttling")) {
		t.Error("HasCode")
	}
}
