#!/usr/bin/env bash
# Installs Debian's Chromium (/usr/bin/chromium) for the browser test test/ui/temporal-ui.test.ts, which drives it
# with playwright-core (Playwright's own browser download does not work on this machine's network).
#
# Idempotent: does nothing but print the version when /usr/bin/chromium is already there. Needs root (or sudo)
# and Debian's package archive. Runs `apt-get update` first only when apt's package lists are missing or
# chromium is not known to apt yet.
set -euo pipefail

readonly CHROMIUM=/usr/bin/chromium

log() { printf '[install-chromium] %s\n' "$*" >&2; }

if [[ ! -x "$CHROMIUM" ]]; then
  sudo=""
  if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      log "error: not root and no sudo; install Debian's chromium package by hand"
      exit 1
    fi
  fi
  apt_log="$(mktemp "${TMPDIR:-/tmp}/install-chromium.XXXXXX")"
  trap 'rm -f "$apt_log"' EXIT
  run_apt() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get "$@" >"$apt_log" 2>&1; }
  # apt's output is shown only when a step fails.
  fail() {
    tail -n 30 "$apt_log" >&2
    log "error: $*"
    exit 1
  }
  updated=""
  if ! apt-cache show chromium >/dev/null 2>&1; then
    log "apt-get update"
    run_apt update || fail "apt-get update failed"
    updated=1
  fi
  log "apt-get install chromium (about 100 MB with its libraries)"
  if ! run_apt install -y --no-install-recommends chromium; then
    # Stale package lists name files the archive no longer has: refresh them once and retry.
    [[ -z "$updated" ]] || fail "apt-get install chromium failed"
    log "apt-get install failed; apt-get update and retry"
    run_apt update || fail "apt-get update failed"
    run_apt install -y --no-install-recommends chromium || fail "apt-get install chromium failed"
  fi
  if [[ ! -x "$CHROMIUM" ]]; then
    log "error: apt-get installed chromium but $CHROMIUM is missing"
    exit 1
  fi
fi

# Chromium's launcher script prints shell warnings on stderr on some machines; only the version line matters.
printf '%s\n' "$("$CHROMIUM" --version 2>/dev/null)"
