#!/usr/bin/env bash
# The whole test suite, from a fresh clone: everything it needs is installed here.
# With TEST_DATABASE_URL set, the server tests use that PostgreSQL instead of an embedded one.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's Chromium for the browser tests…"
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
fi

npm run typecheck
npm run lint
npm run build:ui
npm run test:ui
npm run test:server
npm run test:browser
