#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (tests/browser, marker `browser`).
# Idempotent: does nothing when /usr/bin/chromium already exists. Playwright never
# downloads its own browser in this project; the tests launch this executable.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [[ -x "$CHROMIUM" ]]; then
  echo "chromium already installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "need root or sudo to apt-get install chromium" >&2; exit 1; }
  SUDO=sudo
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk
"$CHROMIUM" --version
