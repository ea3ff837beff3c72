#!/usr/bin/env bash
# Rolls the ECS service to a new task definition revision that differs from the family's latest
# revision only by the container image, then waits for the rollout.
#
#   scripts/deploy/ecs-deploy.sh <image>
#   env: ECS_CLUSTER ECS_SERVICE ECS_TASK_FAMILY ECS_CONTAINER_NAME
#   outputs: previous_task_definition, task_definition
#
# The latest revision of the family (not the service's current one) is the template, so a
# container-definition change Terraform registered (environment, CPU, ...) ships with the next
# deploy. Exit 1 when the rollout fails: the deployment circuit breaker has then already put
# the previous revision back; the workflow's rollback step confirms it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"

image=${1:?usage: ecs-deploy.sh <image>}
require_env ECS_CLUSTER ECS_SERVICE ECS_TASK_FAMILY ECS_CONTAINER_NAME

previous=$(aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE" --output json |
  jq -er '.services[0].taskDefinition')
set_output previous_task_definition "$previous"

# Without --include TAGS (it may need ecs:ListTagsForResource, not granted to the deploy role): the
# service propagates its own tags to the tasks (propagate_tags = SERVICE).
template=$(aws ecs describe-task-definition --task-definition "$ECS_TASK_FAMILY" --output json)
input=$(jq -e --arg image "$image" --arg name "$ECS_CONTAINER_NAME" '
  if ([.taskDefinition.containerDefinitions[] | select(.name == $name)] | length) != 1
  then error("no container named \($name) in the task definition") else . end
  | .taskDefinition
  | .containerDefinitions |= map(if .name == $name then .image = $image else . end)
  | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities,
        .registeredAt, .registeredBy, .deregisteredAt)' <<<"$template")

log "registering a revision of $ECS_TASK_FAMILY with $image"
task_definition=$(aws ecs register-task-definition --cli-input-json "$input" --output json |
  jq -er '.taskDefinition.taskDefinitionArn')
set_output task_definition "$task_definition"

log "rolling $ECS_SERVICE from $previous to $task_definition"
deployment=$(aws ecs update-service --cluster "$ECS_CLUSTER" --service "$ECS_SERVICE" \
  --task-definition "$task_definition" --output json |
  jq -er '.service.deployments[] | select(.status == "PRIMARY") | .id')
set_output deployment "$deployment"

wait_for_ecs_deployment "$ECS_CLUSTER" "$ECS_SERVICE" "$deployment"
