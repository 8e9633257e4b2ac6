#!/usr/bin/env bash
# Make sure Debian's chromium and a Korean font are installed: the browser test drives the system chromium
# (Playwright's own browser download is not used), and the page is Korean first. npm fetches the
# pinned axe-core the browser test checks the page with.
set -euo pipefail
have_korean_font() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=ko 2>/dev/null)" ]; }
if [ -x /usr/bin/chromium ] && have_korean_font && command -v npm >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "scripts/_chromium.sh: chromium, a Korean font or npm is missing and cannot be installed here (needs root and apt-get)" >&2
  exit 1
fi
echo "== installing chromium, fonts-noto-cjk and npm (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
missing="chromium fonts-noto-cjk"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
apt-get install -y -qq $missing >/dev/null
