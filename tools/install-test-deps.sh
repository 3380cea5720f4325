#!/usr/bin/env bash
# Installs, from Debian's packages, what the test suite drives for real:
#   - Chromium and ChromeDriver, for the headless readout test
#     (crates/rigor-cli/tests/readout_browser.rs);
#   - PostgreSQL's server binaries (initdb, pg_ctl), for tools/pg-test.sh.
# Idempotent: installs only what is missing. Needs root (or sudo) and Debian's mirror.
# Exits non-zero when an install fails; tools/test then says which tests ran without it.
set -euo pipefail
want=()
{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } ||
  want+=(chromium chromium-driver fonts-dejavu-core)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || want+=(postgresql)
if [ ${#want[@]} -eq 0 ]; then
  echo "test dependencies present: $(/usr/bin/chromium --version 2>/dev/null || true); $(ls -d /usr/lib/postgresql/*/ | xargs -n1 basename | sed 's/^/PostgreSQL /')"
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "installing ${want[*]} from Debian's packages" >&2
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
echo "installed: ${want[*]}"
