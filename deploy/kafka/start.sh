#!/usr/bin/env bash
# One Apache Kafka node (KRaft: broker and controller) for docker-compose, with SASL/SCRAM-SHA-512 for every client
# and the StandardAuthorizer denying what no ACL allows. The super user admin (KAFKA_ADMIN_PASSWORD) is created when
# the storage is formatted, before the broker starts: it is the one that creates the other users and the ACLs
# (acls.sh, run by the kafka-init service). Listeners:
#   SASL        :9092   SASL_PLAINTEXT, the services and the broker itself (kafka:9092 on compose's network)
#   HOST        :29092  SASL_PLAINTEXT, published on localhost:29092 (a subscriber's client on this machine)
#   CONTROLLER  127.0.0.1:9093  PLAINTEXT, inside this container only (KRaft's own traffic)
set -euo pipefail
: "${CLUSTER_ID:?CLUSTER_ID is required (a base64url UUID)}"
: "${KAFKA_ADMIN_PASSWORD:?KAFKA_ADMIN_PASSWORD is required (the super user admin)}"
[[ "$KAFKA_ADMIN_PASSWORD" =~ ^[A-Za-z0-9._~-]{12,128}$ ]] ||
    { echo "KAFKA_ADMIN_PASSWORD must be 12 to 128 characters of A-Z a-z 0-9 . _ ~ -" >&2; exit 2; }
CONFIG=/tmp/server.properties
JAAS="org.apache.kafka.common.security.scram.ScramLoginModule required"
umask 077
cat >"$CONFIG" <<PROPERTIES
node.id=1
process.roles=broker,controller
controller.quorum.voters=1@127.0.0.1:9093
controller.listener.names=CONTROLLER
listeners=SASL://:9092,HOST://:29092,CONTROLLER://127.0.0.1:9093
advertised.listeners=SASL://kafka:9092,HOST://localhost:29092
listener.security.protocol.map=SASL:SASL_PLAINTEXT,HOST:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=SASL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl.scram-sha-512.sasl.jaas.config=$JAAS username="admin" password="$KAFKA_ADMIN_PASSWORD";
listener.name.host.scram-sha-512.sasl.jaas.config=$JAAS;
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
# admin: the operator and acls.sh. ANONYMOUS: only the controller listener, bound to 127.0.0.1, is unauthenticated.
super.users=User:admin;User:ANONYMOUS
auto.create.topics.enable=false
num.partitions=${OCOP_KAFKA_PARTITIONS:-6}
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.dirs=/var/lib/kafka/data
PROPERTIES
# The healthcheck's client (kafka-broker-api-versions.sh --command-config /tmp/admin.properties).
cat >/tmp/admin.properties <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$JAAS username="admin" password="$KAFKA_ADMIN_PASSWORD";
PROPERTIES
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted --cluster-id "$CLUSTER_ID" --config "$CONFIG" \
    --add-scram "SCRAM-SHA-512=[name=admin,password=$KAFKA_ADMIN_PASSWORD]"
exec /opt/kafka/bin/kafka-server-start.sh "$CONFIG"
