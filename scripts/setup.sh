#!/usr/bin/env bash
# Installs tenderlab's build and test dependencies from Debian 12's packages, when missing.
# Safe to run again: it only calls apt-get for packages that are not installed yet.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git clang-format
  clang libclang-rt-14-dev
  libsimgrid-dev libboost-graph-dev libboost-math-dev nlohmann-json3-dev catch2 libcli11-dev
  libpcg-cpp-dev
  libsqlite3-dev sqlite3 libssl-dev
  libopenmpi-dev openmpi-bin
  python3 python3-jsonschema jq time
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep "install ok installed" >/dev/null; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all dependencies are installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
