#!/usr/bin/env bash
# The console's browser tests (tests/console) drive Debian's chromium with Playwright: Playwright's own browser
# download cannot work here. Installs the package when it is missing and we are root with apt-get (a fresh CI machine);
# otherwise says what to do. OCOP_CHROMIUM points the tests at another Chromium binary (never installed here).
set -euo pipefail
binary="${OCOP_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$binary" ]; then
    exit 0
fi
if [ -z "${OCOP_CHROMIUM:-}" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the console's browser tests (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
    [ -x "$binary" ] && exit 0
fi
echo "the console's browser tests need Chromium at $binary: apt-get install chromium (or set OCOP_CHROMIUM)" >&2
exit 1
