# Shared by ./run.sh and ./test.sh: find Python >= 3.11, install the system libraries (Debian/Ubuntu),
# create .venv and install the project into it. Sourced, not executed.

# fonts: DejaVu (Latin, Greek, Cyrillic, Arabic), Noto CJK (Japanese, Chinese, Korean), Noto Color Emoji:
# a partner's name prints in every PDF whatever its script (tests/agreements/test_pdf_scripts.py).
LIAISON_APT_PACKAGES=(python3-venv python3-pip libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
  fonts-noto-cjk fonts-noto-color-emoji)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

missing_apt_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local pkg missing=()
  for pkg in "${LIAISON_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  echo "${missing[@]:-}"
}

ensure_system_packages() {
  command -v apt-get >/dev/null 2>&1 || return 0   # not Debian/Ubuntu: the README lists what to install
  local missing
  missing=$(missing_apt_packages)
  [ -n "$missing" ] || return 0
  if [ "$(id -u)" -eq 0 ]; then
    say "Installing system packages: $missing"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "Liaison needs these system packages first. Run:" >&2
    echo "  sudo apt-get install -y $missing" >&2
    echo "then run this command again." >&2
    exit 1
  fi
}

# ensure_venv LOCK: create .venv if needed and install exactly the pins of requirements/LOCK.lock
# (with their hashes), then the project itself; again only when the lock or pyproject.toml changed.
ensure_venv() {
  local lock="requirements/$1.lock" python stamp wanted
  python=$(find_python) || { echo "Liaison needs Python 3.11 or newer (python3 --version)." >&2; exit 1; }
  if [ ! -x .venv/bin/python ]; then
    say "Creating .venv with $($python --version)"
    "$python" -m venv .venv
  fi
  stamp=.venv/.liaison-installed
  wanted="$(cat pyproject.toml "$lock" | sha256sum | cut -d' ' -f1) $1"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    say "Installing Liaison and its dependencies into .venv (first run takes a minute)"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet --require-hashes --no-deps -r "$lock"
    # (setuptools warns about editable installs in general; nothing to act on)
    PYTHONWARNINGS=ignore .venv/bin/python -m pip install --quiet --no-deps -e .
    .venv/bin/python -m pip check >/dev/null || { .venv/bin/python -m pip check >&2; exit 1; }
    echo "$wanted" > "$stamp"
  fi
}
