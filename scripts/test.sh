#!/usr/bin/env bash
# The project's test command (`npm test`): static checks, then unit tests, then integration tests against a real
# Temporal dev server (TEMPORAL_ADDRESS, or one each test file starts) and the simulator, then the browser test of
# the Temporal Web UI (its own dev server with the UI; needs /usr/bin/chromium: bash scripts/install-chromium.sh).
# The simulator package (packages/alpaca-sim, an npm workspace) is checked on its own too, and its tests run here.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck"
npx tsc --noEmit -p .
# The package alone: its tsconfig has rootDir at the package, so an import from outside it fails here.
npx tsc --noEmit -p packages/alpaca-sim
echo "== lint"
npx eslint .
echo "== unit and integration tests"
# TAP on stdout as before, and a summary of the failures (test/support/failure-summary.mjs) printed at the end.
failures="$(mktemp "${TMPDIR:-/tmp}/tradeflow-test-failures.XXXXXX")"
trap 'rm -f "$failures"' EXIT
status=0
node --import tsx --test --test-concurrency=1 --test-timeout=300000 \
  --test-reporter=tap --test-reporter-destination=stdout \
  --test-reporter=./test/support/failure-summary.mjs --test-reporter-destination="$failures" \
  test/unit/*.test.ts packages/*/test/unit/*.test.ts \
  test/integration/*.test.ts packages/*/test/integration/*.test.ts \
  test/ui/*.test.ts || status=$?
if (( status != 0 )); then
  echo "== failed tests"
  cat "$failures"
fi
exit "$status"
