#!/usr/bin/env bash
# Installs Debian's Chromium, which the browser tests drive through Playwright, when it
# is missing. Playwright's own browser download is never used.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "Installing Debian's chromium for the browser tests ..."
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo -n"; fi
$sudo apt-get install -y -q chromium >/dev/null 2>&1 || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q chromium >/dev/null; }
[ -x /usr/bin/chromium ] || { echo "error: /usr/bin/chromium could not be installed; the browser tests need it." >&2; exit 1; }
