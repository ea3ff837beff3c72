#!/usr/bin/env bash
# Pushes the image CI built and ran (an OCI image layout archive) to ECR under a tag, byte for
# byte: the manifest ECR stores is the archive's, so its digest is the one CI recorded.
#
#   scripts/deploy/push-image.sh <oci-archive.tar> <tag>
#   env: ECR_REPOSITORY_URL; optional IMAGE_DIGEST (the digest CI recorded: refuse any other)
#   outputs: digest
#
# With the AWS CLI alone, through the ECR API a registry client uses (BatchCheckLayerAvailability,
# InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload, PutImage): no Docker daemon, no
# rebuild, nothing that could change a byte. Tags are immutable: when the tag exists with
# this digest (a re-run), nothing is pushed; with another digest, it fails.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=deploy-functions.sh
source "$here/deploy-functions.sh"

archive=${1:?usage: push-image.sh <oci-archive.tar> <tag>}
tag=${2:?usage: push-image.sh <oci-archive.tar> <tag>}
require_env ECR_REPOSITORY_URL
repository=${ECR_REPOSITORY_URL#*/}

layout=$(mktemp -d)
trap 'rm -rf "$layout"' EXIT
tar -xf "$archive" -C "$layout"
read -r digest media < <(oci_manifest "$layout")
[[ -n "${digest:-}" ]] || {
  echo "::error::$archive holds no image manifest" >&2
  exit 1
}
if [[ -n "${IMAGE_DIGEST:-}" && "$digest" != "$IMAGE_DIGEST" ]]; then
  echo "::error::$archive holds $digest, but CI recorded $IMAGE_DIGEST" >&2
  exit 1
fi
manifest="$layout/blobs/${digest/://}"
set_output digest "$digest"

if existing=$(aws ecr describe-images --repository-name "$repository" --image-ids "imageTag=$tag" \
  --output json 2>&1); then
  stored=$(jq -r '.imageDetails[0].imageDigest' <<<"$existing")
  if [[ "$stored" == "$digest" ]]; then
    log "$ECR_REPOSITORY_URL:$tag is already in ECR ($digest)"
    exit 0
  fi
  echo "::error::$ECR_REPOSITORY_URL:$tag is $stored in ECR, not $digest (tags are immutable)" >&2
  exit 1
elif [[ "$existing" != *ImageNotFoundException* ]]; then
  echo "::error::$existing" >&2
  exit 1
fi

# The config and every layer, each uploaded unless ECR already holds it.
blobs=$(jq -r '[.config.digest, .layers[].digest] | .[]' "$manifest")
for blob in $blobs; do
  file="$layout/blobs/${blob/://}"
  available=$(aws ecr batch-check-layer-availability --repository-name "$repository" \
    --layer-digests "$blob" --output json | jq -r '.layers[0].layerAvailability // "MISSING"')
  if [[ "$available" == AVAILABLE ]]; then
    log "$blob is already in ECR"
    continue
  fi
  size=$(stat -c %s "$file")
  upload=$(aws ecr initiate-layer-upload --repository-name "$repository" --output json)
  upload_id=$(jq -er '.uploadId' <<<"$upload")
  part=$(jq -er '.partSize' <<<"$upload")
  log "uploading $blob ($size bytes, parts of $part)"
  first=0
  while ((first < size)); do
    last=$((first + part < size ? first + part - 1 : size - 1))
    chunk="$layout/part"
    tail -c +$((first + 1)) "$file" | head -c $((last - first + 1)) >"$chunk"
    aws ecr upload-layer-part --repository-name "$repository" --upload-id "$upload_id" \
      --part-first-byte "$first" --part-last-byte "$last" --layer-part-blob "fileb://$chunk" --output json >/dev/null
    first=$((last + 1))
  done
  aws ecr complete-layer-upload --repository-name "$repository" --upload-id "$upload_id" \
    --layer-digests "$blob" --output json >/dev/null
done

log "putting $ECR_REPOSITORY_URL:$tag ($digest, $media)"
aws ecr put-image --repository-name "$repository" --image-tag "$tag" --image-digest "$digest" \
  --image-manifest-media-type "$media" --image-manifest "file://$manifest" --output json >/dev/null
stored=$(aws ecr describe-images --repository-name "$repository" --image-ids "imageTag=$tag" --output json |
  jq -er '.imageDetails[0].imageDigest')
if [[ "$stored" != "$digest" ]]; then
  echo "::error::ECR stored $stored for $tag, expected $digest" >&2
  exit 1
fi
log "pushed $ECR_REPOSITORY_URL:$tag ($digest)"
