#!/usr/bin/env bash
# Make sure Debian's chromium and a Korean font are installed: the browser test drives the system chromium
# (Playwright's own browser download is not used), and the page is Korean first.
set -euo pipefail
have_korean_font() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=ko 2>/dev/null)" ]; }
if [ -x /usr/bin/chromium ] && have_korean_font; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "scripts/_chromium.sh: chromium or a Korean font is missing and cannot be installed here (needs root and apt-get)" >&2
  exit 1
fi
echo "== installing chromium and fonts-noto-cjk (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
