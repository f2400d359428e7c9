#!/usr/bin/env bash
# Installs Alpaca's official Python SDK (the pinned PyPI package `alpaca-py`, with its dependencies) into the
# git-ignored folder tools/alpaca-py, for the simulator's compatibility suite packages/alpaca-sim/test/alpaca-py/
# (run by test/integration/alpaca-py.test.ts).
#
# Environment: TRADEFLOW_ALPACA_PY_DIR (default <repo>/tools/alpaca-py), PYTHON (default python3, 3.10+).
# Prints the folder on stdout (last line); progress goes to stderr.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec bash "$repo_root/scripts/install-python-package.sh" alpaca-py 0.44.0 alpaca \
  "${TRADEFLOW_ALPACA_PY_DIR:-$repo_root/tools/alpaca-py}" alpaca.trading.client alpaca.data.historical
