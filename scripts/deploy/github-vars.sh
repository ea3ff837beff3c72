#!/usr/bin/env bash
# Copies the Terraform outputs the deploy workflow needs into variables of a GitHub environment.
#
#   scripts/deploy/github-vars.sh [--apply] [environment]      (default environment: production)
#
# Without --apply it prints the `gh variable set` commands; with --apply it runs them (needs the
# GitHub CLI, logged in with admin rights on the repository). Run it from the repository root
# after `terraform -chdir=infra apply`, and again whenever those outputs change.
set -euo pipefail

apply=false
if [[ "${1:-}" == "--apply" ]]; then
  apply=true
  shift
fi
environment=${1:-production}

outputs=$(terraform -chdir="${INFRA_DIR:-infra}" output -json)

# GitHub variable <- Terraform output
mapping=(
  AWS_REGION=aws_region
  AWS_DEPLOY_ROLE_ARN=deploy_role_arn
  ECR_REPOSITORY_URL=ecr_repository_url
  ECS_CLUSTER=ecs_cluster_name
  ECS_SERVICE=ecs_service_name
  ECS_TASK_FAMILY=ecs_task_family
  ECS_CONTAINER_NAME=container_name
  LAMBDA_FUNCTION_NAME=lambda_function_name
  LAMBDA_ALIAS=lambda_alias_name
  API_URL=api_url
)

for pair in "${mapping[@]}"; do
  variable=${pair%%=*}
  output=${pair#*=}
  value=$(jq -er --arg o "$output" '.[$o].value' <<<"$outputs") || {
    echo "terraform output $output is missing" >&2
    exit 1
  }
  if [[ "$apply" == true ]]; then
    gh variable set "$variable" --env "$environment" --body "$value"
    echo "set $variable"
  else
    printf 'gh variable set %s --env %q --body %q\n' "$variable" "$environment" "$value"
  fi
done
