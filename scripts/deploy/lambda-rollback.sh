#!/usr/bin/env bash
# Points the Lambda alias back at a version, with no weighted routing left over (a canary
# that was cancelled mid-shift leaves some).
#
#   scripts/deploy/lambda-rollback.sh <version>
#   env: LAMBDA_FUNCTION_NAME LAMBDA_ALIAS
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=deploy-functions.sh
source "$here/deploy-functions.sh"

version=${1:?usage: lambda-rollback.sh <version>}
require_env LAMBDA_FUNCTION_NAME LAMBDA_ALIAS

log "pointing $LAMBDA_ALIAS back at version $version"
aws lambda update-alias --function-name "$LAMBDA_FUNCTION_NAME" --name "$LAMBDA_ALIAS" \
  --function-version "$version" --routing-config '{"AdditionalVersionWeights":{}}' --output json >/dev/null
