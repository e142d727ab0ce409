package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sdkhttp"
)

// TestProcess builds the command, runs it on a random port and calls it with
// the real RDS client.
func TestProcess(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "sandbox")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	state := filepath.Join(dir, "state.json")
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-scenario", "demo", "-now", "epoch", "-speed", "0", "-state", state)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading URL: %v", err)
	}
	url := strings.TrimSpace(line)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first line %q is not the URL", url)
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""), HTTPClient: sdkhttp.Wrap(nil)}
	rc := rds.NewFromConfig(cfg, func(o *rds.Options) { o.BaseEndpoint = aws.String(url) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := rc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("sso-prod")})
	if err != nil || len(out.DBClusters[0].DBClusterMembers) != 2 {
		t.Fatalf("DescribeDBClusters: %v", err)
	}
	if _, err := rc.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: out.DBClusters[0].DBClusterArn, Tags: nil}); err == nil {
		t.Fatal("AddTagsToResource without tags should fail client-side validation")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v", err)
	}
	if st, err := os.Stat(state); err != nil || st.Size() == 0 {
		t.Fatalf("state file not written on exit: %v", err)
	}
}
