#!/usr/bin/env bash
# Rolls the ECS service to a new task definition revision that differs from the family's latest
# revision only by the container image, then waits for the rollout.
#
#   scripts/deploy/ecs-deploy.sh <image>
#   env: ECS_CLUSTER ECS_SERVICE ECS_TASK_FAMILY ECS_CONTAINER_NAME
#        optional: ECR_REPOSITORY_URL, IMAGE_DIGEST, ECS_WAIT_SECONDS (default 1200)
#   outputs: previous_task_definition, task_definition, deployment
#
# An image of ECR_REPOSITORY_URL must already be there (and have IMAGE_DIGEST, when given),
# checked before anything changes: a redeploy of a tag that was never pushed, or that names
# other bytes than CI tested, stops here. The latest revision of the family (not the
# service's current one) is the template, so a container-definition change Terraform
# registered (environment, CPU, ...) ships with the next deploy. Exit 1 when the rollout
# fails: the deployment circuit breaker then rolls the service back on its own, and the
# workflow's rollback step waits for that (ecs-rollback.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=deploy-functions.sh
source "$here/deploy-functions.sh"

image=${1:?usage: ecs-deploy.sh <image>}
require_env ECS_CLUSTER ECS_SERVICE ECS_TASK_FAMILY ECS_CONTAINER_NAME

if [[ -n "${ECR_REPOSITORY_URL:-}" && "$image" == "$ECR_REPOSITORY_URL:"* ]]; then
  tag=${image#"$ECR_REPOSITORY_URL:"}
  found=$(aws ecr describe-images --repository-name "${ECR_REPOSITORY_URL#*/}" --image-ids "imageTag=$tag" \
    --output json 2>&1) || {
    echo "::error::$image is not in ECR: $found" >&2
    exit 1
  }
  digest=$(jq -r '.imageDetails[0].imageDigest' <<<"$found")
  if [[ -n "${IMAGE_DIGEST:-}" && "$digest" != "$IMAGE_DIGEST" ]]; then
    echo "::error::$image is $digest in ECR, but the image CI tested is $IMAGE_DIGEST" >&2
    exit 1
  fi
  log "$image is in ECR ($digest)"
fi

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

wait_for_ecs_deployment "$ECS_CLUSTER" "$ECS_SERVICE" "$deployment" "${ECS_WAIT_SECONDS:-1200}"
