"""The rating service (đánh giá, phân hạng sản phẩm OCOP): dossiers of the products that entered rating."""

from pathlib import Path

from services.rating.adapters.projection import RatingProjection
from services.rating.domain.errors import CatalogueError, InvalidScorecard, NotReady, RatingError
from services.rating.entrypoints.api import router
from services.rating.entrypoints.subscribers import SUBSCRIPTIONS
from shared.service import ServiceDefinition

definition = ServiceDefinition(
    name="rating",
    migrations=Path(__file__).parent / "migrations",
    projections=lambda: (RatingProjection(),),
    subscriptions=SUBSCRIPTIONS,
    routers=(router,),
    errors={
        InvalidScorecard: (422, "invalid_scorecard"),
        NotReady: (409, "not_ready"),
        CatalogueError: (500, "invalid_catalogue"),
        RatingError: (422, "invalid_input"),
    },
)
