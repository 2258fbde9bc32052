#!/usr/bin/env bash
# Builds streamlab-ext-services:latest (docker/external/Dockerfile) from the jars of a Maven build:
#   mvn -B -q package -DskipTests        (makes distribution/target/streamlab/lib)
#   docker/external/build.sh             (runs docker/engine.sh first: engine up, local/debian:bookworm present)
# The context is staged in distribution/target/docker-external with hard links: third-party jars in deps/ (a layer
# that stays cached while they do not change), StreamLab's own jars in own/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lib="$root/distribution/target/streamlab/lib"
image="${STREAMLAB_EXT_IMAGE:-streamlab-ext-services:latest}"
[ -d "$lib" ] || { echo "no $lib: run 'mvn -B -q package -DskipTests' first" >&2; exit 1; }
"$root/docker/engine.sh" >/dev/null
ctx="$root/distribution/target/docker-external"
rm -rf "$ctx"
mkdir -p "$ctx/deps" "$ctx/own" "$ctx/ca"
link() { cp -l "$@" 2>/dev/null || cp "$@"; }
for jar in "$lib"/*.jar; do
  case "$(basename "$jar")" in
    streamlab-*) link "$jar" "$ctx/own/" ;;
    # the sentiment model's native runtimes and weights: no service here runs them
    onnxruntime-*|tokenizers-*|langchain4j-*) ;;
    *) link "$jar" "$ctx/deps/" ;;
  esac
done
cp /usr/local/share/ca-certificates/*.crt "$ctx/ca/" 2>/dev/null || true
cp -r "$here/conf" "$here/svc.sh" "$here/Dockerfile" "$ctx/"
docker build -q -t "$image" "$ctx"
