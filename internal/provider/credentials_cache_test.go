package provider

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// countingCredentials hands out credentials that expire after lifetime, counting retrievals.
type countingCredentials struct {
	lifetime time.Duration
	n        int
}

func (c *countingCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	c.n++
	return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret", SessionToken: "token",
		CanExpire: true, Expires: time.Now().Add(c.lifetime)}, nil
}

// The assumed role's credentials are renewed ahead of their expiry: ones with 4 minutes left are
// fetched again at once (inside the 5-minute window), ones with an hour left are reused.
func TestAssumedRoleCacheRenewsAhead(t *testing.T) {
	ctx := context.Background()
	short := &countingCredentials{lifetime: 4 * time.Minute}
	c := assumedRoleCache(short)
	for range 2 {
		if _, err := c.Retrieve(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if short.n != 2 {
		t.Errorf("credentials with 4 minutes left retrieved %d times in 2 calls, want 2 (renewed within %s of expiry)", short.n, credentialsExpiryWindow)
	}
	long := &countingCredentials{lifetime: time.Hour}
	c = assumedRoleCache(long)
	for range 2 {
		if _, err := c.Retrieve(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if long.n != 1 {
		t.Errorf("credentials with an hour left retrieved %d times in 2 calls, want 1", long.n)
	}
}
