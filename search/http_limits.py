"""Request body size limits, enforced before and while the body is read.

A declared Content-Length over the limit is refused without passing a byte to the
app; a body without one (chunked transfer) is counted as it streams and refused the
moment it passes the limit, so a client cannot make the server buffer more than the
limit by leaving the length out.

Before answering 413 the rest of the body is read and dropped, up to twice the
limit: a client still sending when the server closes gets a connection reset
instead of the JSON error. Beyond that the connection is simply closed.
"""

from __future__ import annotations

from typing import AsyncIterator, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assetscout.search.http_errors import ApiError, error_response


def _too_large(size: int | None, limit: int, method: str, path: str) -> str:
    said = f"{size:,} bytes" if size is not None else "over the limit"
    return f"request body is {said}; at most {limit:,} bytes are allowed on {method} {path}"


async def drain(receive: Receive, budget: int) -> bool:
    """Read and drop the rest of a request body, at most `budget` bytes; True if it ended."""
    while budget >= 0:
        message = await receive()
        if message["type"] != "http.request":
            return False
        budget -= len(message.get("body", b""))
        if not message.get("more_body", False):
            return True
    return False


class BodyReader:
    """A request body as chunks, remembering whether it ended (so a drain never waits
    for bytes that will not come)."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.ended = False

    async def chunks(self) -> AsyncIterator[bytes]:
        while not self.ended:
            message = await self._receive()
            if message["type"] != "http.request":
                raise ConnectionResetError("the client disconnected while sending the body")
            self.ended = not message.get("more_body", False)
            yield message.get("body", b"")

    async def drain(self, budget: int) -> None:
        if not self.ended:
            self.ended = await drain(self._receive, budget)


class BodyLimitMiddleware:
    """ASGI middleware: `limit_for(method, path)` gives the byte limit of each request."""

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str, str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope.get("method", "GET"), scope.get("path", "")
        limit = self.limit_for(method, path)
        declared: int | None = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0:
                    await error_response(400, "invalid_input", "Content-Length header is not a number")(scope, receive, send)
                    return
        if declared is not None and declared > limit:
            if declared <= 2 * limit:
                await drain(receive, declared)
            response = error_response(413, "payload_too_large", _too_large(declared, limit, method, path),
                                      headers={"Connection": "close"})
            await response(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    if message.get("more_body", False):
                        await drain(receive, 2 * limit - seen)  # the same bound as a declared length
                    raise ApiError(413, "payload_too_large", _too_large(None, limit, method, path),
                                   headers={"Connection": "close"})
            return message

        await self.app(scope, counting_receive, send)
