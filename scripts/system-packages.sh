#!/usr/bin/env bash
# Install the system programs the tests drive: Debian's Chromium (the web UI tests run it
# headless through Playwright), tmux (the terminal client tests type into it) and libmagic
# (python-magic, which neonize imports for WhatsApp Personal). Does nothing when all are
# present; needs root (or sudo) and apt-get otherwise.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
ldconfig -p 2>/dev/null | grep 'libmagic\.so\.1' >/dev/null || missing+=(libmagic1)
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "please install: ${missing[*]} (the tests need them)" >&2
    exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
