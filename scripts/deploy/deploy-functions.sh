# shellcheck shell=bash
# The shell functions every deploy script sources (not executed on its own): environment checks,
# step outputs, log lines, ECS rollout waits and OCI manifest lookups.
#
# Every wait here ends within a bound given in seconds (ECS_WAIT_SECONDS, ...), so a step can
# never outlive the job's timeout: .github/workflows/deploy.yml sets the bounds, and
# scripts/test/workflows.test.ts checks that they add up to less than the job's timeout, with
# the rollback's own wait included.

# Fails with a message naming every required environment variable that is empty.
require_env() {
  local name missing=()
  for name in "$@"; do
    [[ -n "${!name:-}" ]] || missing+=("$name")
  done
  if ((${#missing[@]} > 0)); then
    for name in "${missing[@]}"; do
      echo "::error::$name is not set (a repository variable; see README, Deploying)" >&2
    done
    exit 2
  fi
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

# The service's task definition and its PRIMARY deployment, as one line:
#   <service task definition> <deployment id> <deployment task definition> <rollout state>
ecs_service_state() {
  local cluster=$1 service=$2
  aws ecs describe-services --cluster "$cluster" --services "$service" --output json |
    jq -er '.services[0] | ([.deployments[]? | select(.status == "PRIMARY")][0] // {}) as $p
      | [.taskDefinition, ($p.id // "-"), ($p.taskDefinition // "-"), ($p.rolloutState // "-")] | join(" ")'
}

# Waits until the ECS deployment $3 of service $2 in cluster $1 finishes its rollout, for at
# most $4 seconds. Returns 0 when it COMPLETED, 1 when it FAILED (the circuit breaker then rolls
# back on its own), is no longer listed, or did not finish in time.
wait_for_ecs_deployment() {
  local cluster=$1 service=$2 deployment=$3 bound=$4
  local deadline=$((SECONDS + bound))
  local state reason
  while true; do
    state=$(aws ecs describe-services --cluster "$cluster" --services "$service" --output json |
      jq -r --arg id "$deployment" '
        (.services[0].deployments // []) as $deployments
        | ($deployments | map(select(.id == $id)) | first) as $d
        | if $d == null then "GONE"
          else [$d.rolloutState // "IN_PROGRESS", ($d.rolloutStateReason // ""),
                "running=\($d.runningCount) desired=\($d.desiredCount) pending=\($d.pendingCount) failed=\($d.failedTasks // 0)"] | join("|")
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
      log "deployment $deployment still $state after $bound s: $reason"
      return 1
    fi
    log "deployment $deployment: $state ${reason//|/ }"
    sleep "${ECS_POLL_SECONDS:-15}"
  done
}

# The manifest an OCI image layout (directory $1) holds for linux/arm64, or its only one:
#   <digest> <media type>
oci_manifest() {
  local dir=$1 top digest media
  top=$(jq -ec '.manifests | if length == 1 then .[0] else error("index.json lists \(length) entries, expected 1") end' \
    "$dir/index.json")
  digest=$(jq -r '.digest' <<<"$top")
  media=$(jq -r '.mediaType' <<<"$top")
  case "$media" in
    application/vnd.oci.image.index.v1+json | application/vnd.docker.distribution.manifest.list.v2+json)
      top=$(jq -ec '[.manifests[] | select(.platform.os == "linux" and .platform.architecture == "arm64")]
        | if length == 1 then .[0] else error("no single linux/arm64 manifest in the index") end' \
        "$dir/blobs/${digest/://}")
      digest=$(jq -r '.digest' <<<"$top")
      media=$(jq -r '.mediaType' <<<"$top")
      ;;
  esac
  echo "$digest $media"
}
