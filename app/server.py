"""The FastAPI app: the page, the websocket conversation, health checks and the HTTP API.

``create_app(settings)`` builds it; ``seal serve`` runs it on uvicorn. Models and the store load once,
in a worker thread, after the server starts listening (``/healthz`` answers at once, ``/readyz`` once
everything is loaded), and every request and session shares them through ``app.state.resources``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app import api
from app.resources import Resources
from app.security import ApiGuard, install_log_redaction, redact, token_problem, ws_refusal, ws_subprotocol
from app.session import Session
from app.settings import Settings, get_settings

log = logging.getLogger("seal.server")
WEB = Path(__file__).resolve().parents[1] / "web"
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}
# The page loads only its own files; inline style attributes stay allowed (the hit and latency bars set
# widths), scripts do not. /docs (Swagger from a CDN) gets no CSP.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        install_log_redaction(settings)
        res = Resources(settings)
        app.state.resources = res
        loading = asyncio.create_task(res.load())
        try:
            yield
        finally:
            loading.cancel()
            res.close()

    app = FastAPI(
        title="SEAL voice RAG",
        version="0.1.0",
        description=(
            "Ask a knowledge base out loud. `WS /ws` carries a spoken conversation (see docs/server.md for "
            "the protocol); `POST /api/search` takes a text question or a recording; `POST /api/ingest` adds documents."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    templates = Jinja2Templates(directory=str(WEB / "templates"))
    app.mount("/static", StaticFiles(directory=str(WEB / "static")), name="static")
    app.include_router(api.router)

    # Inside the timing middleware (added first = innermost): a body over the limit raises from the
    # route's own receive, where FastAPI turns it into a 413 (BaseHTTPMiddleware would wrap it otherwise).
    app.add_middleware(ApiGuard, settings=settings)

    @app.middleware("http")
    async def timing_and_headers(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
        response.headers.update(SECURITY_HEADERS)
        log.info("%s %s -> %d in %.1f ms", request.method, request.url.path, response.status_code, elapsed)
        return response

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request):
        return templates.TemplateResponse(
            request,
            "index.html",
            {"collection": settings.collection, "top_k": settings.top_k, "needs_token": bool(settings.api_token),
             "end_silence_ms": settings.vad_end_silence_ms},
            headers={"Content-Security-Policy": PAGE_CSP},
        )

    @app.get("/healthz", tags=["health"], summary="The process is up")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="Models loaded and the knowledge store reachable")
    async def readyz(request: Request):
        """Ready or not for anyone; the details (collections, load times, sessions) only with the token."""
        res: Resources = request.app.state.resources
        status, body = await _readiness(res)
        if token_problem(request, settings):
            body = {"status": body["status"]}
        return JSONResponse(body, status_code=status)

    @app.websocket("/ws")
    async def conversation(ws: WebSocket):
        res: Resources = ws.app.state.resources
        await ws.accept(subprotocol=ws_subprotocol(ws))
        refusal = ws_refusal(ws, settings)
        close_code = 1008
        if not refusal and res.sessions >= settings.max_sessions:
            refusal = ("too_many_sessions", f"the server is at its limit of {settings.max_sessions} conversations; try again later")
            close_code = 1013
        session = Session(ws, res)
        if refusal:
            log.warning("refused websocket from %s: %s", ws.client, refusal[1])
            await session.close(close_code, *refusal)
            return
        res.sessions += 1
        try:
            await session.run()
        finally:
            res.sessions -= 1

    return app


async def _readiness(res: Resources) -> tuple[int, dict]:
    body = {"models_loaded": res.ready, "loading": not res._ready.is_set(), "error": res.error and redact(res.error, res.settings),
            "load_ms": res.load_ms, "sessions": res.sessions, "answers": res.answerer_note, "demo_ingest": res.demo}
    if not res.ready:
        return 503, {"status": "not ready", **body}
    try:
        collections = await res.run(res.check_store)
    except Exception as exc:  # noqa: BLE001 - any store failure means not ready
        return 503, {"status": "store unreachable", **body, "error": redact(str(exc), res.settings)}
    return 200, {"status": "ready", "collections": collections, **body}


def app_from_env() -> FastAPI:
    """For `uvicorn --factory app.server:app_from_env`."""
    return create_app(get_settings())
