// Package fmacheck finds the expressions the Go compiler fuses into one multiply-add on arm64, for
// the tests of the packages whose figures must be the same on every platform the provider ships
// for. Go may fuse x*y + z into one instruction, rounded once, on arm64 (and ppc64le, s390x) but
// not on amd64 as released (GOAMD64=v1), which changes the last bits of a result: enough to round
// a figure the other way between an Apple-silicon laptop and CI on linux/amd64. An explicit
// conversion of the product, float64(x*y) + z, rounds it as amd64 does and prevents the fusion
// (Go spec, "Floating-point operators"); it compiles to the same amd64 code.
package fmacheck

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// EnvEmulated, when set, skips Check: under user-mode emulation (GOARCH=arm64 go test -exec
// qemu-aarch64-static, scripts/test-arm64.sh) the host's go command cannot be run.
const EnvEmulated = "RIGHTSIZE_EMULATED"

var fused = regexp.MustCompile(`\((?:[^()]*/)?([^/()]+\.go:\d+)\)\s+F(?:N?M(?:ADD|SUB))[DS]\b`)

// Sites compiles the package in dir (non-test files) for linux/arm64 with the go command on PATH
// and returns the source positions (file.go:line) of its fused multiply-add instructions, in
// order of appearance, each once. key makes the build's cache key new (a directory that names no
// source file, such as a test's TempDir): -S prints assembly only when the package is compiled.
func Sites(dir, key string) ([]string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return nil, fmt.Errorf("the go command is needed to compile for arm64: %w", err)
	}
	cmd := exec.Command(goCmd, "build", "-o", os.DevNull, "-gcflags=-S -trimpath="+key, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOARCH=arm64", "GOOS=linux", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go build for arm64: %w\n%s", err, out)
	}
	if !bytes.Contains(out, []byte(" STEXT ")) {
		return nil, fmt.Errorf("go build -gcflags=-S printed no assembly:\n%.2000s", out)
	}
	var sites []string
	for _, m := range fused.FindAllSubmatch(out, -1) {
		if s := string(m[1]); !slices.Contains(sites, s) {
			sites = append(sites, s)
		}
	}
	return sites, nil
}

// Check fails t if the package in the current directory (a test's own) has a fused multiply-add
// on arm64, naming each source line; it fails, not skips, without the go command, and skips
// under emulation (EnvEmulated).
func Check(t testing.TB) {
	t.Helper()
	if os.Getenv(EnvEmulated) != "" {
		t.Skip(EnvEmulated + " is set: the host's go command cannot run here")
	}
	sites, err := Sites(".", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) > 0 {
		t.Errorf("fused multiply-adds on arm64 (their results can differ from amd64's in the last bits): %s; convert the product, float64(x*y) + z",
			strings.Join(sites, ", "))
	}
}
