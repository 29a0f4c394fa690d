#!/bin/sh
# Run once by the compose service kafka-init, as the broker's super user: the topics of events/asyncapi.yaml (3
# partitions each, as on Kubernetes; replication factor 1 on one broker), one SCRAM user per service, and each
# user's ACLs: exactly those of deploy/kubernetes/base/kafka-users.yaml (KafkaAclsTest checks that the two agree).
set -eu
admin=/tmp/admin.properties
cat > "$admin" <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${DRIFTLESS_KAFKA_ADMIN_PASSWORD}";
PROPERTIES
bin=/opt/kafka/bin
server=kafka:9092

for topic in driftless.commits driftless.renders driftless.syncs driftless.commands driftless.deadletter; do
  $bin/kafka-topics.sh --bootstrap-server $server --command-config "$admin" --create --if-not-exists \
    --topic "$topic" --partitions 3 --replication-factor 1
done
# no records: the replica holding its one partition leads (dev.driftless.events.Leadership)
$bin/kafka-topics.sh --bootstrap-server $server --command-config "$admin" --create --if-not-exists \
  --topic driftless.leadership --partitions 1 --replication-factor 1
$bin/kafka-topics.sh --bootstrap-server $server --command-config "$admin" --create --if-not-exists \
  --topic driftless.checkpoints --partitions 1 --replication-factor 1 --config cleanup.policy=compact

# user NAME PASSWORD: a SCRAM-SHA-512 login (set again at every start: a changed password takes effect)
user() {
  $bin/kafka-configs.sh --bootstrap-server $server --command-config "$admin" --alter --entity-type users \
    --entity-name "$1" --add-config "SCRAM-SHA-512=[password=$2]"
}
# acl USER topic|group NAME OPERATION[,OPERATION…]: allow USER these operations on that one resource
acl() {
  for operation in $(echo "$4" | tr ',' ' '); do
    $bin/kafka-acls.sh --bootstrap-server $server --command-config "$admin" --add --allow-principal "User:$1" \
      --operation "$operation" "--$2" "$3" --resource-pattern-type literal >/dev/null
  done
}

user webhook-service "${DRIFTLESS_KAFKA_WEBHOOK_PASSWORD}"
user render-service "${DRIFTLESS_KAFKA_RENDER_PASSWORD}"
user sync-service "${DRIFTLESS_KAFKA_SYNC_PASSWORD}"
user audit-service "${DRIFTLESS_KAFKA_AUDIT_PASSWORD}"

acl webhook-service topic driftless.commits Write,Describe
acl webhook-service topic driftless.leadership Read,Describe
acl webhook-service group webhook-service-leadership Read

acl render-service topic driftless.commits Read,Describe
acl render-service topic driftless.commands Read,Describe
acl render-service group render-service Read
acl render-service topic driftless.renders Write,Describe
acl render-service topic driftless.deadletter Write,Describe
acl render-service topic driftless.leadership Read,Describe
acl render-service group render-service-leadership Read

acl sync-service topic driftless.renders Read,Describe
acl sync-service group sync-service Read
acl sync-service topic driftless.syncs Write,Describe
acl sync-service topic driftless.deadletter Write,Describe
acl sync-service topic driftless.commands Write,Describe

acl audit-service topic driftless.commits Read,Describe
acl audit-service topic driftless.renders Read,Describe
acl audit-service topic driftless.syncs Read,Describe
acl audit-service topic driftless.commands Read,Write,Describe
acl audit-service topic driftless.deadletter Read,Describe
acl audit-service group audit-service Read
acl audit-service topic driftless.checkpoints Read,Write,Describe
acl audit-service topic driftless.leadership Read,Describe
acl audit-service group audit-service-leadership Read
acl audit-service group audit-service-notifications Read
echo "topics, users and ACLs are in place"
