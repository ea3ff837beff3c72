#!/usr/bin/env bash
# Puts the ECS service back on a task definition revision and waits until it runs it.
#
#   scripts/deploy/ecs-rollback.sh <task-definition-arn>
#   env: ECS_CLUSTER ECS_SERVICE; optional ECS_ROLLBACK_WAIT_SECONDS (default 1200)
#
# When the service's PRIMARY deployment already runs that revision, nothing new is started:
# if it is still rolling out (the deployment circuit breaker rolling a failed deployment back,
# or an earlier rollback), this waits for it, because another UpdateService would replace the
# circuit breaker's deployment with one of our own.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=deploy-functions.sh
source "$here/deploy-functions.sh"

target=${1:?usage: ecs-rollback.sh <task-definition-arn>}
require_env ECS_CLUSTER ECS_SERVICE
bound=${ECS_ROLLBACK_WAIT_SECONDS:-1200}

now=$(ecs_service_state "$ECS_CLUSTER" "$ECS_SERVICE")
read -r _ deployment running state <<<"$now"
if [[ "$running" == "$target" ]]; then
  case "$state" in
    COMPLETED)
      log "$ECS_SERVICE already runs $target"
      exit 0
      ;;
    IN_PROGRESS)
      log "$ECS_SERVICE is already rolling back to $target (deployment $deployment, the circuit breaker's" \
        "or an earlier rollback): waiting for it instead of starting another"
      wait_for_ecs_deployment "$ECS_CLUSTER" "$ECS_SERVICE" "$deployment" "$bound"
      exit
      ;;
  esac
  log "the deployment of $target ($deployment) is $state: starting a new one"
fi

log "rolling $ECS_SERVICE back to $target"
deployment=$(aws ecs update-service --cluster "$ECS_CLUSTER" --service "$ECS_SERVICE" \
  --task-definition "$target" --force-new-deployment --output json |
  jq -er '.service.deployments[] | select(.status == "PRIMARY") | .id')
wait_for_ecs_deployment "$ECS_CLUSTER" "$ECS_SERVICE" "$deployment" "$bound"
