#!/usr/bin/env bash
# Real-browser test of the demo web app (see scripts/browser_test.py for the scenario):
#
#   scripts/browser_test.sh                       # starts .build/debug/gavel on a free port
#   scripts/browser_test.sh --bin path/to/gavel --screenshots .build/screenshots
#   scripts/browser_test.sh --url http://127.0.0.1:8080
#   scripts/browser_test.sh --readme-screenshot docs/screenshot.png
#
# Requires the Debian packages chromium and chromium-driver and the Python packages selenium and
# pyotp (make deps). Closing line: "browser: N passed, M failed".
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=""
for tool in python3 chromium chromedriver; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
for module in selenium pyotp; do
    python3 -c "import $module" >/dev/null 2>&1 || missing="$missing python3-module:$module"
done
if [ -n "$missing" ]; then
    echo "browser: missing:$missing (make deps installs chromium, chromium-driver, selenium and pyotp)" >&2
    exit 1
fi

exec python3 scripts/browser_test.py "$@"
