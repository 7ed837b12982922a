#!/usr/bin/env bash
# Make sure a program from Debian's packages is installed: `ensure-debian-tool.sh COMMAND PACKAGE`.
# The stack and the tests start their own nats-server, the benchmark its own redis-server. Installs
# the package with apt-get when the command is missing and we are root (or have sudo); else says how.
set -euo pipefail
export PATH="/usr/sbin:/usr/bin:$PATH"
command_name="${1:?usage: ensure-debian-tool.sh COMMAND PACKAGE}"
package="${2:-$command_name}"
if command -v "$command_name" >/dev/null 2>&1; then
  exit 0
fi
echo "$command_name not found; installing Debian's $package package" >&2
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "error: $command_name is missing. Install it: apt-get update && apt-get install -y $package" >&2
  exit 1
fi
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package"
"$command_name" --version >&2
