#!/usr/bin/env bash
# Debian packages the test suite needs, installed only when missing (no apt-get at all otherwise):
# redis-server for the Redis session store tests, chromium and chromium-driver for the widget's
# browser tests. Playwright drives this chromium: it never downloads a browser of its own.
set -euo pipefail

packages=(redis-server chromium chromium-driver)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "system_deps: not a Debian system; install ${missing[*]} yourself" >&2
  # In CI the tests that need them must run, so a machine that cannot install them is an error.
  [ "${CI:-}" = "true" ] && exit 1
  exit 0
fi

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "system_deps: installing ${missing[*]}" >&2
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
