#!/usr/bin/env bash
# PDF reports are drawn by WeasyPrint, which needs the Pango text library from the system.
set -euo pipefail
if ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so" && ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so"; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing the Pango text library for PDF reports..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null
else
  echo "PDF reports need the Pango text library, which is not installed." >&2
  echo "Install it with:  sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core" >&2
  exit 1
fi
