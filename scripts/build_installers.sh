#!/usr/bin/env bash
# Build gdviz's installers, for people without Python: the one build command.
#
#   scripts/build_installers.sh
#
# Linux (Debian/Ubuntu): dist/gdviz/ (the PyInstaller onedir), dist/gdviz-<version>-linux-x86_64.tar.gz
#   and dist/gdviz_<version>_amd64.deb (/opt/gdviz, /usr/bin/gdviz, menu entry, icons).
# macOS: dist/gdviz.app and dist/gdviz-<version>-macos-<arch>.dmg.
# Windows (Git Bash): dist/gdviz/ and dist/gdviz-<version>-windows-x64-setup.exe (Inno Setup 6).
#
# On Linux it first runs scripts/setup.sh (Qt's xcb libraries must be on the build machine, or
# they are missing from the bundle; GDVIZ_SKIP_SETUP=1 skips it). PyInstaller is installed into
# .venv by this script (a build tool, not a dependency of gdviz). The build fails when PyInstaller
# reports a missing library that a bundled file needs (packaging/check_build.py states the rule).
set -euo pipefail
cd "$(dirname "$0")/.."

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=macos ;;
  MINGW* | MSYS* | CYGWIN*) os=windows ;;
  *) echo "build_installers: unsupported system $(uname -s)" >&2; exit 1 ;;
esac

sudo=""; [ "$(id -u 2>/dev/null || echo 0)" -ne 0 ] && sudo="sudo"
if [ "$os" = linux ]; then
  [ "${GDVIZ_SKIP_SETUP:-0}" = 1 ] || scripts/setup.sh
  # dpkg-deb packs the .deb; desktop-file-validate checks the menu entry before it is packed.
  if ! command -v desktop-file-validate >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    install="$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends"
    $install desktop-file-utils >/dev/null 2>&1 \
      || { $sudo apt-get update -qq && $install desktop-file-utils >/dev/null; } \
      || echo "build_installers: note: desktop-file-utils not installed" >&2
  fi
  command -v dpkg-deb >/dev/null || { echo "build_installers: dpkg-deb is needed" >&2; exit 1; }
  py=.venv/bin/python
else
  # macOS and Windows: a virtual environment with gdviz and its dependencies.
  default_python=python3; [ "$os" = windows ] && default_python=python
  if [ ! -d .venv ]; then "${PYTHON:-$default_python}" -m venv .venv; fi
  py=.venv/bin/python; [ -x "$py" ] || py=.venv/Scripts/python.exe
  "$py" -m pip install -q --upgrade pip
  "$py" -m pip install -q -e .
fi
"$py" -m pip install -q "pyinstaller>=6"

version=$(sed -n 's/^__version__ *= *"\([^"]*\)".*/\1/p' gdviz/__init__.py)
[ -n "$version" ] || { echo "build_installers: no __version__ in gdviz/__init__.py" >&2; exit 1; }
echo "build_installers: gdviz $version for $os"

rm -rf dist/gdviz dist/gdviz.app build/pyinstaller
mkdir -p build/pyinstaller dist
log=build/pyinstaller/build.log
started=$(date +%s)
"$py" -m PyInstaller --noconfirm --clean --log-level INFO --distpath dist \
  --workpath build/pyinstaller packaging/gdviz.spec > "$log" 2>&1 \
  || { tail -n 40 "$log" >&2; echo "build_installers: PyInstaller failed (log: $log)" >&2; exit 1; }
echo "build_installers: PyInstaller took $(( $(date +%s) - started )) s (log: $log)"
"$py" packaging/check_build.py --log "$log" --bundle dist/gdviz

case "$os" in
  linux)
    if command -v desktop-file-validate >/dev/null 2>&1; then
      desktop-file-validate packaging/linux/gdviz.desktop
    fi
    "$py" packaging/linux/make_packages.py --bundle dist/gdviz --dist dist
    ;;
  macos)
    bash packaging/macos/make_dmg.sh "$version"
    ;;
  windows)
    iscc=$(command -v iscc || command -v ISCC || true)
    if [ -z "$iscc" ]; then
      for candidate in "/c/Program Files (x86)/Inno Setup 6/ISCC.exe" "/c/Program Files/Inno Setup 6/ISCC.exe"; do
        if [ -f "$candidate" ]; then iscc=$candidate; break; fi
      done
    fi
    [ -n "$iscc" ] || { echo "build_installers: Inno Setup 6 (ISCC.exe) is needed: choco install innosetup" >&2; exit 1; }
    # Git Bash would turn /Qp and /D... into paths: switch that conversion off for this call.
    # Backslashes: ISCC takes the script's folder (the base of its relative paths) from them.
    MSYS_NO_PATHCONV=1 MSYS2_ARG_CONV_EXCL="*" "$iscc" /Qp "/DAppVersion=$version" \
      'packaging\windows\gdviz.iss'
    ;;
esac
echo "build_installers: done:"
ls -l dist | sed 's/^/  /'
