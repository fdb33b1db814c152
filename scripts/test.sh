#!/usr/bin/env bash
# Test entry point (npm test): real PostgreSQL+PostGIS and Redis, Debian chromium, then vitest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Two steps on purpose: `eval "$(...)"` alone would ignore a failing services.sh.
services_env="$(bash scripts/services.sh --test)"
eval "$services_env"

# Browser tests drive /usr/bin/chromium; they are never skipped, so a missing browser fails them.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
    echo "test.sh: /usr/bin/chromium missing: installing Debian package chromium with apt-get" >&2
    if ! { apt-get -o DPkg::Lock::Timeout=600 update >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y chromium >&2; }; then
      echo "test.sh: WARNING: apt-get install chromium failed; browser tests will fail" >&2
    fi
  else
    echo "test.sh: WARNING: /usr/bin/chromium not found and cannot install it (needs root on Debian: apt-get install chromium); browser tests will fail" >&2
  fi
fi

exec npx vitest run "$@"
