#!/usr/bin/env bash
# Puts the Japanese font the PDFs embed (IPAexGothic 003.01, IPA Font License) at
# static/fonts/ipaexg/ipaexg.ttf. The 6 MB file is not kept in the repository: it is taken,
# unmodified, from the PyPI sdist of japanize-matplotlib 1.1.3, which redistributes it, and
# checked against its SHA-256. Downloaded once into a cache outside the clone.
set -euo pipefail
cd "$(dirname "$0")/.."

target=static/fonts/ipaexg/ipaexg.ttf
sha256=6726fb3c804e3fbc3ff5f45eddfd2fb1a858c2b1e03d3f1d8619bbca8d0a0ccd
package=japanize-matplotlib==1.1.3
member=japanize-matplotlib-1.1.3/japanize_matplotlib/fonts/ipaexg.ttf

valid() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$sha256" ]; }

valid "$target" && exit 0
cache=${XDG_CACHE_HOME:-$HOME/.cache}/customs-portal/fonts
mkdir -p "$cache"
if ! valid "$cache/ipaexg.ttf"; then
    echo "Fetching the IPAexGothic font from $package (once) ..."
    download=$(mktemp -d)
    trap 'rm -rf "$download"' EXIT
    ${PIP:-python3 -m pip} download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
        -d "$download" "$package" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
    tar -xzf "$download"/japanize-matplotlib-1.1.3.tar.gz -C "$download" "$member"
    cp "$download/$member" "$cache/ipaexg.ttf"
fi
valid "$cache/ipaexg.ttf" || { echo "error: the font downloaded does not match its SHA-256." >&2; exit 1; }
cp "$cache/ipaexg.ttf" "$target"
