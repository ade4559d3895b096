#!/usr/bin/env bash
# Installs what the tests need beyond the .NET SDK, each only when it is missing: Node.js and npm (for Prism, the
# mock that checks request bodies against Telnyx's OpenAPI spec), Debian's chromium (the dashboard's browser tests;
# Playwright never downloads a browser) and PostgreSQL's server binaries (the PostgreSQL tests start a throwaway
# cluster of their own). Then Prism's npm packages, as locked in tests/prism/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
{ command -v node && command -v npm; } >/dev/null 2>&1 || missing+=(nodejs npm)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
{ command -v initdb || ls /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1 || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} (Debian packages)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

npm ci --prefix tests/prism --no-audit --no-fund
