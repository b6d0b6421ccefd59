#!/usr/bin/env bash
# The browser tests drive Debian's Chromium. Install it when missing and we are allowed to.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "The browser tests need Chromium, which is not installed." >&2
  echo "Install it with:  sudo apt-get install chromium   (then run make test again)" >&2
  exit 1
fi
