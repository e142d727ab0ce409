package acctest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCLIVersionOfSlowCLI: the scripts tell terraform from OpenTofu, and a CLI built from one
// that is not, by the first line of its `version` (scripts/cli-version.sh), read whole: a CLI that
// writes its second line after a pause gives its first line, where `version | head -1 | grep -q`
// under pipefail failed (head gone, the CLI killed by SIGPIPE), and scripts/test.sh then served
// the provider under terraform's registry host to OpenTofu, which refused every test's
// configuration. No script takes a version through head any more.
func TestCLIVersionOfSlowCLI(t *testing.T) {
	cli := filepath.Join(t.TempDir(), "tofu")
	if err := os.WriteFile(cli, []byte("#!/bin/sh\necho 'OpenTofu v1.10.10'\nsleep 0.3\necho 'on linux_amd64'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("../../scripts/cli-version.sh", cli).Output()
	if err != nil || string(out) != "OpenTofu v1.10.10\n" {
		t.Errorf("cli-version.sh: %q, %v; want the first line", out, err)
	}
	out, err = exec.Command("../../scripts/cli-version.sh", filepath.Join(t.TempDir(), "missing")).Output()
	if err != nil || string(out) != "\n" {
		t.Errorf("cli-version.sh of a missing CLI: %q, %v; want an empty line", out, err)
	}
	headed := regexp.MustCompile(`version[^|\n]*\|\s*head\b`)
	scripts, _ := filepath.Glob("../../scripts/*.sh")
	for _, s := range scripts {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(string(b), "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "#") && headed.MatchString(l) {
				t.Errorf("%s:%d pipes a version into head, which fails now and then under pipefail: %s", filepath.Base(s), i+1, l)
			}
		}
	}
}
