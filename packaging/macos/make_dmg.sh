#!/usr/bin/env bash
# Pack dist/gdviz.app (made by PyInstaller from packaging/gdviz.spec on macOS) into
# dist/gdviz-<version>-macos-<arch>.dmg: the app plus a link to /Applications to drag it onto.
#
#   packaging/macos/make_dmg.sh 0.1.0      (scripts/build_installers.sh calls it)
#
# The app is ad-hoc signed, not notarised: on first launch macOS asks to confirm (right-click >
# Open, or System Settings > Privacy & Security > Open Anyway); the README says so.
set -euo pipefail
cd "$(dirname "$0")/../.."

version=${1:?usage: packaging/macos/make_dmg.sh VERSION}
arch=$(uname -m)  # arm64 on Apple silicon, x86_64 on Intel
app=dist/gdviz.app
dmg=dist/gdviz-$version-macos-$arch.dmg
[ -d "$app" ] || { echo "make_dmg: $app is missing: run scripts/build_installers.sh" >&2; exit 1; }

# PyInstaller ad-hoc signs the bundle; sign it again as a whole if that signature does not hold
# (an unsigned or broken signature makes Apple silicon refuse to start the app at all).
if ! codesign --verify --deep --strict "$app" 2>/dev/null; then
  codesign --force --deep --sign - "$app"
fi
codesign --verify --deep --strict "$app"
/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" "$app/Contents/Info.plist"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
ditto "$app" "$stage/gdviz.app"  # ditto keeps the bundle's symlinks, attributes and signature
ln -s /Applications "$stage/Applications"
rm -f "$dmg"
# hdiutil fails now and then on CI machines ("Resource busy"): try a few times.
for attempt in 1 2 3 4 5; do
  if hdiutil create -volname "gdviz $version" -srcfolder "$stage" -fs HFS+ -format UDZO \
       -imagekey zlib-level=9 -ov "$dmg"; then
    break
  fi
  [ "$attempt" -lt 5 ] || { echo "make_dmg: hdiutil create failed" >&2; exit 1; }
  sleep $((attempt * 5))
done
hdiutil verify "$dmg"
echo "make_dmg: $dmg ($(du -h "$dmg" | cut -f1))"
