"""Domain events of rating, in the past tense, stored in the service's own event store; one module per aggregate.

``councils`` (Council), ``sessions`` (CouncilSession and its members' MemberScorecards), ``decisions``
(DecisionRecord), ``dossiers`` (RatingDossier before a council and under review); the outcomes a dossier records are
in ``services.rating.domain.outcomes``.
"""

from services.rating.domain.events.councils import CouncilFormed, MemberAppointed, MemberWithdrawn
from services.rating.domain.events.decisions import DecisionIssued, DecisionNumberTaken
from services.rating.domain.events.dossiers import (
    CertificateUnderReview,
    DossierOpened,
    DossierReentered,
    ExaminationScheduled,
    ExaminationWithdrawn,
    ReRatingOrdered,
)
from services.rating.domain.events.sessions import (
    DecisionRecorded,
    ProductExamined,
    ProductWithdrawn,
    ResultsFinalised,
    ScorecardsCounted,
    ScorecardSubmitted,
    SessionFinalised,
    SessionOpened,
)

__all__ = [
    "CertificateUnderReview", "CouncilFormed", "DecisionIssued", "DecisionNumberTaken", "DecisionRecorded",
    "DossierOpened", "DossierReentered", "ExaminationScheduled", "ExaminationWithdrawn", "MemberAppointed",
    "MemberWithdrawn", "ProductExamined", "ProductWithdrawn", "ReRatingOrdered", "ResultsFinalised",
    "ScorecardsCounted", "ScorecardSubmitted", "SessionFinalised", "SessionOpened",
]
