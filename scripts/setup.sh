#!/usr/bin/env bash
# Everything the test suite needs on a fresh machine: the npm dependencies from the lockfile, Debian's
# Chromium for the browser login test (apps/example-express/test/browser-login.test.ts), and a running
# Redis on 127.0.0.1:6379 (started when installed but not running).
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund

# Chromium from Debian's packages, never a browser downloaded by Playwright. Only as root with apt-get:
# elsewhere the browser test skips itself (or, under CI, fails saying Chromium is missing).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing Chromium from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Not fatal: Redis below must still start; under CI the browser test then fails, saying why.
  if ! { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; then
    echo "setup: could not install Chromium; the browser login test needs /usr/bin/chromium" >&2
  fi
fi

if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  fi
fi
