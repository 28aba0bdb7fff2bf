"""Who may talk to the server, and what it lets slip: token, Host and Origin checks, the request guard
for /api/*, the rule that keeps an open server on loopback, and the redaction of secrets.

The policy, in one place (README "Security" says it for people):
- ``/ws`` and ``/api/*`` answer only to Host names in ``allowed_hosts`` (loopback names by default),
  so a DNS-rebinding page cannot reach a server on localhost under its own name;
- a browser request from another origin (``Origin`` not the page's own, nor in ``allowed_origins``)
  may not open a conversation or POST to ``/api/*``; clients that send no Origin (``seal mic``,
  scripts) are not browsers and pass, and the token is what guards against them;
- with ``api_token`` set, every ``/ws`` and ``/api/*`` request must carry it; it is checked before
  the body is read, and the body is counted while it streams in;
- ``seal serve`` refuses a non-loopback address without a token unless told ``--insecure``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import logging
import re
import time
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import Settings

log = logging.getLogger("seal.security")

WS_SUBPROTOCOL = "seal.v1"
# Browsers cannot set headers on a websocket; the page offers the token as a second subprotocol,
# base64url-encoded (subprotocols allow only token characters). Kubernetes does the same.
TOKEN_SUBPROTOCOL = "seal.auth."
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
REQUEST_FILES_FACTOR = 4  # one request may carry a few files: its body may be this many times max_upload_mb


# -- the token --------------------------------------------------------------------------------------


def _secret(value: Any) -> str | None:
    """A SecretStr's value (a plain str is accepted too, as tests set attributes directly)."""
    if value is None:
        return None
    return value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)


def _subprotocol_token(conn: HTTPConnection) -> str | None:
    for proto in conn.scope.get("subprotocols") or []:
        if proto.startswith(TOKEN_SUBPROTOCOL):
            encoded = proto[len(TOKEN_SUBPROTOCOL) :]
            try:
                return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
            except (binascii.Error, UnicodeDecodeError, ValueError):
                return None
    return None


def presented_token(conn: HTTPConnection) -> str | None:
    """The token from ``Authorization: Bearer``, ``X-API-Token``, the websocket subprotocol the page
    uses, or ``?token=`` (kept for scripts; it lands in proxies' logs, so prefer the header)."""
    auth = conn.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return conn.headers.get("x-api-token") or _subprotocol_token(conn) or conn.query_params.get("token")


def token_problem(conn: HTTPConnection, settings: Settings) -> str | None:
    """Why this request may not pass for want of the token, or None."""
    expected = _secret(settings.api_token)
    if not expected:
        return None
    given = presented_token(conn)
    if not given:
        return "this server needs a token: send 'Authorization: Bearer TOKEN' (the page asks for it under Settings)"
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return "the token is wrong"
    return None


def ws_subprotocol(conn: HTTPConnection) -> str | None:
    """The subprotocol to accept: the page offers ``seal.v1`` (and its token), and a browser drops a
    socket whose server picks none of the offered ones. The token itself is never echoed."""
    return WS_SUBPROTOCOL if WS_SUBPROTOCOL in (conn.scope.get("subprotocols") or []) else None


# -- Host and Origin --------------------------------------------------------------------------------


def _hostname(value: str) -> str | None:
    try:
        return urlsplit("//" + value.strip()).hostname  # lower case, no port, no IPv6 brackets
    except ValueError:
        return None


def host_allowed(host_header: str, allowed: list[str]) -> bool:
    name = _hostname(host_header)
    if not name:
        return False
    for pattern in allowed:
        pattern = pattern.strip().lower().removeprefix("[").removesuffix("]")
        if pattern == "*" or pattern == name or (pattern.startswith("*.") and name.endswith(pattern[1:])):
            return True
    return False


def host_problem(conn: HTTPConnection, settings: Settings) -> str | None:
    host = conn.headers.get("host", "")
    if host_allowed(host, settings.allowed_hosts):
        return None
    return (f"this server does not answer to the host name {host[:100]!r}; if that is its public name, "
            "add it to SEAL_ALLOWED_HOSTS (a JSON list, e.g. [\"seal.example.org\"])")


def origin_problem(conn: HTTPConnection, settings: Settings) -> str | None:
    """Cross-site pages may not act: the Origin must be the page's own (same host, which the Host
    check has vetted) or allow-listed. No Origin: not a browser (or a same-origin GET), unless the
    browser says in ``Sec-Fetch-Site`` that the request is cross-site."""
    origin = conn.headers.get("origin")
    if not origin:
        if conn.headers.get("sec-fetch-site") == "cross-site":
            return "a cross-site request may not use this server; open the page on the server itself"
        return None
    allowed = {o.rstrip("/").lower() for o in settings.allowed_origins}
    if "*" in allowed or origin.rstrip("/").lower() in allowed:
        return None
    try:
        same_site = urlsplit(origin).netloc.lower() == conn.headers.get("host", "").lower() != ""
    except ValueError:  # "http://[" and the like: no origin a browser sends
        same_site = False
    if same_site:
        return None
    return f"origin {origin[:100]} may not use this server; if it should, add it to SEAL_ALLOWED_ORIGINS"


