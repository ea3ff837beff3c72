#!/usr/bin/env bash
# Makes a Lambda version live behind the alias: a new one from a zip, or one already published.
#
#   scripts/deploy/lambda-deploy.sh <zip>              upload, publish, point the alias at it
#   scripts/deploy/lambda-deploy.sh --version <n>      point the alias at published version n
#   env: LAMBDA_FUNCTION_NAME LAMBDA_ALIAS; optional LAMBDA_VERSION_DESCRIPTION
#   outputs: previous_version, version
#
# Gradual shift: with LAMBDA_CANARY_PERCENT=10 the alias first sends 10 % of invocations to the
# new version for LAMBDA_CANARY_SECONDS (default 300, at most LAMBDA_CANARY_MAX_SECONDS, 900),
# polling the alarms DEPLOY_ALARM_NAMES names (comma-separated: the Terraform output
# deploy_alarm_names) every CANARY_POLL_SECONDS (15). Any of them in ALARM puts the alias back
# on the previous version at once, before the shift completes, and exits 1; one that is
# already in ALARM stops it before anything changes. Calls only the unqualified function, the
# alias and those alarms, which the deploy role may act on.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=deploy-functions.sh
source "$here/deploy-functions.sh"

usage="usage: lambda-deploy.sh <zip> | --version <n>"
zip="" wanted=""
case "${1:-}" in
  --version) wanted=${2:?$usage} ;;
  "" | -*)
    echo "$usage" >&2
    exit 2
    ;;
  *) zip=$1 ;;
esac
require_env LAMBDA_FUNCTION_NAME LAMBDA_ALIAS
if [[ -n "$zip" && ! -f "$zip" ]]; then
  echo "::error::$zip not found (run bun scripts/build.ts --lambda-only)" >&2
  exit 2
fi

percent=${LAMBDA_CANARY_PERCENT:-0}
seconds=${LAMBDA_CANARY_SECONDS:-300}
max=${LAMBDA_CANARY_MAX_SECONDS:-900}
if ! [[ "$percent" =~ ^[0-9]+$ ]] || ((percent > 99)); then
  echo "::error::LAMBDA_CANARY_PERCENT=$percent: 0 (all at once) or 1-99" >&2
  exit 2
fi
if ((percent > 0)); then
  if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds > max)); then
    echo "::error::LAMBDA_CANARY_SECONDS=$seconds: 0-$max (the job's timeout leaves no more)" >&2
    exit 2
  fi
  require_env DEPLOY_ALARM_NAMES
  IFS=, read -r -a alarms <<<"$DEPLOY_ALARM_NAMES"
fi

alias_to() { # <version> [routing config]; without one, no weighted routing is left
  local routing='{"AdditionalVersionWeights":{}}'
  [[ $# -lt 2 ]] || routing=$2
  aws lambda update-alias --function-name "$LAMBDA_FUNCTION_NAME" --name "$LAMBDA_ALIAS" \
    --function-version "$1" --routing-config "$routing" --output json >/dev/null
}

# Prints the watched alarms that are in ALARM ("name (reason)"); fails when one does not exist.
alarms_firing() {
  local found
  found=$(aws cloudwatch describe-alarms --alarm-names "${alarms[@]}" --output json)
  jq -r --args '($ARGS.positional - [.MetricAlarms[].AlarmName]) as $missing
    | if ($missing | length) > 0 then error("no such alarm: \($missing | join(", "))") else . end
    | .MetricAlarms[] | select(.StateValue == "ALARM") | "\(.AlarmName) (\(.StateReason))"' \
    "${alarms[@]}" <<<"$found"
}

previous=$(aws lambda get-alias --function-name "$LAMBDA_FUNCTION_NAME" --name "$LAMBDA_ALIAS" --output json |
  jq -er '.FunctionVersion')
set_output previous_version "$previous"

# Not into an incident (nor with a misnamed alarm): checked before anything changes.
if ((percent > 0)); then
  firing=$(alarms_firing)
  if [[ -n "$firing" ]]; then
    echo "::error::not shifting $LAMBDA_ALIAS: already in ALARM: $firing" >&2
    exit 1
  fi
fi

if [[ -n "$zip" ]]; then
  # Lambda's CodeSha256 is the base64 of the zip's SHA-256; the zip is reproducible, so an
  # unchanged handler gives the same value and publish-version then returns the existing version.
  sha=$(openssl dgst -sha256 -binary "$zip" | base64)
  log "uploading $zip (CodeSha256 $sha) to $LAMBDA_FUNCTION_NAME"
  uploaded=$(aws lambda update-function-code --function-name "$LAMBDA_FUNCTION_NAME" \
    --zip-file "fileb://$zip" --output json | jq -er '.CodeSha256')
  if [[ "$uploaded" != "$sha" ]]; then
    echo "::error::Lambda reports CodeSha256 $uploaded, expected $sha" >&2
    exit 1
  fi
  # The waiter gives up after 300 s (1 s × 300).
  aws lambda wait function-updated-v2 --function-name "$LAMBDA_FUNCTION_NAME"
  version=$(aws lambda publish-version --function-name "$LAMBDA_FUNCTION_NAME" --code-sha256 "$sha" \
    --description "${LAMBDA_VERSION_DESCRIPTION:-deploy}" --output json | jq -er '.Version')
else
  version=$wanted
fi
set_output version "$version"

if [[ "$version" == "$previous" ]]; then
  log "$LAMBDA_ALIAS already points at version $version"
  alias_to "$version" # clears weights a cancelled shift may have left
  exit 0
fi

if ((percent > 0)); then
  weight=$(awk -v p="$percent" 'BEGIN { printf "%.2f", p / 100 }')
  log "canary: $percent % of $LAMBDA_ALIAS to version $version for $seconds s, watching ${alarms[*]}"
  alias_to "$previous" "{\"AdditionalVersionWeights\":{\"$version\":$weight}}"
  deadline=$((SECONDS + seconds))
  while true; do
    firing=$(alarms_firing)
    if [[ -n "$firing" ]]; then
      log "in ALARM during the canary: $firing; pointing $LAMBDA_ALIAS back at version $previous"
      alias_to "$previous"
      echo "::error::canary of version $version stopped: $firing" >&2
      exit 1
    fi
    ((SECONDS < deadline)) || break
    sleep "${CANARY_POLL_SECONDS:-15}"
  done
fi

log "pointing $LAMBDA_ALIAS at version $version (was $previous)"
alias_to "$version"
