#!/usr/bin/env bash
# Every test, cheapest first. The last line printed is pytest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
RASA=.venv/bin/rasa
mkdir -p test-output

echo "==> rasa data validate --fail-on-warnings"
$RASA data validate --fail-on-warnings > test-output/validate.log 2>&1 || { tail -40 test-output/validate.log; exit 1; }

echo "==> rasa test (test stories, --fail-on-prediction-errors)"
$RASA test core --model models --stories tests/test_stories.yml --fail-on-prediction-errors \
  --out test-output/rasa-test > test-output/rasa-test.log 2>&1 || {
  tail -60 test-output/rasa-test.log; cat test-output/rasa-test/failed_test_stories.yml 2>/dev/null | head -120; exit 1; }

echo "==> pytest"
exec $PY -m pytest -p no:cacheprovider "$@"
