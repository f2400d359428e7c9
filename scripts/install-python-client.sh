#!/usr/bin/env bash
# Installs the official Temporal Python SDK (the pinned PyPI package `temporalio`, with its dependencies) into the
# git-ignored folder tools/python-client, for examples/start_day.py and its test (test/integration/python-client.test.ts).
# Use it with PYTHONPATH=<that folder>; nothing is installed into the system's or the user's site-packages.
#
# Idempotent: an install of the pinned version that imports is left alone. Safe to run concurrently:
# pip installs into a private temporary folder that is renamed into place atomically.
#
# Environment:
#   TRADEFLOW_PYTHON_CLIENT_DIR   target folder (default: <repo>/tools/python-client)
#   PYTHON                        python interpreter to use (default: python3; temporalio needs Python 3.10+)
#
# Prints the absolute path of the folder on stdout (last line); progress goes to stderr.
set -euo pipefail

readonly VERSION="1.35.0"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${TRADEFLOW_PYTHON_CLIENT_DIR:-$repo_root/tools/python-client}"
python="${PYTHON:-python3}"

log() { printf '[install-python-client] %s\n' "$*" >&2; }

# The version of temporalio that $1 serves, when it imports from there (and not from elsewhere on the path).
installed_version() {
  [[ -d "$1/temporalio" ]] || return 1
  PYTHONPATH="$1" "$python" -s -c '
import importlib.metadata, os, sys
import temporalio.client
if not os.path.realpath(temporalio.__file__).startswith(os.path.realpath(sys.argv[1]) + os.sep):
    sys.exit(1)
print(importlib.metadata.version("temporalio"))
' "$1" 2>/dev/null
}

if ! command -v "$python" >/dev/null 2>&1; then
  log "error: $python not found; install Python 3.10 or later (or set PYTHON to an interpreter)"
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
  log "error: temporalio $VERSION needs Python 3.10 or later; $python is $("$python" --version 2>&1)"
  exit 1
fi

current="$(installed_version "$target" || true)"
if [[ "$current" == "$VERSION" ]]; then
  log "temporalio $current already installed in $target"
  printf '%s\n' "$target"
  exit 0
fi

if ! "$python" -m pip --version >/dev/null 2>&1; then
  log "error: '$python -m pip' is not available; install pip (Debian: apt-get install python3-pip)"
  exit 1
fi

mkdir -p "$(dirname "$target")"
staging="$(mktemp -d "$(dirname "$target")/.python-client.XXXXXX")"
cleanup() { rm -rf "$staging"; }
trap cleanup EXIT

log "pip-installing temporalio==$VERSION into $target"
if ! PIP_ROOT_USER_ACTION=ignore "$python" -m pip install --disable-pip-version-check --no-input --quiet \
    --target "$staging/pkg" "temporalio==$VERSION" >&2; then
  log "error: could not install temporalio==$VERSION from PyPI"
  exit 1
fi
if [[ "$(installed_version "$staging/pkg" || true)" != "$VERSION" ]]; then
  log "error: temporalio==$VERSION installed but does not import with $python"
  exit 1
fi

# Replace a stale or broken install; a concurrent run that won the race leaves a working one behind.
if [[ -e "$target" ]]; then
  current="$(installed_version "$target" || true)"
  if [[ "$current" == "$VERSION" ]]; then
    log "temporalio $current was installed concurrently in $target"
    printf '%s\n' "$target"
    exit 0
  fi
  mv "$target" "$staging/old"
fi
# os.rename refuses to replace a non-empty folder, so of two racing installs exactly one wins.
if ! "$python" -c 'import os, sys; os.rename(sys.argv[1], sys.argv[2])' "$staging/pkg" "$target" 2>/dev/null; then
  if [[ "$(installed_version "$target" || true)" != "$VERSION" ]]; then
    log "error: could not move the install into $target"
    exit 1
  fi
fi
log "installed temporalio $VERSION in $target"
printf '%s\n' "$target"
