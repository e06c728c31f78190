#!/usr/bin/env bash
# Installs tenderlab's build and test dependencies from Debian 12's packages, when missing, and
# the chart libraries the HTML report inlines (Vega, Vega-Lite, vega-embed) from the npm registry
# at the versions analysis/web/package-lock.json pins.
# Safe to run again: it only calls apt-get for packages that are not installed yet, and npm only
# when the lock file changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config git clang-format clang-tidy
  clang libclang-rt-14-dev
  libsimgrid-dev libboost-graph-dev libboost-math-dev nlohmann-json3-dev catch2 libcli11-dev
  libpcg-cpp-dev
  libsqlite3-dev sqlite3 libssl-dev
  libopenmpi-dev openmpi-bin
  python3 python3-jsonschema jq time
  libxlsxwriter-dev
  # The HTML report's tests open every report in headless Chromium; the Nanum fonts draw the
  # Korean unit names (억원, 조원) in its screenshots.
  chromium fonts-nanum
)
# Node.js and npm install the report's chart libraries. A machine may have Node.js from
# elsewhere (with its own npm); Debian's packages are only needed when there is no npm at all.
if ! command -v npm > /dev/null 2>&1; then packages+=(nodejs npm); fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep "install ok installed" >/dev/null; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all Debian packages are installed"
else
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The report's chart libraries: npm ci installs exactly what the lock file pins into
# analysis/web/node_modules (ignored by git); the build inlines them into the program. A stamp
# with the lock file's hash skips the download when nothing changed.
web=analysis/web
lock_hash=$(sha256sum "$web/package-lock.json" | cut -d' ' -f1)
stamp="$web/node_modules/.tenderlab-lock-sha256"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_hash" ]; then
  echo "setup: the report's chart libraries are installed"
else
  echo "setup: installing the report's chart libraries (npm ci in $web)"
  (cd "$web" && npm ci --omit=optional --ignore-scripts --no-audit --no-fund)
  echo "$lock_hash" > "$stamp"
fi
