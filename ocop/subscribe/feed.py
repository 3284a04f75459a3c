"""A reader of the HTTP event feed (GET /v1/feed, the contract in the README): pages of CloudEvents after a position,
long-polling when caught up."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from ocop.subscribe.contract import public_event
from ocop.subscribe.errors import SubscribeError
from ocop.subscribe.store import Incoming

POSITION_HEADER = "X-OCOP-Feed-Position"
PATH = "/v1/feed"


class Unreachable(SubscribeError):
    """The feed did not answer (connection refused or lost, timeout) or answered 5xx: worth trying again later."""


@dataclass(frozen=True)
class Page:
    events: list[Incoming]
    after: int
    """The position to pass as ``after`` next."""
    skipped: list[str] = field(default_factory=list)
    """Why each event of the page that is no public event was passed."""
    empty: bool = False
    """The feed had no event after ``after`` (a page of skipped events only is not the end)."""


def feed_url(url: str) -> str:
    """The feed's address from monitoring's base URL (or the feed's own)."""
    url = url.rstrip("/")
    return url if url.endswith(PATH) else url + PATH


class FeedReader:
    def __init__(self, url: str, key: str, *, limit: int = 100, client: httpx.AsyncClient | None = None) -> None:
        self.url, self.key, self.limit = feed_url(url), key, limit
        self.client = client or httpx.AsyncClient()

    async def close(self) -> None:
        await self.client.aclose()

    async def page(self, after: int, *, wait: int = 0) -> Page:
        """The events after ``after`` (waiting up to ``wait`` seconds for one when there is none yet); a 429 is
        waited out as its Retry-After says."""
        while True:
            response = await self._get(after, wait)
            if response.status_code != 429:
                break
            await asyncio.sleep(_retry_after(response))  # the feed's own rate limit says when to come back
        if response.status_code != 200:
            raise SubscribeError(_refusal(response))
        try:
            body = response.json()
            read = [_incoming(item) for item in body]
            header = response.headers.get(POSITION_HEADER)
            last = max([after, *(int(item["position"]) for item in body)])
            resume = int(header) if header is not None else last
        except (ValueError, KeyError, TypeError) as exc:
            raise SubscribeError(f"the feed at {self.url} answered something that is not a CloudEvents batch: "
                                 f"{type(exc).__name__} {exc}") from None
        return Page([e for e in read if not isinstance(e, str)], resume, [e for e in read if isinstance(e, str)],
                    empty=not read)

    async def _get(self, after: int, wait: int) -> httpx.Response:
        params = {"after": after, "limit": self.limit, "timeout": wait}
        try:
            response = await self.client.get(self.url, params=params, headers={"X-API-Key": self.key},
                                             timeout=httpx.Timeout(wait + 15.0))
        except httpx.HTTPError as exc:
            raise Unreachable(f"cannot reach the feed at {self.url}: {type(exc).__name__} {exc}".rstrip()) from None
        if response.status_code >= 500:
            raise Unreachable(f"the feed at {self.url} answered {response.status_code}: {_message(response)}")
        return response


def _incoming(item: dict[str, Any]) -> Incoming | str:
    """The event at its position, or why its data is no public event (skipped, logged, its position passed)."""
    position = int(item["position"])
    envelope = public_event(json.dumps(item["data"], ensure_ascii=False).encode("utf-8"))
    if isinstance(envelope, str):
        return f"position {position} ({item.get('id')}): {envelope}"
    return Incoming(envelope, position=position)


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(float(response.headers.get("Retry-After", "1")), 0.1)
    except ValueError:
        return 1.0


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, dict):
        return "; ".join(str(detail[k]) for k in ("error", "message", "field") if detail.get(k)) or str(detail)
    return str(detail)


def _refusal(response: httpx.Response) -> str:
    status = response.status_code
    if status == 401:
        return (f"the feed refused the key (401): it is missing, unknown, wrong or revoked; ask the province for a "
                f"key (ocop feed-key issue) and pass it with --key or OCOP_FEED_KEY ({_message(response)})")
    if status == 403:
        return f"the key may not read what was asked (403): {_message(response)}"
    if status == 404:
        return f"no event feed at {response.request.url.copy_with(query=None)} (404): is --feed monitoring's address?"
    return f"the feed answered {status}: {_message(response)}"
