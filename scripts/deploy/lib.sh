# shellcheck shell=bash
# Helpers shared by the deploy scripts. Sourced, not executed.

# Fails with a message when a required environment variable is empty.
require_env() {
  local name
  for name in "$@"; do
    if [[ -z "${!name:-}" ]]; then
      echo "::error::$name is not set (a GitHub environment variable; see README, Deploying)" >&2
      exit 2
    fi
  done
}

# Records a step output for later steps (and prints it, for the log and for local runs).
set_output() {
  echo "$1=$2"
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    echo "$1=$2" >>"$GITHUB_OUTPUT"
  fi
}

log() {
  echo "[$(date -u +%H:%M:%S)] $*" >&2
}

# Waits until the ECS deployment $3 of service $2 in cluster $1 finishes its rollout.
# Returns 0 when it COMPLETED, 1 when it FAILED (the circuit breaker then rolls back on its own)
# or did not finish within ECS_WAIT_SECONDS.
wait_for_ecs_deployment() {
  local cluster=$1 service=$2 deployment=$3
  local deadline=$((SECONDS + ${ECS_WAIT_SECONDS:-1200}))
  local state reason
  while true; do
    state=$(aws ecs describe-services --cluster "$cluster" --services "$service" --output json |
      jq -r --arg id "$deployment" '
        (.services[0].deployments // []) as $deployments
        | ($deployments | map(select(.id == $id)) | first) as $d
        | if $d == null then "GONE"
          else [$d.rolloutState // "IN_PROGRESS", ($d.rolloutStateReason // ""),
                "running=\($d.runningCount) desired=\($d.desiredCount) pending=\($d.pendingCount)"] | join("|")
          end')
    reason=${state#*|}
    state=${state%%|*}
    case "$state" in
      COMPLETED)
        log "deployment $deployment completed"
        return 0
        ;;
      FAILED)
        log "deployment $deployment failed: $reason"
        return 1
        ;;
      GONE)
        log "deployment $deployment is no longer listed (replaced or rolled back)"
        return 1
        ;;
    esac
    if ((SECONDS >= deadline)); then
      log "deployment $deployment still $state after ${ECS_WAIT_SECONDS:-1200} s: $reason"
      return 1
    fi
    log "deployment $deployment: $state ${reason//|/ }"
    sleep "${ECS_POLL_SECONDS:-15}"
  done
}
