#!/usr/bin/env bash
# Set up gdviz on a Debian/Ubuntu machine: the system libraries Qt needs, a virtual environment
# in .venv and the package in it (editable). `scripts/setup.sh --test` adds the test extras.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[ "${1:-}" = "--test" ] && extras="[test]"

# Qt's offscreen platform needs the first line; a real window (X11, or Xvfb for screenshots and
# tests) the rest. python3-venv because Debian's Python ships without ensurepip.
qt_packages="libegl1 libgl1 libx11-6 libxkbcommon0 libglib2.0-0 libfontconfig1 libfreetype6
  libdbus-1-3 fonts-dejavu-core
  xvfb xauth libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
  libxcb-xfixes0 libxcb-xkb1 libxcb-glx0 libxkbcommon-x11-0 libgl1-mesa-dri"

if command -v apt-get >/dev/null 2>&1; then
  missing=$(for p in $qt_packages; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
  if ! python3 -c "import ensurepip" >/dev/null 2>&1; then missing="$missing python3-venv"; fi
  if [ -n "$(echo $missing)" ]; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "Installing system libraries for Qt: $(echo $missing)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
else
  echo "note: no apt-get here; install the Qt xcb libraries with your package manager" >&2
fi

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "gdviz needs Python 3.11 or newer ($python is $("$python" --version))" >&2; exit 1; }
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".$extras"
echo "gdviz is installed in .venv: run .venv/bin/gdviz"
