#!/usr/bin/env bash
# Installs the ClickHouse server and client used by the embedded %%clickhouse service.
# Idempotent: does nothing when clickhouse-server (or the official single `clickhouse` binary) is on PATH.
# Debian/Ubuntu only (apt-get); run as root or with sudo available. Debian bookworm gives ClickHouse 18.16.
# The package's own service start is not needed: the kernel starts clickhouse-server itself, on loopback,
# with its data under the workspace folder.
set -euo pipefail

if command -v clickhouse-server >/dev/null 2>&1; then
  echo "clickhouse-server already installed: $(command -v clickhouse-server)"
  exit 0
fi
if command -v clickhouse >/dev/null 2>&1; then
  echo "official clickhouse binary already installed: $(command -v clickhouse) (the kernel runs 'clickhouse server')"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-clickhouse.sh: run as root (apt-get needs it), or set CLICKHOUSE_URL to a running server" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-clickhouse.sh: no apt-get here; install ClickHouse yourself (https://clickhouse.com/docs/install)" >&2
  echo "or set CLICKHOUSE_URL to a running server" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Run 'apt-get update' once: only when the package is not known to apt yet.
if ! apt-cache show clickhouse-server >/dev/null 2>&1; then
  $SUDO apt-get update
fi
# The package's postinst tries to start a system service; in containers that is refused. That is fine:
# policy-rc.d returns 101 so no service is started during install.
POLICY=/usr/sbin/policy-rc.d
CREATED_POLICY=0
if [ ! -e "$POLICY" ] && [ -z "$SUDO" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$POLICY" && chmod +x "$POLICY" && CREATED_POLICY=1
fi
trap '[ "$CREATED_POLICY" = 1 ] && rm -f "$POLICY"' EXIT
$SUDO apt-get install -y clickhouse-server clickhouse-client

command -v clickhouse-server >/dev/null 2>&1 || { echo "clickhouse-server still not on PATH after install" >&2; exit 1; }
echo "installed: $(clickhouse-server --version 2>/dev/null || clickhouse-server -V 2>/dev/null || echo clickhouse-server)"
