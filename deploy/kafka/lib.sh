# Shared by acls.sh and issue-subscriber.sh (sourced, not run): the Kafka CLI tools, run as the super user over
# SASL/SCRAM. Environment:
#   KAFKA_BOOTSTRAP         the brokers (default kafka:9092, compose's SASL listener)
#   KAFKA_ADMIN_USER        the super user (default admin; the broker's super.users)
#   KAFKA_ADMIN_PASSWORD    its password (required)
#   KAFKA_SECURITY_PROTOCOL SASL_PLAINTEXT (default) or SASL_SSL, with KAFKA_SSL_CAFILE (PEM) for the brokers' CA
#   KAFKA_BIN               where kafka-acls.sh, kafka-configs.sh and kafka-topics.sh are (default /opt/kafka/bin)

KAFKA_BIN=${KAFKA_BIN:-/opt/kafka/bin}
KAFKA_BOOTSTRAP=${KAFKA_BOOTSTRAP:-kafka:9092}
KAFKA_SECURITY_PROTOCOL=${KAFKA_SECURITY_PROTOCOL:-SASL_PLAINTEXT}
SCRAM=SCRAM-SHA-512
# The four public topics (shared/contracts/topics.py); tests/deploy/test_kafka_acls.py checks them against the code.
PUBLIC_TOPICS=(ocop.product-registered.v1 ocop.product-rated.v1 ocop.reward-approved.v1 ocop.inspection-failed.v1)

die() {
    echo "$(basename "$0"): $*" >&2
    exit 2
}

# A password goes into kafka-configs' SCRAM syntax (comma, '=' and brackets would break it) and into JAAS quotes.
check_password() {  # NAME VALUE
    [[ "$2" =~ ^[A-Za-z0-9._~-]{12,128}$ ]] ||
        die "$1 must be 12 to 128 characters of A-Z a-z 0-9 . _ ~ - (got ${#2} characters)"
}

# The super user's client properties, in a file only this user reads; ADMIN_CONFIG names it.
admin_config() {
    [ -n "${KAFKA_ADMIN_PASSWORD:-}" ] || die "KAFKA_ADMIN_PASSWORD is required (the password of ${KAFKA_ADMIN_USER:-admin})"
    check_password KAFKA_ADMIN_PASSWORD "$KAFKA_ADMIN_PASSWORD"
    case "$KAFKA_SECURITY_PROTOCOL" in
        SASL_PLAINTEXT | SASL_SSL) ;;
        *) die "KAFKA_SECURITY_PROTOCOL must be SASL_PLAINTEXT or SASL_SSL, not $KAFKA_SECURITY_PROTOCOL" ;;
    esac
    ADMIN_CONFIG=$(mktemp)
    chmod 600 "$ADMIN_CONFIG"
    trap 'rm -f "$ADMIN_CONFIG"' EXIT
    {
        echo "security.protocol=$KAFKA_SECURITY_PROTOCOL"
        echo "sasl.mechanism=$SCRAM"
        echo "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"${KAFKA_ADMIN_USER:-admin}\" password=\"$KAFKA_ADMIN_PASSWORD\";"
        if [ -n "${KAFKA_SSL_CAFILE:-}" ]; then
            echo "ssl.truststore.type=PEM"
            echo "ssl.truststore.location=$KAFKA_SSL_CAFILE"
        fi
    } >"$ADMIN_CONFIG"
}

kafka_tool() {  # TOOL ARGS...: one of the Kafka CLI tools, as the super user
    local tool=$1
    shift
    "$KAFKA_BIN/$tool" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$ADMIN_CONFIG" "$@"
}

# Creates the SCRAM credential of USER, or replaces its password (idempotent).
scram_user() {  # USER PASSWORD
    kafka_tool kafka-configs.sh --alter --entity-type users --entity-name "$1" \
        --add-config "$SCRAM=[iterations=8192,password=$2]"
}

# allow USER topic|group literal|prefixed NAME OPERATION...: one ALLOW ACL per operation (adding one twice is a no-op).
allow() {
    local user=$1 kind=$2 pattern=$3 name=$4
    shift 4
    local operations=()
    for operation in "$@"; do
        operations+=(--operation "$operation")
    done
    kafka_tool kafka-acls.sh --add --allow-principal "User:$user" --"$kind" "$name" \
        --resource-pattern-type "$pattern" "${operations[@]}"
}
