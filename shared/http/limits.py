"""Request bodies over the service's limit are refused with 413 before they are read into memory."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from fastapi.responses import JSONResponse


class BodySizeLimit:
    """ASGI middleware: 413 when ``Content-Length`` or the bytes received so far exceed ``max_bytes``."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await _too_large(self.max_bytes)(scope, receive, send)
        await self.app(scope, self._limited(receive), send)

    def _limited(self, receive: Any) -> Any:
        seen = 0

        async def limited() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                # An HTTPException, because FastAPI turns any other error while reading the body into a 400.
                raise HTTPException(413, detail=_too_large_detail(self.max_bytes))
            return message

        return limited


def _too_large_detail(limit: int) -> dict[str, str]:
    return {"error": "payload_too_large", "message": f"request body over {limit} bytes", "field": "body"}


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(status_code=413, content={"detail": _too_large_detail(limit)})
