#!/usr/bin/env bash
# The project's test command (`npm test`): static checks, then unit tests, then integration tests against a real
# Temporal dev server (TEMPORAL_ADDRESS, or one each test file starts) and the simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck"
npx tsc --noEmit -p .
echo "== lint"
npx eslint .
echo "== unit and integration tests"
node --import tsx --test --test-concurrency=1 --test-timeout=300000 test/unit/*.test.ts test/integration/*.test.ts
