#!/usr/bin/env bash
# Builds OpenTofu (the MPL fork of terraform) from the Go module proxy into ./bin/tofu when it is missing, for
# the checks that the provider works under OpenTofu as under terraform (`make test-opentofu`, `.ci/run`).
#
# `go install github.com/opentofu/opentofu/cmd/tofu@vX` is refused: OpenTofu's go.mod has a replace directive
# (its fork of hcl/v2), which only a main module may have. So the module is downloaded (checked against the Go
# checksum database like any module), copied out of the read-only module cache and built there as the main
# module, with its own go.sum (-mod=readonly: nothing is resolved anew).
set -euo pipefail
cd "$(dirname "$0")/.."
want=1.10.10
if [ -x bin/tofu ] && [[ $(scripts/cli-version.sh bin/tofu) == "OpenTofu v$want" ]]; then
  exit 0
fi
echo "Building OpenTofu v$want from the Go module proxy into ./bin (this takes a few minutes the first time)..." >&2
src=$(go mod download -json "github.com/opentofu/opentofu@v$want" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$src" ] || { echo "go mod download gave no source folder for github.com/opentofu/opentofu@v$want" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$src/." "$tmp/"
chmod -R u+w "$tmp"
mkdir -p bin
(cd "$tmp" && GOFLAGS=-mod=readonly go build -trimpath -ldflags "-X github.com/opentofu/opentofu/version.dev=no" -o "$OLDPWD/bin/tofu" ./cmd/tofu)
[[ $(scripts/cli-version.sh bin/tofu) == "OpenTofu v$want" ]] || { echo "bin/tofu does not report v$want" >&2; exit 1; }
