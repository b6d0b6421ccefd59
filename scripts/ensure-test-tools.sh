#!/usr/bin/env bash
# The browser tests drive Debian's Chromium, and the PDF tests read reports back with Poppler's pdftotext (a
# reader nobody here wrote). Install whichever is missing when we are allowed to.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} for the tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "The tests need ${missing[*]}, which is not installed." >&2
  echo "Install it with:  sudo apt-get install ${missing[*]}   (then run make test again)" >&2
  exit 1
fi
