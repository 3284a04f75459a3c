"""Public event contracts of the OCOP platform (hợp đồng sự kiện).

Services talk only through these events on Kafka. Everything a producer or consumer needs
is exported here; the committed JSON Schemas and AsyncAPI document are generated from it
(``python -m shared.contracts.generate``).
"""

from .codec import kafka_headers, kafka_key, new_envelope, parse_event, serialize_event
from .envelope import VIETNAM_TZ, Actor, Envelope, Service
from .errors import ContractError
from .events import (
    AnyEvent,
    Certificate,
    DecisionRef,
    Finding,
    InspectionFailed,
    InspectionFailedData,
    Location,
    Producer,
    Product,
    ProductRated,
    ProductRatedData,
    ProductRegistered,
    ProductRegisteredData,
    RatingDecision,
    RewardApproved,
    RewardApprovedData,
)
from .registry import CONTRACTS, UPCASTERS, Contract, Upcaster, contract_for_topic
from .topics import (
    DEAD_LETTER_PREFIX,
    INSPECTION_FAILED_TOPIC,
    PRODUCT_RATED_TOPIC,
    PRODUCT_REGISTERED_TOPIC,
    REWARD_APPROVED_TOPIC,
    SERVICES,
    dead_letter_topic,
)

__all__ = [
    "CONTRACTS",
    "DEAD_LETTER_PREFIX",
    "INSPECTION_FAILED_TOPIC",
    "PRODUCT_RATED_TOPIC",
    "PRODUCT_REGISTERED_TOPIC",
    "REWARD_APPROVED_TOPIC",
    "SERVICES",
    "UPCASTERS",
    "VIETNAM_TZ",
    "Actor",
    "AnyEvent",
    "Certificate",
    "Contract",
    "ContractError",
    "DecisionRef",
    "Envelope",
    "Finding",
    "InspectionFailed",
    "InspectionFailedData",
    "Location",
    "Producer",
    "Product",
    "ProductRated",
    "ProductRatedData",
    "ProductRegistered",
    "ProductRegisteredData",
    "RatingDecision",
    "RewardApproved",
    "RewardApprovedData",
    "Service",
    "Upcaster",
    "contract_for_topic",
    "dead_letter_topic",
    "kafka_headers",
    "kafka_key",
    "new_envelope",
    "parse_event",
    "serialize_event",
]
