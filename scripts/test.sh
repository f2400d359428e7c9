#!/usr/bin/env bash
# The project's test command (`npm test`): static checks, then unit tests, then integration tests against a real
# Temporal dev server (TEMPORAL_ADDRESS, or one each test file starts) and the simulator, then the browser test of
# the Temporal Web UI (its own dev server with the UI; needs /usr/bin/chromium: bash scripts/install-chromium.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck"
npx tsc --noEmit -p .
echo "== lint"
npx eslint .
echo "== unit and integration tests"
node --import tsx --test --test-concurrency=1 --test-timeout=300000 test/unit/*.test.ts test/integration/*.test.ts test/ui/*.test.ts
