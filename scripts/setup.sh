#!/usr/bin/env bash
# Everything the test suite needs on a fresh machine: the npm dependencies from the lockfile and a
# running Redis on 127.0.0.1:6379 (started when installed but not running).
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund

if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  fi
fi
