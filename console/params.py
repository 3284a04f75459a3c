"""What the console's pages take in their addresses: a civil day written as people write it (``dd/mm/yyyy``) or as
an ISO date (``yyyy-mm-dd``, what links and the services use); an empty field means "not given"."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator


def _day(value: Any) -> Any:
    if value == "":
        return None  # an empty date field of a filter form
    if isinstance(value, str) and "/" in value:
        try:
            return datetime.strptime(value, "%d/%m/%Y").date()
        except ValueError:
            raise ValueError("a day as dd/mm/yyyy or yyyy-mm-dd") from None
    return value


#: A day of a page's filters: ``31/12/2021`` or ``2021-12-31``; None when the field is empty or absent.
CivilDay = Annotated[date | None, BeforeValidator(_day)]
