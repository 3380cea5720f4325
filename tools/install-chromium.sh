#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver for the headless readout test
# (crates/rigor-cli/tests/readout_browser.rs). Idempotent: does nothing when both are
# already installed. Needs root (or sudo) and Debian's package mirror.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    echo "chromium and chromedriver already installed: $(/usr/bin/chromium --version 2>/dev/null || true)"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
echo "installed: $(/usr/bin/chromium --version 2>/dev/null || true); $(/usr/bin/chromedriver --version 2>/dev/null || true)"
