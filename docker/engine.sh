#!/usr/bin/env bash
# Prepares a Docker engine and the local base image every StreamLab image builds FROM.
#   docker/engine.sh            install docker.io + compose + debootstrap if missing, start dockerd if it is not
#                               answering, make local/debian:bookworm if it is missing; prints `docker version`
# Idempotent: a second run with the engine up and the image present does nothing (about a second).
# Why a local base image: on machines without registry access (CI here) no image can be pulled, so the base is
# built from the Debian mirror apt already uses (debootstrap) and imported. With registry access it works the same.
# Needs root (or sudo) the first time: it installs packages and starts the daemon.
set -euo pipefail

BASE_IMAGE="${STREAMLAB_BASE_IMAGE:-local/debian:bookworm}"
SUITE=bookworm
LOG_DIR="${STREAMLAB_DOCKER_LOG_DIR:-/var/log}"

log() { printf '\033[1m[engine]\033[0m %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_packages=()
command -v dockerd >/dev/null || need_packages+=(docker.io)
command -v docker-compose >/dev/null || need_packages+=(docker-compose)
command -v debootstrap >/dev/null || need_packages+=(debootstrap)
if [ ${#need_packages[@]} -gt 0 ]; then
  log "installing ${need_packages[*]} (Debian)"
  as_root apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_packages[@]}" ca-certificates >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (log: $LOG_DIR/dockerd.log)"
  # setsid: the daemon outlives this script and the shell that ran it
  as_root setsid dockerd >"$LOG_DIR/dockerd.log" 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { log "dockerd did not answer within 60 s; see $LOG_DIR/dockerd.log"; exit 1; }
fi

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  # the mirror apt already uses (deb822 sources first, then the classic list)
  mirror="$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)"
  [ -n "$mirror" ] || mirror="$(awk '$1 == "deb" && $2 ~ /debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  rootfs="$(mktemp -d)"
  trap 'as_root rm -rf "$rootfs"' EXIT
  log "building $BASE_IMAGE with debootstrap from $mirror (about a minute)"
  as_root debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" >"$LOG_DIR/debootstrap.log" 2>&1 \
    || { log "debootstrap failed; see $LOG_DIR/debootstrap.log"; exit 1; }
  as_root rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  as_root tar -C "$rootfs" -c . | docker import -c 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null
  log "made $BASE_IMAGE"
fi

docker version --format 'docker engine {{.Server.Version}}, client {{.Client.Version}}; base image '"$BASE_IMAGE"
