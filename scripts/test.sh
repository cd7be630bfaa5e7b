#!/usr/bin/env bash
# The whole test suite, as CI runs it: set up with the test extras, lint, then pytest.
# Tests choose Qt's offscreen platform themselves; no display is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
.venv/bin/ruff check gdviz tests benchmarks scripts
.venv/bin/python -m pytest "$@"
GDVIZ_PACKAGING_TESTS=1 .venv/bin/python -m pytest tests/packaging -m packaging -q
