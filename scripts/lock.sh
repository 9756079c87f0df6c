#!/usr/bin/env bash
# Refresh the lock files from pyproject.toml, on purpose (after changing a dependency or to take
# updates): requirements/run.lock (what ./run.sh installs: the app and gunicorn) and
# requirements/dev.lock (what ./test.sh and CI install: also the test tools, PostgreSQL and Redis
# drivers), each pin with its hashes. Resolved for Python 3.11, the oldest supported.
# Usage: scripts/lock.sh [--upgrade | --upgrade-package NAME ...]
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools"
"$tools/bin/pip" install --quiet "pip-tools>=7.4,<8"
compile() {
  CUSTOM_COMPILE_COMMAND="scripts/lock.sh" "$tools/bin/pip-compile" --quiet --generate-hashes \
    --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links "$@" pyproject.toml
}
compile --extra server --output-file requirements/run.lock "${@}"
# The dev lock keeps the run lock's versions, so tests run what production runs.
compile --extra server --extra dev --extra postgres --extra redis --constraint requirements/run.lock \
  --output-file requirements/dev.lock "${@}"
echo "requirements/run.lock and requirements/dev.lock refreshed; commit them with the change."
