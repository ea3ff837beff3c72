#!/usr/bin/env bash
# Names every deploy variable that is not set, in one run, before anything is touched.
#
#   scripts/deploy/check-vars.sh <NAME>...
#
# The values come from the environment (the workflow maps each repository variable to one).
# Exit 1 with one ::error:: line per missing name, so a first run on a fresh repository lists
# all of them at once; scripts/deploy/github-vars.sh sets them from the Terraform outputs.
set -euo pipefail

(($# > 0)) || {
  echo "usage: check-vars.sh <NAME>..." >&2
  exit 2
}
missing=()
for name in "$@"; do
  [[ -n "${!name:-}" ]] || missing+=("$name")
done
for name in "${missing[@]}"; do
  echo "::error::repository variable $name is not set (scripts/deploy/github-vars.sh sets it; README, Deploying)"
done
if ((${#missing[@]} > 0)); then
  echo "${#missing[@]} of $# deploy variables missing: ${missing[*]}" >&2
  exit 1
fi
echo "all $# deploy variables are set"
