"""The rating service (đánh giá, phân hạng sản phẩm OCOP): councils, scorecards, results, decisions, certificates."""

from pathlib import Path

from services.rating.adapters.projection import RatingProjection
from services.rating.adapters.upcasts import UPCASTS
from services.rating.application.translators import PUBLISHER
from services.rating.bootstrap import bootstrap
from services.rating.domain.council import Council
from services.rating.domain.dossier import RatingDossier
from services.rating.domain.errors import (
    AlreadyExists,
    Ambiguous,
    CatalogueError,
    DecisionDateRefused,
    Duplicate,
    InvalidScorecard,
    NotAllowed,
    NotReady,
    RatingError,
)
from services.rating.domain.decisions import DecisionRecord
from services.rating.domain.scorecards import MemberScorecards
from services.rating.domain.session import CouncilSession
from services.rating.entrypoints import decisions_api
from services.rating.entrypoints.api import router
from services.rating.entrypoints.schedule import start_schedule
from services.rating.entrypoints.subscribers import SUBSCRIPTIONS
from shared.events import EventRegistry
from shared.runtime import ServiceDefinition

definition = ServiceDefinition(
    name="rating",
    events=EventRegistry.of(RatingDossier, Council, CouncilSession, MemberScorecards, DecisionRecord,
                                  upcasts=UPCASTS),
    migrations=Path(__file__).parent / "migrations",
    projections=lambda: (RatingProjection(),),
    subscriptions=SUBSCRIPTIONS,
    routers=(router, decisions_api.router),
    errors={
        InvalidScorecard: (422, "invalid_scorecard"),
        DecisionDateRefused: (422, "invalid_decision_date"),
        NotReady: (409, "not_ready"),
        AlreadyExists: (409, "already_exists"),
        NotAllowed: (409, "not_allowed"),
        Ambiguous: (409, "ambiguous"),
        Duplicate: (409, "duplicate"),
        CatalogueError: (500, "invalid_catalogue"),
        RatingError: (422, "invalid_input"),
    },
    bootstrap=bootstrap,
    on_start=start_schedule,
    publishers=(PUBLISHER,),
)
