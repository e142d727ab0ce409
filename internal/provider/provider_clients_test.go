package provider

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/inventory"
)

// TestRetryerHasNoClientQuota: the RDS client the provider builds retries a throttled call up
// to max_retries attempts however many other calls of the plan were throttled before it. The
// SDK's default retry quota (500 tokens, 5 a retry) is one per client: with it, the ~100th
// throttled retry among a fleet's recommendations failed at once with "retry quota exceeded".
func TestRetryerHasNoClientQuota(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []string{"", "standard", "adaptive"} {
		t.Run("AWS_RETRY_MODE="+mode, func(t *testing.T) {
			t.Setenv("AWS_RETRY_MODE", mode)
			cfg, err := loadAWSConfig(ctx, providerModel{Region: types.StringValue("us-east-1"), MaxRetries: types.Int64Value(7),
				AccessKey: types.StringValue("AKIDEXAMPLE"), SecretKey: types.StringValue("secret")})
			if err != nil {
				t.Fatal(err)
			}
			r := rds.NewFromConfig(cfg).Options().Retryer
			if got := r.MaxAttempts(); got != 7 {
				t.Errorf("MaxAttempts = %d, want max_retries 7", got)
			}
			if _, adaptive := r.(*retry.AdaptiveMode); adaptive != (mode == "adaptive") {
				t.Errorf("retryer %T for retry mode %q: the configured mode is not kept", r, mode)
			}
			throttled := &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
			if !r.IsErrorRetryable(throttled) {
				t.Fatal("a Throttling error is not retryable")
			}
			for i := range 1000 {
				if _, err := r.GetRetryToken(ctx, throttled); err != nil {
					t.Fatalf("retry %d of throttled calls refused by a client-side quota: %v", i+1, err)
				}
			}
		})
	}
}

// TestRecommendationsShareListings: the recommendation and fleet data sources read RDS through
// the provider's SharedListings (one region-wide listing per plan, not one per deployment),
// which shares its calls with nothing the resource does.
func TestRecommendationsShareListings(t *testing.T) {
	pd, _ := configuredData(t, nil)
	if pd == nil || pd.Listings == nil {
		t.Fatalf("Configure gave %+v, want ProviderData with Listings", pd)
	}
	var diags diag.Diagnostics
	d, ok := recommendationDeps(pd, &diags)
	if !ok || diags.HasError() {
		t.Fatalf("recommendationDeps: %v", diags)
	}
	if s, isShared := d.RDS.(*inventory.SharedListings); !isShared || s != pd.Listings || s.RDSAPI != pd.RDS || s.TTL != listingsTTL {
		t.Fatalf("recommendations read RDS through %T, want the provider's SharedListings over its RDS client", d.RDS)
	}
}
