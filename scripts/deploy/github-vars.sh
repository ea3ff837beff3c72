#!/usr/bin/env bash
# Copies the Terraform outputs the deploy workflow needs into GitHub Actions variables, and the
# pipeline client's secret (the auth_client_secret output) into the secret AUTH_CLIENT_SECRET.
#
#   scripts/deploy/github-vars.sh [--apply] [--env <github-environment>]
#
# Without --apply it prints the commands (the secret's value hidden); with --apply it runs them (GitHub CLI,
# logged in with admin rights on the repository). By default they are repository variables,
# which every job of .github/workflows/deploy.yml reads; --env production makes them variables
# (and the secret) of that environment instead, readable only by its approved jobs. Run it from
# the repository root after `terraform -chdir=infra apply`, and again whenever those outputs
# change.
set -euo pipefail

apply=false
scope=()
while (($# > 0)); do
  case "$1" in
    --apply) apply=true ;;
    --env)
      scope=(--env "${2:?--env needs a name}")
      shift
      ;;
    *)
      echo "usage: $0 [--apply] [--env <github-environment>]" >&2
      exit 2
      ;;
  esac
  shift
done

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
  AUTH_TOKEN_URL=token_url
  AUTH_CLIENT_ID=auth_client_id
  DEPLOY_ALARM_NAMES=deploy_alarm_names
)

for pair in "${mapping[@]}"; do
  variable=${pair%%=*}
  output=${pair#*=}
  value=$(jq -er --arg o "$output" '.[$o].value' <<<"$outputs") || {
    echo "terraform output $output is missing" >&2
    exit 1
  }
  if [[ "$apply" == true ]]; then
    gh variable set "$variable" "${scope[@]}" --body "$value"
    echo "set $variable"
  else
    printf 'gh variable set %s%s --body %q\n' "$variable" "${scope[*]:+ ${scope[*]}}" "$value"
  fi
done

# The secret goes by stdin, never on a command line.
secret=$(jq -er '.auth_client_secret.value' <<<"$outputs") || {
  echo "terraform output auth_client_secret is missing" >&2
  exit 1
}
if [[ -z "$secret" ]]; then
  echo "auth_client_secret is empty (an external issuer): set the AUTH_CLIENT_ID variable and the" \
    "AUTH_CLIENT_SECRET secret to a client of that issuer yourself" >&2
elif [[ "$apply" == true ]]; then
  gh secret set AUTH_CLIENT_SECRET "${scope[@]}" <<<"$secret"
  echo "set secret AUTH_CLIENT_SECRET"
else
  printf 'terraform -chdir=infra output -raw auth_client_secret | gh secret set AUTH_CLIENT_SECRET%s\n' \
    "${scope[*]:+ ${scope[*]}}"
fi
