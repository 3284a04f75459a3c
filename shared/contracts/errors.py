"""The single error type of the contracts package, and how validation errors are worded."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import ValidationError


class ContractError(ValueError):
    """A message (or an envelope being built) breaks the public event contract.

    ``errors`` keeps every ``(field, rule)`` pair so a consumer can put them in a
    dead-letter header; ``str(error)`` is the human sentence naming field and rule.
    """

    def __init__(self, message: str, errors: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.errors: tuple[tuple[str, str], ...] = tuple(errors)

    @property
    def field(self) -> str | None:
        """The first offending field (dotted path), if one is known."""
        return self.errors[0][0] if self.errors else None

    @classmethod
    def about(cls, field: str, rule: str, *, subject: str = "event") -> ContractError:
        return cls(f"invalid {subject}: {field}: {rule}", [(field, rule)])

    @classmethod
    def from_validation(cls, exc: ValidationError, *, subject: str) -> ContractError:
        pairs = [(loc_path(err["loc"]), err["msg"]) for err in exc.errors(include_url=False)]
        detail = "; ".join(f"{field}: {rule}" for field, rule in pairs)
        return cls(f"invalid {subject}: {detail}", pairs)


def loc_path(loc: Iterable[int | str]) -> str:
    """Render pydantic's loc tuple as ``data.findings[0].criterion``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "value"
