#!/usr/bin/env bash
# Python tests of training/. Needs .venv (npm run setup:py); CI always has it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "no .venv: run scripts/setup-py.sh" >&2
    exit 1
  fi
  echo "Skipping the Python tests: no .venv here. Run 'npm run setup:py' once to include them."
  exit 0
fi
.venv/bin/ruff check training
status=0
.venv/bin/python -m pytest training -q -p no:cacheprovider || status=$?
# pytest exits 5 when it collected nothing; that is a failure here too.
exit "$status"
