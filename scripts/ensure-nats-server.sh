#!/usr/bin/env bash
# Make sure nats-server is installed (Debian's package), since the stack and the tests start their
# own servers. Installs it with apt-get when missing and we are root (or have sudo); else says how.
set -euo pipefail
export PATH="/usr/sbin:$PATH"
if command -v nats-server >/dev/null 2>&1; then
  exit 0
fi
echo "nats-server not found; installing Debian's nats-server package" >&2
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "error: nats-server is missing. Install it: apt-get update && apt-get install -y nats-server" >&2
  exit 1
fi
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server
nats-server --version >&2
