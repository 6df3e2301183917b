#!/usr/bin/env bash
# Create (idempotently) a separate virtual environment holding vot-toolkit 0.7.4, the VOT
# challenge's official Python toolkit, used as an independent reference ("peer") for evalkit's
# VOT accuracy / robustness / EAO. It never touches evalkit's own environment.
#
#   tests/peers/setup_vot_toolkit.sh            # venv at <repo>/.peers/vot-toolkit
#   EVALKIT_VOT_TOOLKIT_VENV=/some/dir tests/peers/setup_vot_toolkit.sh
#   PYTHON=python3.11 tests/peers/setup_vot_toolkit.sh   # interpreter that creates the venv
#
# Prints the venv's python path on the last line of stdout. Works offline against the local
# wheel indexes pip is configured with; every package is pinned to a version that installs
# and runs on CPython 3.11 there (numba/llvmlite are needed: the region rasteriser is @njit).
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
venv="${EVALKIT_VOT_TOOLKIT_VENV:-$repo_root/.peers/vot-toolkit}"
python="${PYTHON:-python3}"

pins=(
  "vot-toolkit==0.7.4"
  "attributee==0.1.9"
  "vot-trax==4.0.2"
  "numpy==2.4.6"
  "numba==0.68.1"
  "llvmlite==0.50.0"
  "opencv-python==5.0.0.93"
  "matplotlib==3.11.2"
  "contourpy==1.3.3"
  "cycler==0.12.1"
  "fonttools==4.68.0"
  "kiwisolver==1.5.1"
  "pyparsing==3.3.3"
  "python-dateutil==4.0.0"
  "pillow==13.0.0"
  "PyLaTeX==1.4.2"
  "ordered-set==4.1.0"
  "jsonschema==4.26.0"
  "jsonschema-specifications==2025.9.1"
  "referencing==0.37.0"
  "rpds-py==2026.9.1"
  "attrs==26.1.0"
  "typing_extensions==4.16.0"
  "PyYAML==6.0.3"
  "requests==2.34.2"
  "certifi==2026.10.18"
  "charset-normalizer==3.5.2"
  "idna==3.20"
  "urllib3==2.8.0"
  "tqdm==4.70.1"
  "six==1.17.0"
  "colorama==0.4.6"
  "packaging==26.3"
  "dominate==2.9.1"
  "cachetools==8.0.1"
  "bidict==0.24.1"
  "phx-class-registry==5.1.1"
  "lazy-object-proxy==1.13.0"
  "tzdata==2026.6"
)

check='import vot, attributee.io, numba; assert vot.__version__ == "0.7.4", vot.__version__'

if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c "$check" >/dev/null 2>&1; then
  echo "vot-toolkit 0.7.4 already importable in $venv" >&2
  echo "$venv/bin/python"
  exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
  echo "creating venv $venv with $("$python" -c 'import sys; print(sys.executable, sys.version.split()[0])')" >&2
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
fi

echo "installing vot-toolkit 0.7.4 and pinned dependencies into $venv" >&2
# pip's stdout (progress) goes to stderr so that stdout carries only the python path.
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input "${pins[@]}" 1>&2

"$venv/bin/python" -c "$check"

# Warm numba's on-disk cache (vot.region.raster/io use @njit(cache=True)), so the first
# reference run does not pay the JIT compilation.
"$venv/bin/python" - >&2 <<'EOF'
from vot.region import Rectangle, Polygon, Special, calculate_overlaps
a = [Rectangle(1.0, 2.0, 30.0, 40.0), Polygon([(1.0, 1.0), (30.0, 2.0), (29.0, 40.0), (2.0, 39.0)]), Special(1)]
b = [Polygon([(1.0, 1.0), (30.0, 2.0), (29.0, 40.0), (2.0, 39.0)]), Rectangle(1.0, 2.0, 30.0, 40.0), Rectangle(0.0, 0.0, 5.0, 5.0)]
calculate_overlaps(a, b, (640, 480))
calculate_overlaps(a, b, None)
print("vot-toolkit", __import__("vot").__version__, "ready")
EOF

echo "$venv/bin/python"
