"""Who may do what in finance (docs/ROLES.md, finance): access policy next to the load, not a business rule.

Routes name the roles of each command (``require``); what depends on the thing acted on is checked here: a district
officer proposes support only for a product of their own district, which finance must know from its registration.
"""

from __future__ import annotations

from services.finance.domain.errors import FinanceError
from shared.auth import Actor
from shared.contracts.roles import Role

#: The Coordination Office drafts estimates and amendments; the Department of Finance may prepare them too.
DRAFTERS = (Role.provincial_office, Role.finance_officer)
#: The provincial People's Committee's decisions (budget, amendments) are recorded by the Coordination Office.
PPC = (Role.provincial_office,)
#: The Department of Finance appraises, allocates, approves and pays rewards and support, decides holds and recoveries.
FINANCE = (Role.finance_officer,)
SUPPORT_PROPOSERS = (Role.finance_officer, Role.provincial_office, Role.district_officer)


def may_propose_support(actor: Actor, district_code: str | None) -> None:
    if actor.role is not Role.district_officer:
        return
    if district_code is None:
        raise FinanceError("finance has not heard this product registered, so a district officer cannot propose "
                           "support for it", field="product_id")
    actor.ensure_district(district_code)
