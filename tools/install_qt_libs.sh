#!/usr/bin/env bash
# Installs the Debian/Ubuntu libraries Qt needs: QtGui itself (EGL/GL, fontconfig, glib, xkbcommon, dbus; these
# the headless tests need too), the xcb (X11) and wayland platforms of the real window, and a font.
# It never fails the build: on other systems, or without root, it only says what to do.
# Usage: tools/install_qt_libs.sh [--stamp FILE]   (FILE is touched once nothing is missing)
set -euo pipefail

stamp=""
if [ "${1:-}" = --stamp ]; then stamp=${2:?--stamp needs a file}; fi
done_ok() { [ -z "$stamp" ] || touch "$stamp"; exit 0; }

PACKAGES=(
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3
  libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-xfixes0 libxcb-xkb1 libx11-xcb1
  libwayland-client0 libwayland-cursor0 libwayland-egl1
  fonts-dejavu-core
)

if [ "$(uname -s)" != Linux ] || ! command -v dpkg >/dev/null 2>&1; then
  done_ok  # not Debian-like: Qt's own wheels carry what macOS and Windows need
fi

missing=()
for p in "${PACKAGES[@]}"; do
  # "install ok installed": a removed package whose config files remain is known to dpkg but not there.
  [[ "$(dpkg -s "$p" 2>/dev/null)" == *$'\nStatus: install ok installed'* ]] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && done_ok

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Qt system libraries: ${missing[*]}"
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    done_ok
  fi
  echo "warning: could not install ${missing[*]}; the RegLab window (or Qt itself) may not start." >&2
  exit 0
fi

echo "note: Qt needs these system libraries for the RegLab window (and some of them headless); install them with:" >&2
echo "  sudo apt-get install --no-install-recommends ${missing[*]}" >&2
