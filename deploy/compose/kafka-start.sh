#!/bin/sh
# The compose broker (apache/kafka image), with authentication and ACLs as deploy/ runs it on Strimzi: SCRAM-SHA-512
# on the listeners other containers and the host use, KRaft's StandardAuthorizer (nothing allowed without an ACL),
# the controller listener on the container's loopback only. The super user "admin" is made when the storage is
# formatted (the first start); deploy/compose/kafka-init.sh makes the services' users and their ACLs.
set -eu
: "${DRIFTLESS_KAFKA_ADMIN_PASSWORD:?set DRIFTLESS_KAFKA_ADMIN_PASSWORD (see the top of docker-compose.yml)}"
config=/tmp/server.properties
cat > "$config" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
controller.listener.names=CONTROLLER
listeners=INTERNAL://:9092,CONTROLLER://localhost:9093,EXTERNAL://:9094
advertised.listeners=INTERNAL://kafka:9092,EXTERNAL://localhost:9094
listener.security.protocol.map=INTERNAL:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:SASL_PLAINTEXT
inter.broker.listener.name=INTERNAL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.internal.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${DRIFTLESS_KAFKA_ADMIN_PASSWORD}";
# every SASL listener needs a login module, even one the broker never signs in through itself
listener.name.external.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
# the controller listener (the container's loopback, the broker's own traffic) is not authenticated
super.users=User:admin;User:ANONYMOUS
allow.everyone.if.no.acl.found=false
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.dirs=/var/lib/kafka/data
PROPERTIES
# the healthcheck's login
cat > /tmp/admin.properties <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${DRIFTLESS_KAFKA_ADMIN_PASSWORD}";
PROPERTIES
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted --cluster-id "${CLUSTER_ID}" --config "$config" \
  --add-scram "SCRAM-SHA-512=[name=admin,password=${DRIFTLESS_KAFKA_ADMIN_PASSWORD}]"
exec /opt/kafka/bin/kafka-server-start.sh "$config"
