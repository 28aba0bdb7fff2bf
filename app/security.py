"""Who may talk to the server: the optional shared-secret token and the websocket Origin allow-list."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from app.settings import Settings


def presented_token(conn: HTTPConnection) -> str | None:
    """The token from ``Authorization: Bearer``, ``X-API-Token`` or ``?token=`` (browsers cannot set
    headers on a websocket, so the page passes it in the query)."""
    auth = conn.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return conn.headers.get("x-api-token") or conn.query_params.get("token")


def token_problem(conn: HTTPConnection, settings: Settings) -> str | None:
    """Why this request may not pass, or None."""
    if not settings.api_token:
        return None
    given = presented_token(conn)
    if not given:
        return "this server needs a token: send 'Authorization: Bearer TOKEN' or add ?token=TOKEN"
    if not hmac.compare_digest(given.encode(), settings.api_token.encode()):
        return "the token is wrong"
    return None


def origin_problem(conn: HTTPConnection, settings: Settings) -> str | None:
    """Cross-site pages may not open a conversation: the Origin must be this host or allow-listed.

    Clients that send no Origin (``seal mic``, scripts) are not browsers and pass; the token is
    what guards against them.
    """
    origin = conn.headers.get("origin")
    if not origin or "*" in settings.allowed_origins:
        return None
    if origin.rstrip("/") in {o.rstrip("/") for o in settings.allowed_origins}:
        return None
    if urlsplit(origin).netloc == conn.headers.get("host", ""):
        return None
    return f"origin {origin} is not allowed; add it to SEAL_ALLOWED_ORIGINS"
