#!/usr/bin/env bash
# The accessibility check (issue 10, point 22): the browser walkthroughs replayed with --axe.
# Each starts the portal on a fresh SQLite database with the demo data (and the fake Stripe), and
# after every page a step lands on, axe-core (tests/a11y/vendor, scripts/vendor_axe.sh) checks it
# at 1280 and 390 px against WCAG 2.1 A and AA (tags wcag2a, wcag2aa, wcag21a, wcag21aa).
# Any violation, or a failed step, fails the run. Reports: $OUT/<walkthrough>/report.md and .json
# (OUT defaults to /tmp/liaison-a11y), screenshots in $OUT/<walkthrough>/shots.
# Installs what it needs as root on Debian/Ubuntu: Debian's chromium and poppler-utils; Playwright
# for Python comes pinned with hashes from requirements/dev.lock and downloads no browser.
# Usage: scripts/a11y_check.sh [international] [membership] [catalog]   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
OUT=${OUT:-/tmp/liaison-a11y}
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PYTHONDONTWRITEBYTECODE=1

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "The accessibility check needs: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  say "Installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
ensure_system_packages
ensure_venv dev

walks=("$@")
[ ${#walks[@]} -gt 0 ] || walks=(international membership catalog challenges crm innovation)
status=0
for walk in "${walks[@]}"; do
  dir="$OUT/$walk"
  rm -rf "$dir"
  mkdir -p "$dir"
  say "axe-core over scripts/walkthrough_$walk.py (log: $dir/walkthrough.log)"
  started=$SECONDS
  args=(--axe --axe-out "$dir" --out "$dir/shots" --extra-dir "$dir/extra" --db "$dir/portal.db"
    --log "$dir/server.log" --pdf "$dir/invoice.pdf")
  [ "$walk" != membership ] || args+=(--agreement-pdf "$dir/agreement-executed.pdf")
  if .venv/bin/python "scripts/walkthrough_$walk.py" "${args[@]}" >"$dir/walkthrough.log" 2>&1; then
    result=passed
  else
    result=FAILED
    status=1
    grep -E "FAILED|✘" "$dir/walkthrough.log" | head -20 || true
    [ ! -f "$dir/report.md" ] || sed -n '/^## /,/^## Pages checked/p' "$dir/report.md" | head -80
  fi
  sed -n '/^Accessibility (axe-core/,$p' "$dir/walkthrough.log"
  echo "$walk: $result in $((SECONDS - started))s"
done
exit "$status"
