#!/usr/bin/env bash
# Vendor axe-core (Deque, MPL-2.0) for the accessibility check (scripts/a11y_check.sh) from the npm
# registry: tests/a11y/vendor/axe.min.js and its LICENSE, and the version and SHA-256 in
# tests/a11y/vendor/VERSION. Test tooling only: never served by the portal.
# Usage: scripts/vendor_axe.sh [VERSION]   (default: the version in tests/a11y/vendor/VERSION)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=tests/a11y/vendor
version=${1:-$(sed -n 's/^axe-core \([0-9.]*\).*/\1/p' "$dest/VERSION" 2>/dev/null || true)}
[ -n "$version" ] || { echo "usage: $0 VERSION (e.g. 4.14.1)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@$version" >/dev/null)
tar -xzf "$work/axe-core-$version.tgz" -C "$work" package/axe.min.js package/LICENSE
mkdir -p "$dest"
cp "$work/package/axe.min.js" "$work/package/LICENSE" "$dest/"
sum=$(sha256sum "$dest/axe.min.js" | cut -d' ' -f1)
printf 'axe-core %s (npm, MPL-2.0)\nsha256 %s  axe.min.js\n' "$version" "$sum" > "$dest/VERSION"
echo "axe-core $version -> $dest/axe.min.js (sha256 $sum)"
