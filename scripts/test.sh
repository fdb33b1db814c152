#!/usr/bin/env bash
# Test entry point (npm test): real PostgreSQL+PostGIS and Redis, Debian chromium, then vitest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Two steps on purpose: `eval "$(...)"` alone would ignore a failing services.sh.
services_env="$(bash scripts/services.sh --test)"
eval "$services_env"

# Browser tests drive /usr/bin/chromium and screenshot a Chinese interface (fonts-wqy-microhei for the glyphs);
# they are never skipped, so a missing browser fails them.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
# The check report's PDF is Chromium's print in Noto Sans CJK; its tests read the PDF with pdftotext and pdfinfo.
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
    echo "test.sh: installing Debian packages ${missing[*]} with apt-get" >&2
    if ! { apt-get -o DPkg::Lock::Timeout=600 update >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "${missing[@]}" >&2; }; then
      echo "test.sh: WARNING: apt-get install ${missing[*]} failed; browser tests will fail" >&2
    fi
  else
    echo "test.sh: WARNING: ${missing[*]} not installed and cannot install (needs root on Debian: apt-get install ${missing[*]}); browser tests will fail" >&2
  fi
fi

# Static checks first when the whole suite runs: types, Biome, import cycles.
if [ $# -eq 0 ]; then
  npm run --silent typecheck
  npm run --silent lint >/dev/null
fi

exec npx vitest run "$@"
