#!/usr/bin/env bash
# Prints the digest of the image manifest in an OCI image layout archive (what
# `docker buildx build --output type=oci,dest=<archive>` writes): the digest ECR will report for
# it once push-image.sh has pushed it, so CI can record which image it tested.
#
#   scripts/deploy/oci-digest.sh <oci-archive.tar>
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=deploy-functions.sh
source "$here/deploy-functions.sh"

archive=${1:?usage: oci-digest.sh <oci-archive.tar>}
layout=$(mktemp -d)
trap 'rm -rf "$layout"' EXIT
tar -xf "$archive" -C "$layout"
descriptor=$(oci_manifest "$layout")
echo "${descriptor%% *}"