def ws_refusal(conn: HTTPConnection, settings: Settings) -> tuple[str, str] | None:
    """(error code, message) when this websocket may not hold a conversation."""
    for code, check in (("forbidden_host", host_problem), ("forbidden_origin", origin_problem), ("unauthorized", token_problem)):
        problem = check(conn, settings)
        if problem:
            return code, problem
    return None


def api_refusal(conn: HTTPConnection, settings: Settings, method: str) -> tuple[int, str, str] | None:
    """(status, error code, message) when this /api/ request may not go on; checked before its body."""
    problem = host_problem(conn, settings)
    if problem:
        return 403, "forbidden_host", problem
    if method in STATE_CHANGING:
        problem = origin_problem(conn, settings)
        if problem:
            return 403, "forbidden_origin", problem
    problem = token_problem(conn, settings)
    if problem:
        return 401, "unauthorized", problem
    return None


# -- the guard in front of /api/* -------------------------------------------------------------------


def request_limit_bytes(settings: Settings) -> int:
    return int(settings.max_upload_mb * REQUEST_FILES_FACTOR * 1024 * 1024)


def _too_large(limit: int) -> HTTPException:
    return HTTPException(413, detail={
        "code": "too_large", "message": f"the request is over {limit / 2**20:g} MB; upload fewer or smaller files"})


class ApiGuard:
    """Host, Origin and token checks for every ``/api/`` request before a route reads its body, then
    the body counted as it streams in (a chunked upload has no Content-Length to trust)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        refusal = api_refusal(conn, self.settings, scope["method"])
        limit = request_limit_bytes(self.settings)
        length = conn.headers.get("content-length", "")
        if not refusal and length.isdigit() and int(length) > limit:
            refusal = (413, "too_large", _too_large(limit).detail["message"])
        if refusal:
            status, code, message = refusal
            log.warning("refused %s %s from %s: %s", scope["method"], scope["path"], conn.client, message)
            await JSONResponse({"detail": {"code": code, "message": message}}, status_code=status)(scope, receive, send)
            return
        await self.app(scope, _counted(receive, limit), send)


def _counted(receive: Receive, limit: int) -> Receive:
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _too_large(limit)  # the route reading the body answers 413
        return message

    return counted


# -- rates ----------------------------------------------------------------------------------------


class TokenBucket:
    """``burst`` actions at once, refilled at ``per_s`` a second (idle time does not pile up past the burst)."""

    def __init__(self, per_s: float, burst: int) -> None:
        self.per_s, self.burst = per_s, float(burst)
        self.tokens, self.at = float(burst), time.monotonic()

    def take(self, cost: float = 1.0) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.per_s)
        self.at = now
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True


# -- an open server stays on loopback ---------------------------------------------------------------


def is_loopback(host: str) -> bool:
    if host.strip().lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_problem(host: str, settings: Settings, insecure: bool = False) -> str | None:
    """Why serving on ``host`` as configured would leave the server open to a network, or None."""
    if insecure or _secret(settings.api_token) or is_loopback(host):
        return None
    return (
        f"refusing to serve on {host} without a token: anyone who can reach it could use the server and "
        "add to its knowledge bases. Set one, e.g. `export SEAL_API_TOKEN=$(python3 -c 'import secrets; "
        "print(secrets.token_urlsafe(32))')`, and give it to your users (the page asks for it under Settings; "
        "`seal mic --token`); or pass --insecure if everyone who can reach this address may use it"
    )


# -- secrets out of logs and events -----------------------------------------------------------------

_TOKEN_IN_QUERY = re.compile(r"((?:[?&]|%3F|%26)(?:token|access_token)=)[^&\s\"']+", re.IGNORECASE)
_secrets: set[str] = set()


def secret_values(settings: Settings) -> list[str]:
    values = (_secret(settings.api_token), _secret(settings.llm_api_key), _secret(settings.qdrant_api_key))
    return [v for v in values if v and len(v) >= 4]  # a 1-3 character "secret" would blank out ordinary words


def scrub(text: str, secrets: set[str] | list[str] | None = None) -> str:
    """``text`` with ``?token=`` values and the given secret values replaced by ``***``."""
    text = _TOKEN_IN_QUERY.sub(r"\1***", text)
    for value in secrets if secrets is not None else _secrets:
        text = text.replace(value, "***")
    return text


def redact(text: str, settings: Settings) -> str:
    """What a client may read of ``text`` (an error message): no secret values, and no addresses of
    the answer model or the Qdrant server (they map the private network, and may carry credentials)."""
    text = scrub(text, secret_values(settings))
    for url, name in ((settings.llm_base_url, "[answer server]"), (settings.qdrant_url, "[qdrant server]")):
        if url:
            for form in (url.rstrip("/"), urlsplit(url).netloc):
                if form:
                    text = text.replace(form, name)
    return text


def install_log_redaction(settings: Settings) -> None:
    """Scrub every log record made in this process from now on: token query parameters (uvicorn's
    access log writes the full path) and the configured secret values. Done where records are
    made, so every logger and handler gets clean records, whoever configured them."""
    _secrets.update(secret_values(settings))
    if getattr(logging.getLogRecordFactory(), "seal_redacting", False):
        return
    make = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_scrub_arg(arg) for arg in record.args)
        return record

    factory.seal_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def _scrub_arg(arg: Any) -> Any:
    if isinstance(arg, (int, float)) or arg is None:
        return arg  # keeps %d and %f formats working
    text = str(arg)
    clean = scrub(text)
    return arg if clean == text else clean
