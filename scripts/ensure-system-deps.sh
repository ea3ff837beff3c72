#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing: Chromium (the /docs
# browser check; Playwright cannot download its own browsers here), ShellCheck (lints the
# workflows' shell), jq (the deploy scripts, run against the emulated AWS account), strace
# (proves the container binary writes no file) and unzip (an independent check of the Lambda zip).
# Needs root or sudo, and apt.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v jq >/dev/null 2>&1 || missing+=(jq)
command -v strace >/dev/null 2>&1 || missing+=(strace)
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-system-deps: please install: ${missing[*]} (no apt-get here)" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "ensure-system-deps: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi
echo "ensure-system-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
