#!/usr/bin/env bash
# System programs the tests run for real: a Redis server, Chromium with its WebDriver for the
# web chat widget's browser tests, and PostgreSQL for the conversation log (the tests use the server
# on 127.0.0.1:5432 when one answers, else start a private one from its initdb and pg_ctl). Installs (Debian packages) only what is missing, so on a machine
# that has them all it does nothing, needs no root and no network.
set -euo pipefail

# Debian package -> the command it provides.
declare -A commands=([redis-server]=redis-server [chromium]=chromium [chromium-driver]=chromedriver)

missing=()
for package in redis-server chromium chromium-driver; do
  command -v "${commands[$package]}" >/dev/null 2>&1 || missing+=("$package")
done
# Debian keeps PostgreSQL's server programs off the PATH, under /usr/lib/postgresql/VERSION/bin.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "system_deps: please install ${missing[*]} (no apt-get here to do it)" >&2
  exit 1
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "system_deps: installing ${missing[*]} needs root, and sudo is not available" >&2
    exit 1
  fi
  as_root=(sudo)
fi
echo "system_deps: installing ${missing[*]}" >&2
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
