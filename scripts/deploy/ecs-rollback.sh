#!/usr/bin/env bash
# Puts the ECS service back on a task definition revision and waits until it runs it.
#
#   scripts/deploy/ecs-rollback.sh <task-definition-arn>
#   env: ECS_CLUSTER ECS_SERVICE
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"

target=${1:?usage: ecs-rollback.sh <task-definition-arn>}
require_env ECS_CLUSTER ECS_SERVICE

current=$(aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE" --output json |
  jq -er '.services[0] | [.taskDefinition, ([.deployments[] | select(.status == "PRIMARY")][0].rolloutState // "")] | join(" ")')
if [[ "$current" == "$target COMPLETED" ]]; then
  log "$ECS_SERVICE already runs $target (the circuit breaker rolled it back)"
  exit 0
fi

log "rolling $ECS_SERVICE back to $target"
deployment=$(aws ecs update-service --cluster "$ECS_CLUSTER" --service "$ECS_SERVICE" \
  --task-definition "$target" --output json |
  jq -er '.service.deployments[] | select(.status == "PRIMARY") | .id')
wait_for_ecs_deployment "$ECS_CLUSTER" "$ECS_SERVICE" "$deployment"
