#!/usr/bin/env bash
# The entrypoint of streamlab-ext-services: one engine per container, chosen by the first argument.
#   kafka          a KRaft node (broker + controller): NODE_ID, KAFKA_VOTERS (1@kafka-1:9093,...), KAFKA_HOST (its
#                  name on the compose network), KAFKA_EXTERNAL_PORT (published with the same number on the host,
#                  advertised as localhost:PORT), KAFKA_REPLICATION (default 1)
#   jobmanager     Flink StandaloneSessionClusterEntrypoint, REST on 8081 (bind 0.0.0.0), RPC on 6123
#   taskmanager    Flink TaskManagerRunner registering with FLINK_JOBMANAGER (default jobmanager)
#   spark-master   Spark standalone Master on SPARK_HOST:SPARK_MASTER_PORT (host network: 127.0.0.1)
#   spark-worker   Spark standalone Worker for spark://SPARK_HOST:SPARK_MASTER_PORT
#   clickhouse     clickhouse-server (Debian's 18.16) listening on 0.0.0.0, HTTP 8123
set -euo pipefail
LIB='/opt/streamlab/lib/*'
CONF=/opt/streamlab/conf
LOG="-Dlog4j2.configurationFile=$CONF/log4j2-console.properties"
OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
 --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
 --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
 --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
 --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED"
# shellcheck disable=SC2086
jvm() { local heap="$1"; shift; exec java "-Xmx$heap" -XX:+UseSerialGC $OPENS "$LOG" -cp "$LIB" "$@"; }

case "${1:-}" in
  kafka)
    : "${NODE_ID:?}" "${KAFKA_VOTERS:?}" "${KAFKA_HOST:?}" "${KAFKA_EXTERNAL_PORT:?}"
    rf="${KAFKA_REPLICATION:-1}"
    mkdir -p /data/kafka
    cat > /tmp/server.properties <<PROPS
process.roles=broker,controller
node.id=$NODE_ID
controller.quorum.voters=$KAFKA_VOTERS
listeners=INTERNAL://0.0.0.0:29092,EXTERNAL://0.0.0.0:$KAFKA_EXTERNAL_PORT,CONTROLLER://0.0.0.0:9093
advertised.listeners=INTERNAL://$KAFKA_HOST:29092,EXTERNAL://localhost:$KAFKA_EXTERNAL_PORT
listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=INTERNAL
controller.listener.names=CONTROLLER
log.dirs=/data/kafka
num.partitions=1
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=1
default.replication.factor=$rf
group.initial.rebalance.delay.ms=0
PROPS
    if [ ! -f /data/kafka/meta.properties ]; then
      java -Xmx256m "$LOG" -cp "$LIB" kafka.tools.StorageTool format -t "${KAFKA_CLUSTER_ID:-c3RyZWFtbGFiLWV4dGVybg}" \
        -c /tmp/server.properties --ignore-formatted
    fi
    jvm "${KAFKA_HEAP:-384m}" kafka.Kafka /tmp/server.properties ;;
  jobmanager|taskmanager)
    mkdir -p /tmp/flink-conf /data/flink
    cat > /tmp/flink-conf/config.yaml <<YAML
jobmanager.rpc.address: ${FLINK_JOBMANAGER:-jobmanager}
jobmanager.rpc.port: 6123
jobmanager.bind-host: 0.0.0.0
blob.server.port: 6124
rest.port: 8081
rest.address: ${FLINK_JOBMANAGER:-jobmanager}
rest.bind-address: 0.0.0.0
taskmanager.bind-host: 0.0.0.0
taskmanager.numberOfTaskSlots: ${FLINK_SLOTS:-2}
jobmanager.memory.process.size: 768m
# TaskManagerRunner started without Flink's shell scripts: every resource explicitly (what the scripts compute)
taskmanager.cpu.cores: 2
taskmanager.memory.framework.heap.size: 128m
taskmanager.memory.task.heap.size: 384m
taskmanager.memory.framework.off-heap.size: 128m
taskmanager.memory.task.off-heap.size: 0m
taskmanager.memory.network.min: 64m
taskmanager.memory.network.max: 64m
taskmanager.memory.managed.size: 128m
taskmanager.memory.jvm-metaspace.size: 256m
taskmanager.memory.jvm-overhead.min: 192m
taskmanager.memory.jvm-overhead.max: 192m
security.delegation.tokens.enabled: false
io.tmp.dirs: /data/flink
# a loaded 2-core machine: the RPC system and registration can take far longer than the defaults (10 s)
pekko.startup-timeout: 120 s
pekko.ask.timeout: 60 s
heartbeat.timeout: 180000
taskmanager.registration.timeout: 10 min
YAML
    if [ "$1" = jobmanager ]; then
      jvm 512m org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir /tmp/flink-conf
    else
      jvm 512m -XX:MaxDirectMemorySize=256m -XX:MaxMetaspaceSize=256m org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir /tmp/flink-conf
    fi ;;
  spark-master)
    jvm 384m -Dspark.master.rest.enabled=false org.apache.spark.deploy.master.Master --host "${SPARK_HOST:-127.0.0.1}" \
      --port "${SPARK_MASTER_PORT:-7077}" --webui-port "${SPARK_MASTER_WEBUI_PORT:-0}" ;;
  spark-worker)
    mkdir -p /data/spark-work
    jvm 384m org.apache.spark.deploy.worker.Worker --host "${SPARK_HOST:-127.0.0.1}" --cores "${SPARK_WORKER_CORES:-2}" \
      --memory "${SPARK_WORKER_MEMORY:-1g}" --webui-port "${SPARK_WORKER_WEBUI_PORT:-0}" --work-dir /data/spark-work \
      "spark://${SPARK_HOST:-127.0.0.1}:${SPARK_MASTER_PORT:-7077}" ;;
  clickhouse)
    mkdir -p /data/clickhouse/tmp
    exec clickhouse-server --config-file="$CONF/clickhouse-config.xml" ;;
  *)
    echo "usage: svc kafka|jobmanager|taskmanager|spark-master|spark-worker|clickhouse" >&2; exit 2 ;;
esac
