#!/usr/bin/env bash
# Topics, SCRAM users and ACLs of the OCOP cluster: Apache Kafka with the StandardAuthorizer,
# allow.everyone.if.no.acl.found=false and super.users=User:admin. Run once, as admin, by docker-compose's kafka-init
# service and by the Kubernetes Job ocop-kafka-acls; running it again changes nothing (or sets new passwords).
#
# Each service is a principal of its own, named after it, whose password is KAFKA_PASSWORD_<SERVICE>
# (KAFKA_PASSWORD_REGISTRATION, ...). What each may do, least privilege (deploy/README.md explains each line):
#   - WRITE (and DESCRIBE) its own public topic and its own dead-letter topic ocop.dlq.<service>; WRITE on a topic
#     is also what lets its idempotent producers ask for a producer id (Kafka >= 3.0, KIP-679): no cluster ACL;
#   - READ (and DESCRIBE) the topics it consumes, and READ its own consumer groups, ocop-<service>.* (PREFIXED);
#   - DESCRIBE, metadata only (partitions, offsets; no records), every topic of the contract: a service checks at
#     start that they all exist, and its relay compares their end offsets with what the broker acknowledged;
#   - monitoring also DESCRIBEs every group ocop-* (pipeline health: committed offsets and lag);
#   - the one exception: monitoring may WRITE the other services' public topics, because its dead-letter re-drive
#     (POST /pipeline/dead-letters/{service}/{id}/redrive) publishes a dead-lettered event back on its original
#     topic. Set OCOP_KAFKA_REDRIVE_WRITE=false to leave it out: a re-drive then fails with an authorization error.
# Topics are created here, never by the services (they have no CREATE).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PARTITIONS=${OCOP_KAFKA_PARTITIONS:-6}
REPLICATION=${OCOP_KAFKA_REPLICATION_FACTOR:-1}
SERVICES=(registration rating finance monitoring)
# What each service publishes and consumes (shared/contracts, each service's subscriptions); checked against the code.
declare -A PUBLISHES=(
    [registration]=ocop.product-registered.v1
    [rating]=ocop.product-rated.v1
    [finance]=ocop.reward-approved.v1
    [monitoring]=ocop.inspection-failed.v1
)
declare -A CONSUMES=(
    [registration]="ocop.product-rated.v1 ocop.inspection-failed.v1"
    [rating]="ocop.product-registered.v1 ocop.inspection-failed.v1"
    [finance]="ocop.product-registered.v1 ocop.product-rated.v1"
    [monitoring]="${PUBLIC_TOPICS[*]}"
)
DEAD_LETTER_TOPICS=()
for service in "${SERVICES[@]}"; do
    DEAD_LETTER_TOPICS+=("ocop.dlq.$service")
done
ALL_TOPICS=("${PUBLIC_TOPICS[@]}" "${DEAD_LETTER_TOPICS[@]}")

# Every password first: nothing is changed when one is missing or unusable.
declare -A PASSWORDS=()
for service in "${SERVICES[@]}"; do
    variable="KAFKA_PASSWORD_${service^^}"
    [ -n "${!variable:-}" ] || die "$variable is required (the password of the principal $service)"
    check_password "$variable" "${!variable}"
    PASSWORDS[$service]=${!variable}
done
admin_config

for topic in "${ALL_TOPICS[@]}"; do
    kafka_tool kafka-topics.sh --create --if-not-exists --topic "$topic" \
        --partitions "$PARTITIONS" --replication-factor "$REPLICATION"
done

for service in "${SERVICES[@]}"; do
    scram_user "$service" "${PASSWORDS[$service]}"
    allow "$service" topic literal "${PUBLISHES[$service]}" Write Describe
    allow "$service" topic literal "ocop.dlq.$service" Write Describe
    for topic in ${CONSUMES[$service]}; do
        allow "$service" topic literal "$topic" Read Describe
    done
    allow "$service" group prefixed "ocop-$service." Read
    for topic in "${ALL_TOPICS[@]}"; do
        allow "$service" topic literal "$topic" Describe
    done
done

allow monitoring group prefixed "ocop-" Describe
if [ "${OCOP_KAFKA_REDRIVE_WRITE:-true}" = true ]; then
    for topic in "${PUBLIC_TOPICS[@]}"; do
        [ "$topic" = "${PUBLISHES[monitoring]}" ] || allow monitoring topic literal "$topic" Write
    done
fi
echo "acls.sh: ${#ALL_TOPICS[@]} topics, ${#SERVICES[@]} service principals and their ACLs are in place"
