#!/usr/bin/env bash
# A single-node Apache Kafka broker in KRaft mode for development and tests.
#   deploy/local/kafka.sh fetch|start|stop|status
# Settings: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (KAFKA_PORT+1), LOCAL_STACK_DIR (.local),
# KAFKA_HEAP (512m), KAFKA_LIBS_DIR (the broker jars; shared by every checkout on the machine),
# KAFKA_EXTRA_PROPERTIES (space-separated key=value lines added to server.properties),
# KAFKA_JVM_OPTS (JVM options besides the heap: -XX:+UseG1GC -XX:MaxGCPauseMillis=20),
# KAFKA_SASL_PORT (unset: none; a second listener there that asks for a SASL/PLAIN login, as
# user:password pairs in KAFKA_SASL_USERS, for the tests of the services' Kafka login),
# KAFKA_TLS_PORT (unset: none; a TLS listener there, with a self-signed certificate for 127.0.0.1
# that clients trust through $LOCAL_STACK_DIR/kafka/tls/ca.pem).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
stack_dir=${LOCAL_STACK_DIR:-$root/.local}
kafka_dir=$stack_dir/kafka
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-$((port + 1))}
heap=${KAFKA_HEAP:-512m}
jvm_opts=${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20}
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")
libs=${KAFKA_LIBS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/campaign-webhooks/kafka-$version}
pid_file=$kafka_dir/broker.pid
log_file=$kafka_dir/broker.log

