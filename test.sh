#!/usr/bin/env bash
# Install the development dependencies and run the whole test suite (SQLite unless
# TEST_DATABASE_URL points at PostgreSQL). The exit code is the suite's.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh

ensure_system_packages
ensure_venv dev

exec .venv/bin/python -m pytest "$@"
