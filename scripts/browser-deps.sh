#!/usr/bin/env bash
# The browser end-to-end tests (pytest -m browser) drive Debian's Chromium through Playwright; Playwright's own
# browser download (`playwright install`) is not used. Install the chromium package when it is missing
# (Debian/Ubuntu, run as root), and a CJK font (fonts-wqy-microhei) so that the Traditional Chinese pages'
# screenshots show their text. Set BROWSER_EXECUTABLE to use another Chromium binary instead.
set -euo pipefail
CHROMIUM=${BROWSER_EXECUTABLE:-/usr/bin/chromium}
FONT_PACKAGE=fonts-wqy-microhei
have_font() { dpkg-query -W -f='${Status}' "$FONT_PACKAGE" 2>/dev/null | grep -q "install ok installed"; }
if [ -x "$CHROMIUM" ] && { [ -n "${BROWSER_EXECUTABLE:-}" ] || have_font; }; then
  echo "chromium: $CHROMIUM is installed"
  exit 0
fi
if [ -n "${BROWSER_EXECUTABLE:-}" ] && [ ! -x "$CHROMIUM" ]; then
  echo "chromium: BROWSER_EXECUTABLE=$BROWSER_EXECUTABLE is not an executable" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: $CHROMIUM or $FONT_PACKAGE is missing and apt-get is not available: install them by hand" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium: $CHROMIUM or $FONT_PACKAGE is missing; installing needs root (apt-get install chromium $FONT_PACKAGE)" >&2
  exit 1
fi
echo "chromium: installing Debian's chromium and $FONT_PACKAGE packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq chromium "$FONT_PACKAGE"
test -x "$CHROMIUM" || { echo "chromium: still missing at $CHROMIUM after apt-get install" >&2; exit 1; }