say() { echo "kafka: $*"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid=$(cat "$pid_file")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

fetch() {
  [ -f "$libs/.complete" ] && return 0
  command -v mvn >/dev/null || { say "Maven (mvn) is required to fetch the broker"; exit 1; }
  command -v java >/dev/null || { say "Java 17+ is required to run the broker"; exit 1; }
  say "fetching Apache Kafka $version from Maven Central into $libs"
  rm -rf "$libs"
  mvn -q -B -f "$here/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$libs" -DincludeScope=runtime
  touch "$libs/.complete"
}

# A self-signed certificate for 127.0.0.1, made once: the broker's key store, and its certificate
# as the CA bundle clients trust.
tls_keystore() {
  local tls_dir=$kafka_dir/tls
  [ -s "$tls_dir/ca.pem" ] && [ -f "$tls_dir/broker.p12" ] && return 0
  command -v keytool >/dev/null || { say "keytool (Java 17+) is required for KAFKA_TLS_PORT"; exit 1; }
  # Made in a scratch directory and moved in whole: a failed attempt leaves nothing half-made.
  local scratch
  scratch=$(mktemp -d "$kafka_dir/.tls.XXXXXX")
  keytool -genkeypair -alias broker -keyalg RSA -keysize 2048 -validity 3650 -dname CN=127.0.0.1 \
    -ext SAN=IP:127.0.0.1 -keystore "$scratch/broker.p12" -storetype PKCS12 \
    -storepass local-only -keypass local-only >"$scratch/keytool.log" 2>&1 ||
    { cat "$scratch/keytool.log" >&2; say "keytool could not make the TLS key store"; exit 1; }
  keytool -exportcert -rfc -alias broker -keystore "$scratch/broker.p12" -storepass local-only \
    -file "$scratch/ca.pem" >"$scratch/keytool.log" 2>&1 ||
    { cat "$scratch/keytool.log" >&2; say "keytool could not export the certificate"; exit 1; }
  rm -f "$scratch/keytool.log"
  rm -rf "$tls_dir"
  mv "$scratch" "$tls_dir"
}

write_config() {
  # The clients' listeners, each advertised as it is: all on loopback.
  local listeners=PLAINTEXT://127.0.0.1:$port protocols=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
  if [ -n "${KAFKA_SASL_PORT:-}" ]; then
    listeners+=,SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PORT
    protocols+=,SASL_PLAINTEXT:SASL_PLAINTEXT
  fi
  if [ -n "${KAFKA_TLS_PORT:-}" ]; then
    listeners+=,SSL://127.0.0.1:$KAFKA_TLS_PORT
    protocols+=,SSL:SSL
    tls_keystore
  fi
  cat >"$kafka_dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=$listeners,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=$listeners
controller.listener.names=CONTROLLER
listener.security.protocol.map=$protocols
log.dirs=$kafka_dir/data
auto.create.topics.enable=false
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# One member joins alone locally; waiting for others only slows every start.
group.initial.rebalance.delay.ms=0
log.retention.hours=24
log.segment.bytes=104857600
# Kafka's 3 network and 8 I/O threads suit a machine of its own; sharing a few cores with the
# services, the broker spends a fifth less CPU per record with fewer (docs/performance.md).
num.network.threads=1
num.io.threads=2
PROPS
  if [ -n "${KAFKA_SASL_PORT:-}" ]; then
    local users="" pair
    for pair in ${KAFKA_SASL_USERS:-}; do users+=" user_${pair%%:*}=\"${pair#*:}\""; done
    cat >>"$kafka_dir/server.properties" <<PROPS
sasl.enabled.mechanisms=PLAIN
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required$users;
PROPS
  fi
  if [ -n "${KAFKA_TLS_PORT:-}" ]; then
    cat >>"$kafka_dir/server.properties" <<PROPS
ssl.keystore.type=PKCS12
ssl.keystore.location=$kafka_dir/tls/broker.p12
ssl.keystore.password=local-only
ssl.key.password=local-only
PROPS
  fi
  local property
  for property in ${KAFKA_EXTRA_PROPERTIES:-}; do echo "$property" >>"$kafka_dir/server.properties"; done
}

java_cmd() {
  exec ${own_session:+setsid} java "-Xms$heap" "-Xmx$heap" $jvm_opts -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$here/kafka/log4j2.yaml" -cp "$libs/*" "$@"
}

start() {
  if pid=$(running_pid); then say "already running (pid $pid) on 127.0.0.1:$port"; return 0; fi
  if port_open "$port"; then say "something already listens on 127.0.0.1:$port; using it"; return 0; fi
  fetch
  mkdir -p "$kafka_dir"
  write_config
  if [ ! -f "$kafka_dir/data/meta.properties" ]; then
    local cluster_id
    cluster_id=$( (java_cmd kafka.tools.StorageTool random-uuid) 2>/dev/null | tail -n 1)
    (java_cmd kafka.tools.StorageTool format -t "$cluster_id" -c "$kafka_dir/server.properties") >/dev/null
  fi
  say "starting Apache Kafka $version on 127.0.0.1:$port (log: $log_file)"
  # In a session of its own: a Ctrl-C in the terminal of `npm start` stops the services, which
  # then leave the broker in order, and not the broker under them.
  (own_session=1 java_cmd kafka.Kafka "$kafka_dir/server.properties") >"$log_file" 2>&1 </dev/null &
  echo $! >"$pid_file"
  for _ in $(seq 1 120); do
    if grep -q "Kafka Server started" "$log_file" 2>/dev/null && port_open "$port"; then
      say "ready on 127.0.0.1:$port"
      return 0
    fi
    if ! running_pid >/dev/null; then
      say "the broker exited during start; last lines of $log_file:"
      tail -n 20 "$log_file"
      exit 1
    fi
    sleep 0.5
  done
  say "not ready after 60 s; see $log_file"
  exit 1
}

stop() {
  local pid
  if ! pid=$(running_pid); then say "not running"; rm -f "$pid_file"; return 0; fi
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pid_file"; say "stopped"; return 0; }
    sleep 0.5
  done
  say "did not stop within 30 s; killing pid $pid"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pid_file"
}

status() {
  if pid=$(running_pid); then say "running (pid $pid) on 127.0.0.1:$port"; else say "not running"; return 1; fi
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 2 ;;
esac
