#!/usr/bin/env bash
# Records what is live before a deploy changes anything: the ECS service's task definition and
# the version the Lambda alias points at. The workflow's rollback steps read these outputs,
# because a step that is cancelled or times out mid-rollout may not get to record its own.
#
#   scripts/deploy/record-live.sh
#   env: ECS_CLUSTER ECS_SERVICE LAMBDA_FUNCTION_NAME LAMBDA_ALIAS
#   outputs: task_definition, lambda_version
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=deploy-functions.sh
source "$here/deploy-functions.sh"

require_env ECS_CLUSTER ECS_SERVICE LAMBDA_FUNCTION_NAME LAMBDA_ALIAS
task_definition=$(aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE" --output json |
  jq -er '.services[0].taskDefinition')
version=$(aws lambda get-alias --function-name "$LAMBDA_FUNCTION_NAME" --name "$LAMBDA_ALIAS" --output json |
  jq -er '.FunctionVersion')
set_output task_definition "$task_definition"
set_output lambda_version "$version"
