#!/usr/bin/env bash
# Install what is missing and start Liaison with demo data on SQLite at http://127.0.0.1:5000
# A second run is fast and keeps the data (instance/liaison.db).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh

ensure_system_packages
ensure_venv run

export LIAISON_ENV=development FLASK_APP=wsgi
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-5000}"
export BASE_URL="${BASE_URL:-http://$HOST:$PORT}"

say "Updating the database schema"
.venv/bin/flask db upgrade 2>&1 | grep -v "^INFO" || true
say "Loading demo data"
demo=$(.venv/bin/flask portal seed-demo)

cat <<BANNER

  Liaison is running at  http://$HOST:$PORT
$(echo "$demo" | sed 's/^/  /')

  Emails (confirmation, password-reset and invitation links) are printed in this terminal.
  Stop with Ctrl+C. Start again with ./run.sh (your data is kept in instance/liaison.db).

BANNER
exec .venv/bin/flask run --host "$HOST" --port "$PORT"
