#!/usr/bin/env bash
# Idempotent set-up: virtualenv, the package, and the system packages the service needs.
# Called by `make setup`, `make run` and `make test`; safe to run again at any time.
#   --browser   also make sure Debian's Chromium is there (the browser tests need it)
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '\n\033[1;31m[setup] %s\033[0m\n\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }
have_apt() { command -v apt-get >/dev/null 2>&1; }

apt_install() {
  # Package lists may be missing on a fresh CI machine: update once, then retry.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/tmp/karte-apt.log 2>&1 \
    || { DEBIAN_FRONTEND=noninteractive apt-get update -q >>/tmp/karte-apt.log 2>&1 \
         && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >>/tmp/karte-apt.log 2>&1; } \
    || die "apt-get install $* failed; see /tmp/karte-apt.log"
}

# --- PostgreSQL server + PostGIS -------------------------------------------------------------
pg_bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir 2>/dev/null || true)
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) \
           /opt/homebrew/opt/postgresql@*/bin /usr/local/opt/postgresql@*/bin /usr/local/pgsql/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
}

postgis_present() {
  local v
  for v in /usr/share/postgresql/*/extension/postgis.control \
           /opt/homebrew/share/postgresql*/extension/postgis.control \
           /usr/local/share/postgresql*/extension/postgis.control; do
    [ -f "$v" ] && return 0
  done
  return 1
}

bindir=$(pg_bindir || true)
if [ -z "$bindir" ] || ! postgis_present; then
  if is_root && have_apt; then
    if [ -z "$bindir" ]; then
      say "PostgreSQL-Server fehlt – installiere postgresql (apt-get) …"
      apt_install postgresql
      bindir=$(pg_bindir)
    fi
    major=$(basename "$(dirname "$bindir")")
    say "PostGIS fehlt – installiere postgresql-${major}-postgis-3 (apt-get) …"
    apt_install "postgresql-${major}-postgis-3"
  else
    die "PostgreSQL mit PostGIS fehlt / PostgreSQL with PostGIS is missing.
  Debian/Ubuntu:  sudo apt-get install postgresql postgresql-15-postgis-3
                  (use the major version of your PostgreSQL server: ls /usr/lib/postgresql)
  macOS:          brew install postgresql@15 postgis
  Then run 'make setup' again. Or point KARTE_DATABASE_URL at an existing PostGIS server."
  fi
fi
say "PostgreSQL + PostGIS: ok ($(pg_bindir))"

# --- Chromium for the browser tests ----------------------------------------------------------
if [ "$want_browser" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  if is_root && have_apt; then
    say "Chromium fehlt – installiere chromium (apt-get) …"
    apt_install chromium
  else
    die "Chromium fehlt / Chromium is missing (the browser tests drive /usr/bin/chromium).
  Debian/Ubuntu:  sudo apt-get install chromium
  macOS:          brew install --cask chromium  (then set KARTE_CHROMIUM to its path)"
  fi
fi

# --- Python virtualenv + package -------------------------------------------------------------
python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "Python 3.11 oder neuer wird gebraucht / Python 3.11+ is required (found: $("$python" --version 2>&1))."
if [ ! -x .venv/bin/python ]; then
  say "Lege .venv an …"
  "$python" -m venv .venv || die "python3 -m venv failed. Debian/Ubuntu: sudo apt-get install python3-venv"
fi
stamp=".venv/.karte-installed-$(cat pyproject.toml | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  say "Installiere Python-Pakete (pip install -e .[dev]) …"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -e '.[dev]' || die "pip install -e .[dev] failed (see above)."
  rm -f .venv/.karte-installed-*
  touch "$stamp"
fi
say "Python-Umgebung: ok (.venv)"

# --- Front-end assets of the map pages (Leaflet, plugins, icon font) ------------------------
# Installed from the npm registry exactly as pinned in package-lock.json into node_modules/
# (gitignored) and served by the service under /assets — never committed, never a CDN.
# Skipped when node_modules already matches the lockfile (stamp = lockfile hash).
assets_stamp="node_modules/.karte-installed-$(sha1sum package-lock.json | cut -c1-12)"
if [ ! -f "$assets_stamp" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    if is_root && have_apt; then
      say "npm fehlt – installiere nodejs und npm (apt-get) …"
      apt_install nodejs npm
    else
      die "npm fehlt / npm is missing (the map pages' Leaflet files are installed with npm ci).
  Debian/Ubuntu:  sudo apt-get install nodejs npm
  macOS:          brew install node
  Then run 'make setup' again."
    fi
  fi
  say "Installiere Karten-Dateien (npm ci: Leaflet, Plugins, Symbolschrift) …"
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error \
    || die "npm ci failed (see above). The npm registry must be reachable once for set-up."
  touch "$assets_stamp"
fi
say "Karten-Dateien: ok (node_modules)"
