#!/usr/bin/env bash
# Make sure redis-server is installed (Debian's package): the benchmark starts its own Redis on a
# free port to run BullMQ beside us. Installs it with apt-get when missing and we are root (or have
# sudo); else says how.
set -euo pipefail
export PATH="/usr/sbin:/usr/bin:$PATH"
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
echo "redis-server not found; installing Debian's redis-server package" >&2
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "error: redis-server is missing. Install it: apt-get update && apt-get install -y redis-server" >&2
  exit 1
fi
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server
# Debian's package starts a system service where an init system runs; the benchmark never uses it.
redis-server --version >&2
