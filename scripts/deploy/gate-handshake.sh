#!/usr/bin/env bash
# The handshake between the deploy job (which holds the AWS credentials) and the gate job
# (which runs the smoke suite with none), two jobs of one workflow run:
#
#   gate:   installs everything, uploads the artifact gate-ready-<attempt>
#   deploy: waits for it (wait-artifact), rolls out, uploads rolled-out-<attempt>
#   gate:   waits for that (wait-artifact), runs the suite, ends
#   deploy: waits for the gate job to end (wait-job); anything but success rolls back
#
#   scripts/deploy/gate-handshake.sh wait-artifact <name> <seconds> [<job>]
#       until the run has artifact <name>: exit 0; 1 after <seconds>; 3 as soon as job <job>
#       (the other side) has ended
#   scripts/deploy/gate-handshake.sh wait-job <job> <seconds>
#       until job <job> of this run attempt has ended: exit 0 if it succeeded, else 1 (also
#       after <seconds>)
#
#   env: GITHUB_TOKEN (actions: read), GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID,
#        GITHUB_RUN_ATTEMPT (all set by GitHub Actions); optional HANDSHAKE_POLL_SECONDS (10)
#
# The GitHub REST API is read with curl; a request that fails counts as "not yet" (the bound
# still holds), so a blip of the API cannot end a wait early.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=deploy-functions.sh
source "$here/deploy-functions.sh"

usage="usage: gate-handshake.sh wait-artifact <name> <seconds> [<job>] | wait-job <job> <seconds>"
require_env GITHUB_TOKEN GITHUB_API_URL GITHUB_REPOSITORY GITHUB_RUN_ID GITHUB_RUN_ATTEMPT
run="$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID"

github() { # <url>: the JSON, or nothing when the request failed
  curl -fsS --max-time 30 -H "Authorization: Bearer $GITHUB_TOKEN" \
    -H "Accept: application/vnd.github+json" -H "X-GitHub-Api-Version: 2022-11-28" "$1" || true
}

# "<status> <conclusion>" of job <name> in this run attempt ("unknown" when not listed yet).
job_state() {
  github "$run/attempts/$GITHUB_RUN_ATTEMPT/jobs?per_page=100" |
    jq -r --arg name "$1" '[.jobs[]? | select(.name == $name)][0] // {status: "unknown"}
      | "\(.status) \(.conclusion // "")"' 2>/dev/null || echo "unknown"
}

has_artifact() {
  [[ "$(github "$run/artifacts?name=$1&per_page=100" | jq -r '.artifacts | length' 2>/dev/null)" =~ ^[1-9] ]]
}

command=${1:-}
case "$command" in
  wait-artifact)
    name=${2:?$usage} bound=${3:?$usage} other=${4:-}
    deadline=$((SECONDS + bound))
    while true; do
      # The other side first: once it has ended, its signal means nothing (a gate that said
      # "ready" and then died can no longer judge a rollout).
      if [[ -n "$other" ]]; then
        read -r status conclusion <<<"$(job_state "$other")"
        if [[ "$status" == completed ]]; then
          echo "::error::job $other has ended (${conclusion:-no conclusion}); not waiting for $name" >&2
          exit 3
        fi
      fi
      if has_artifact "$name"; then
        log "artifact $name is there"
        exit 0
      fi
      if ((SECONDS >= deadline)); then
        echo "::error::no artifact $name after $bound s" >&2
        exit 1
      fi
      sleep "${HANDSHAKE_POLL_SECONDS:-10}"
    done
    ;;
  wait-job)
    name=${2:?$usage} bound=${3:?$usage}
    deadline=$((SECONDS + bound))
    while true; do
      read -r status conclusion <<<"$(job_state "$name")"
      if [[ "$status" == completed ]]; then
        if [[ "$conclusion" == success ]]; then
          log "job $name succeeded"
          exit 0
        fi
        echo "::error::job $name ended: ${conclusion:-no conclusion}" >&2
        exit 1
      fi
      if ((SECONDS >= deadline)); then
        echo "::error::job $name still $status after $bound s" >&2
        exit 1
      fi
      log "job $name: $status"
      sleep "${HANDSHAKE_POLL_SECONDS:-10}"
    done
    ;;
  *)
    echo "$usage" >&2
    exit 2
    ;;
esac
