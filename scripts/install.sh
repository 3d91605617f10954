#!/usr/bin/env bash
# Installs everything the portal and its tests need: Debian packages, then a
# virtualenv in .venv with the pinned requirements. Safe to run again: each step
# is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(postgresql libpq-dev redis-server poppler-utils chromium chromium-driver
  fonts-liberation2 fontconfig libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext make)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> Creating virtualenv .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> Installing Python packages (requirements.txt)"
  .venv/bin/pip install -q -r requirements.txt 2> >(grep -v "is ignored" >&2)
  echo "$want" > "$stamp"
fi

# The Vietnamese catalogue of the library strings (locale/vi/LC_MESSAGES/*.po, gettext's msgfmt);
# the compiled .mo files are not kept in git. Up-to-date files are skipped.
.venv/bin/python manage.py compilemessages --ignore=.venv -v 0
