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
from app.security import origin_problem, token_problem
from app.session import Session
from app.settings import Settings, get_settings

log = logging.getLogger("seal.server")
WEB = Path(__file__).resolve().parents[1] / "web"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
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

    @app.middleware("http")
    async def timing_and_limits(request: Request, call_next):
        started = time.perf_counter()
        limit = settings.max_upload_mb * 4 * 1024 * 1024
        length = request.headers.get("content-length")
        if request.url.path.startswith("/api/") and length and length.isdigit() and int(length) > limit:
            response = JSONResponse(
                {"detail": {"code": "too_large", "message": f"the request is over {limit / 2**20:g} MB; upload fewer or smaller files"}},
                status_code=413,
            )
        else:
            response = await call_next(request)
        elapsed = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
        log.info("%s %s -> %d in %.1f ms", request.method, request.url.path, response.status_code, elapsed)
        return response

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request):
        return templates.TemplateResponse(
            request,
            "index.html",
            {"collection": settings.collection, "top_k": settings.top_k, "needs_token": bool(settings.api_token),
             "end_silence_ms": settings.vad_end_silence_ms},
        )

    @app.get("/healthz", tags=["health"], summary="The process is up")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="Models loaded and the knowledge store reachable")
    async def readyz(request: Request):
        res: Resources = request.app.state.resources
        body = {"models_loaded": res.ready, "loading": not res._ready.is_set(), "error": res.error,
                "load_ms": res.load_ms, "sessions": res.sessions, "answers": res.answerer_note, "demo_ingest": res.demo}
        if not res.ready:
            return JSONResponse({"status": "not ready", **body}, status_code=503)
        try:
            collections = await res.run(res.check_store)
        except Exception as exc:  # noqa: BLE001 - any store failure means not ready
            return JSONResponse({"status": "store unreachable", **body, "error": str(exc)}, status_code=503)
        return {"status": "ready", "collections": collections, **body}

    @app.websocket("/ws")
    async def conversation(ws: WebSocket):
        res: Resources = ws.app.state.resources
        await ws.accept()
        refusal = token_problem(ws, settings) and ("unauthorized", token_problem(ws, settings), 1008)
        refusal = refusal or (origin_problem(ws, settings) and ("forbidden_origin", origin_problem(ws, settings), 1008))
        if not refusal and res.sessions >= settings.max_sessions:
            refusal = ("too_many_sessions", f"the server is at its limit of {settings.max_sessions} conversations; try again later", 1013)
        session = Session(ws, res)
        if refusal:
            code, message, close_code = refusal
            log.warning("refused websocket from %s: %s", ws.client, message)
            await session.close(close_code, code, message)
            return
        res.sessions += 1
        try:
            await session.run()
        finally:
            res.sessions -= 1

    return app


def app_from_env() -> FastAPI:
    """For `uvicorn --factory app.server:app_from_env`."""
    return create_app(get_settings())
