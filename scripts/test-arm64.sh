#!/usr/bin/env bash
# `make test-arm64`: the pure packages' tests compiled for linux/arm64 and run under qemu user-mode
# emulation (qemu-aarch64-static; Debian: apt-get install qemu-user-static), golden files included,
# so that a result that differs between arm64 (Apple silicon) and amd64 (CI) fails on an amd64
# machine. The compiler may fuse x*y + z on arm64 and not on amd64: TestNoFusedMultiplyAdd finds
# such expressions natively in `make test`; this runs the code itself, with arm64's math library.
#   PKGS  packages (default: internal/analysis and internal/pricing, about a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v qemu-aarch64-static >/dev/null 2>&1; then
	echo "make test-arm64: qemu-aarch64-static not found: install qemu-user-static (Debian: apt-get install qemu-user-static)" >&2
	exit 1
fi
# The tests that run the host's go command (fmacheck) cannot run under emulation: they ran natively.
export RIGHTSIZE_EMULATED=1 CGO_ENABLED=0
# shellcheck disable=SC2086
GOARCH=arm64 go test -exec qemu-aarch64-static -count=1 -timeout 20m ${PKGS:-./internal/analysis/... ./internal/pricing/}
