#!/usr/bin/env bash
# Uploads the Lambda zip, publishes it as a new version and points the alias at it.
#
#   scripts/deploy/lambda-deploy.sh <zip>
#   env: LAMBDA_FUNCTION_NAME LAMBDA_ALIAS; optional LAMBDA_VERSION_DESCRIPTION
#   outputs: previous_version, version
#
# Optional gradual shift: with LAMBDA_CANARY_PERCENT=10 and LAMBDA_CANARY_SECONDS=120 the alias
# first sends 10 % of invocations to the new version for two minutes, then all of them.
# Calls only the unqualified function and the alias, which the deploy role may act on.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"

zip=${1:?usage: lambda-deploy.sh <zip>}
require_env LAMBDA_FUNCTION_NAME LAMBDA_ALIAS
[[ -f "$zip" ]] || {
  echo "::error::$zip not found (run bun scripts/build.ts --lambda-only)" >&2
  exit 2
}

previous=$(aws lambda get-alias --function-name "$LAMBDA_FUNCTION_NAME" --name "$LAMBDA_ALIAS" --output json |
  jq -er '.FunctionVersion')
set_output previous_version "$previous"

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
aws lambda wait function-updated-v2 --function-name "$LAMBDA_FUNCTION_NAME"

version=$(aws lambda publish-version --function-name "$LAMBDA_FUNCTION_NAME" --code-sha256 "$sha" \
  --description "${LAMBDA_VERSION_DESCRIPTION:-deploy}" --output json | jq -er '.Version')
set_output version "$version"

if [[ "$version" == "$previous" ]]; then
  log "$LAMBDA_ALIAS already points at version $version (code unchanged)"
  exit 0
fi

percent=${LAMBDA_CANARY_PERCENT:-0}
if ((percent > 0 && percent < 100)); then
  weight=$(awk -v p="$percent" 'BEGIN { printf "%.2f", p / 100 }')
  log "canary: $percent % of $LAMBDA_ALIAS to version $version for ${LAMBDA_CANARY_SECONDS:-120} s"
  aws lambda update-alias --function-name "$LAMBDA_FUNCTION_NAME" --name "$LAMBDA_ALIAS" \
    --function-version "$previous" \
    --routing-config "{\"AdditionalVersionWeights\":{\"$version\":$weight}}" --output json >/dev/null
  sleep "${LAMBDA_CANARY_SECONDS:-120}"
fi

log "pointing $LAMBDA_ALIAS at version $version (was $previous)"
aws lambda update-alias --function-name "$LAMBDA_FUNCTION_NAME" --name "$LAMBDA_ALIAS" \
  --function-version "$version" --routing-config '{"AdditionalVersionWeights":{}}' --output json >/dev/null
