#!/usr/bin/env bash
# Installs Alpaca's official Python SDK (the pinned PyPI package `alpaca-py`, with its dependencies) into the
# git-ignored folder tools/alpaca-py, for the simulator's compatibility suite packages/alpaca-sim/test/alpaca-py/
# (run by test/integration/alpaca-py.test.ts).
# Use it with PYTHONPATH=<that folder>; nothing is installed into the system's or the user's site-packages.
#
# Idempotent: an install of the pinned version that imports is left alone. Safe to run concurrently:
# pip installs into a private temporary folder that is renamed into place atomically.
#
# Environment:
#   TRADEFLOW_ALPACA_PY_DIR       target folder (default: <repo>/tools/alpaca-py)
#   PYTHON                        python interpreter to use (default: python3; alpaca-py needs Python 3.8+, this script asks for 3.10+)
#
# Prints the absolute path of the folder on stdout (last line); progress goes to stderr.
set -euo pipefail

readonly VERSION="0.44.0"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${TRADEFLOW_ALPACA_PY_DIR:-$repo_root/tools/alpaca-py}"
python="${PYTHON:-python3}"

log() { printf '[install-alpaca-py] %s\n' "$*" >&2; }

# The version of alpaca-py that $1 serves, when it imports from there (and not from elsewhere on the path).
installed_version() {
  [[ -d "$1/alpaca" ]] || return 1
  PYTHONPATH="$1" "$python" -s -c '
import importlib.metadata, os, sys
import alpaca, alpaca.trading.client, alpaca.data.historical
if not os.path.realpath(alpaca.__file__).startswith(os.path.realpath(sys.argv[1]) + os.sep):
    sys.exit(1)
print(importlib.metadata.version("alpaca-py"))
' "$1" 2>/dev/null
}

if ! command -v "$python" >/dev/null 2>&1; then
  log "error: $python not found; install Python 3.10 or later (or set PYTHON to an interpreter)"
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
  log "error: alpaca-py $VERSION needs Python 3.10 or later; $python is $("$python" --version 2>&1)"
  exit 1
fi

current="$(installed_version "$target" || true)"
if [[ "$current" == "$VERSION" ]]; then
  log "alpaca-py $current already installed in $target"
  printf '%s\n' "$target"
  exit 0
fi

if ! "$python" -m pip --version >/dev/null 2>&1; then
  log "error: '$python -m pip' is not available; install pip (Debian: apt-get install python3-pip)"
  exit 1
fi

mkdir -p "$(dirname "$target")"
staging="$(mktemp -d "$(dirname "$target")/.alpaca-py.XXXXXX")"
cleanup() { rm -rf "$staging"; }
trap cleanup EXIT

log "pip-installing alpaca-py==$VERSION into $target"
if ! PIP_ROOT_USER_ACTION=ignore "$python" -m pip install --disable-pip-version-check --no-input --quiet \
    --target "$staging/pkg" "alpaca-py==$VERSION" >&2; then
  log "error: could not install alpaca-py==$VERSION from PyPI"
  exit 1
fi
if [[ "$(installed_version "$staging/pkg" || true)" != "$VERSION" ]]; then
  log "error: alpaca-py==$VERSION installed but does not import with $python"
  exit 1
fi

# Replace a stale or broken install; a concurrent run that won the race leaves a working one behind.
if [[ -e "$target" ]]; then
  current="$(installed_version "$target" || true)"
  if [[ "$current" == "$VERSION" ]]; then
    log "alpaca-py $current was installed concurrently in $target"
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
log "installed alpaca-py $VERSION in $target"
printf '%s\n' "$target"
