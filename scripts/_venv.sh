# Sourced by scripts/main and scripts/test: make .venv with everything the project needs.
# Reinstalls only when pyproject.toml changed, so a second run starts at once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
py="${PYTHON:-python3.11}"
command -v "$py" >/dev/null 2>&1 || py=python3
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
# AICHEF_EXTRAS chooses the extras: scripts/main needs dev only, scripts/test adds model (a real
# language model server, whose first build takes minutes). A test setup also serves scripts/main.
extras="${AICHEF_EXTRAS:-dev}"
hash="$(sha256sum pyproject.toml | cut -c1-16)"
stamp=".venv/.stamp-$hash-${extras//,/-}"
if [ ! -f "$stamp" ] && ! { [ "$extras" = dev ] && [ -f ".venv/.stamp-$hash-dev-model" ]; }; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$extras]"
  find .venv -maxdepth 1 -name '.stamp-*' ! -name ".stamp-$hash-*" -delete
  touch "$stamp"
fi
export PATH="$root/.venv/bin:$PATH"
