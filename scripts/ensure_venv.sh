#!/usr/bin/env bash
# Makes .venv ready for this checkout's requirements.
#
# Installing the requirements takes minutes and gigabytes, and CI clones afresh every
# time, so the environment is built once per requirements hash in a cache outside the
# clone and .venv is a link to it. A changed requirements file gives a new hash and so a
# new environment: a cached one never serves requirements it was not built from.
# CUSTOMS_VENV_CACHE=off builds .venv inside the clone instead.
set -euo pipefail
cd "$(dirname "$0")/.."

python_bin=${PYTHON:-python3.11}
command -v "$python_bin" >/dev/null || { echo "error: $python_bin is not installed; the portal needs Python 3.11." >&2; exit 1; }
python_tag=$("$python_bin" -c 'import sys; print("py%d%d" % sys.version_info[:2])')
req_hash=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)

build_venv() {  # $1: where
    rm -rf "$1"
    "$python_bin" -m venv "$1"
    "$1/bin/pip" install --quiet --disable-pip-version-check -r requirements-dev.txt 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
    echo "$python_tag-$req_hash" > "$1/.requirements-hash"
}

cache_root=${CUSTOMS_VENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/customs-portal/venvs}
if [ "$cache_root" = "off" ]; then
    [ -L .venv ] && rm .venv
    if [ "$(cat .venv/.requirements-hash 2>/dev/null)" != "$python_tag-$req_hash" ]; then
        echo "Installing requirements into .venv ..."
        build_venv "$PWD/.venv"
    fi
    exit 0
fi

target="$cache_root/$python_tag-$req_hash"
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9
if [ "$(cat "$target/.requirements-hash" 2>/dev/null)" != "$python_tag-$req_hash" ]; then
    echo "Installing requirements into $target (once per requirements hash) ..."
    build_venv "$target"
    # Keep the three most recently built environments; each can be gigabytes.
    ls -1dt "$cache_root"/py* 2>/dev/null | tail -n +4 | xargs -r rm -rf
fi
if [ -e .venv ] && [ ! -L .venv ]; then rm -rf .venv; fi
ln -sfn "$target" .venv
