#!/usr/bin/env bash
# Prints the first line of `$1 version` ("Terraform v1.5.7", "OpenTofu v1.10.10"), or an empty line when it does
# not run. The whole output is read before its first line is taken: `$1 version | head -1 | grep -q ...` under
# `set -o pipefail` fails now and then (1-4 runs in 100 here), when head exits before the CLI writes its second
# line and the CLI dies of SIGPIPE: then a CLI already built is built again, the check after a build fails, and
# scripts/test.sh takes OpenTofu for terraform (every acceptance test then fails on the provider's address).
set -uo pipefail
out=$(TF_CLI_CONFIG_FILE=/dev/null "$1" version 2>/dev/null) || true
printf '%s\n' "${out%%$'\n'*}"
