package sandbox

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

func TestAWSConfigAndEnv(t *testing.T) {
	srv, _, _ := start(t, Options{})
	ctx := context.Background()
	rc := rds.NewFromConfig(srv.AWSConfig())
	if _, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{}); err != nil {
		t.Fatalf("AWSConfig: %v", err)
	}
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rds.NewFromConfig(cfg).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{}); err != nil {
		t.Fatalf("rds via environment: %v", err)
	}
	if _, err := cloudwatch.NewFromConfig(cfg).ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/RDS")}); err != nil {
		t.Fatalf("cloudwatch via environment: %v", err)
	}
}

func TestSignatureChecks(t *testing.T) {
	srv, _, _ := start(t, Options{})
	ctx := context.Background()
	resp, err := http.Post(srv.URL(), "application/x-www-form-urlencoded", strings.NewReader("Action=DescribeDBInstances&Version=2014-10-31"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("unsigned request: HTTP %d, want 403", resp.StatusCode)
	}
	cfg := srv.AWSConfig()
	cfg.Region = "eu-west-1"
	_, err = rds.NewFromConfig(cfg).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{}, apiNoRetry)
	if apiCode(err) != "SignatureDoesNotMatch" || !strings.Contains(err.Error(), "eu-west-1") {
		t.Errorf("wrong region: %v", err)
	}
	_, err = cloudwatch.NewFromConfig(cfg).ListMetrics(ctx, &cloudwatch.ListMetricsInput{}, cwAPINoRetry)
	if apiCode(err) != "SignatureDoesNotMatch" {
		t.Errorf("wrong region (cloudwatch): %v", err)
	}
	open, _, _ := start(t, Options{AllowUnsigned: true})
	resp, err = http.Post(open.URL(), "application/x-www-form-urlencoded", strings.NewReader("Action=DescribeDBClusters&Version=2014-10-31"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("AllowUnsigned: HTTP %d", resp.StatusCode)
	}
}

func TestUnemulatedJSONServiceGetsClearError(t *testing.T) {
	srv, _, _ := start(t, Options{})
	req, _ := http.NewRequest("POST", srv.URL(), strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "AWSPriceListService.GetProducts")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-Errortype") != "UnknownOperationException" {
		t.Errorf("HTTP %d %v", resp.StatusCode, resp.Header)
	}
	if l := srv.Log(); len(l) != 1 || l[0].Operation != "AWSPriceListService.GetProducts" {
		t.Errorf("log %+v", l)
	}
}
