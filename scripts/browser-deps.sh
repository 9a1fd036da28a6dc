#!/usr/bin/env bash
# The browser end-to-end tests (pytest -m browser) drive Debian's Chromium through Playwright; Playwright's own
# browser download (`playwright install`) is not used. Install the chromium package when it is missing
# (Debian/Ubuntu, run as root). Set BROWSER_EXECUTABLE to use another Chromium binary instead.
set -euo pipefail
CHROMIUM=${BROWSER_EXECUTABLE:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  echo "chromium: $CHROMIUM is installed"
  exit 0
fi
if [ -n "${BROWSER_EXECUTABLE:-}" ]; then
  echo "chromium: BROWSER_EXECUTABLE=$BROWSER_EXECUTABLE is not an executable" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: $CHROMIUM is missing and apt-get is not available: install Chromium by hand" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium: $CHROMIUM is missing; installing it needs root (apt-get install chromium)" >&2
  exit 1
fi
echo "chromium: installing Debian's chromium package"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq chromium
test -x "$CHROMIUM" || { echo "chromium: still missing at $CHROMIUM after apt-get install" >&2; exit 1; }
