#!/usr/bin/env bash
# Issues Kafka credentials to a subscribing organisation (another province, the national OCOP system, a market
# platform): a SCRAM user subscriber-<org> that may only READ (and DESCRIBE) the four public topics and use consumer
# groups whose names start with "<org>." Prints the settings to hand over. Run as the super user, like acls.sh:
#
#   docker compose run --rm kafka-init /opt/ocop/kafka/issue-subscriber.sh ha-noi
#   KAFKA_BOOTSTRAP=kafka.example:9092 KAFKA_ADMIN_PASSWORD=... deploy/kafka/issue-subscriber.sh ha-noi
#
# Options: --password PASSWORD (default: 32 random characters), --revoke (removes the user's credential and ACLs).
# KAFKA_PUBLIC_BOOTSTRAP is the address the subscriber dials (default KAFKA_BOOTSTRAP).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
    die "usage: issue-subscriber.sh ORG [--password PASSWORD | --revoke]  (ORG: 2-40 of a-z 0-9 -, e.g. ha-noi)"
}

[ $# -ge 1 ] || usage
org=$1
shift
[[ "$org" =~ ^[a-z0-9][a-z0-9-]{1,39}$ ]] || usage
password=""
revoke=false
while [ $# -gt 0 ]; do
    case "$1" in
        --password) [ $# -ge 2 ] || usage; password=$2; shift 2 ;;
        --revoke) revoke=true; shift ;;
        *) usage ;;
    esac
done
user="subscriber-$org"
group_prefix="$org."

if [ "$revoke" = true ]; then
    admin_config
    kafka_tool kafka-configs.sh --alter --entity-type users --entity-name "$user" --delete-config "$SCRAM"
    for topic in "${PUBLIC_TOPICS[@]}"; do
        kafka_tool kafka-acls.sh --remove --force --allow-principal "User:$user" --topic "$topic" \
            --resource-pattern-type literal --operation Read --operation Describe
    done
    kafka_tool kafka-acls.sh --remove --force --allow-principal "User:$user" --group "$group_prefix" \
        --resource-pattern-type prefixed --operation Read
    echo "issue-subscriber.sh: $user can no longer sign in; its ACLs are removed"
    exit 0
fi

if [ -z "$password" ]; then
    password=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)
fi
check_password --password "$password"
admin_config

scram_user "$user" "$password"
for topic in "${PUBLIC_TOPICS[@]}"; do
    allow "$user" topic literal "$topic" Read Describe
done
allow "$user" group prefixed "$group_prefix" Read

bootstrap=${KAFKA_PUBLIC_BOOTSTRAP:-$KAFKA_BOOTSTRAP}
cat <<SETTINGS
Kafka credentials for $org (hand them over on a secure channel; they read, never write):
  bootstrap servers  $bootstrap
  security protocol  $KAFKA_SECURITY_PROTOCOL
  SASL mechanism     $SCRAM
  username           $user
  password           $password
  topics (read)      ${PUBLIC_TOPICS[*]}
  consumer groups    names starting with $group_prefix (e.g. ${group_prefix}ocop-mirror)

Client properties (Java clients, kcat -F):
  bootstrap.servers=$bootstrap
  security.protocol=$KAFKA_SECURITY_PROTOCOL
  sasl.mechanism=$SCRAM
  sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$user" password="$password";
  group.id=${group_prefix}ocop-mirror

The sample subscriber:
  OCOP_KAFKA_SASL_PASSWORD='$password' ocop subscribe --kafka $bootstrap --security-protocol $KAFKA_SECURITY_PROTOCOL --sasl-mechanism $SCRAM --sasl-username $user
SETTINGS
