#!/usr/bin/env bash
# Installs the official Temporal Python SDK (the pinned PyPI package `temporalio`, with its dependencies) into the
# git-ignored folder tools/python-client, for examples/start_day.py and its test (test/integration/python-client.test.ts).
#
# Environment: TRADEFLOW_PYTHON_CLIENT_DIR (default <repo>/tools/python-client), PYTHON (default python3, 3.10+).
# Prints the folder on stdout (last line); progress goes to stderr.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec bash "$repo_root/scripts/install-python-package.sh" temporalio 1.35.0 temporalio \
  "${TRADEFLOW_PYTHON_CLIENT_DIR:-$repo_root/tools/python-client}" temporalio.client
