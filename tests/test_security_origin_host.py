"""No cross-site writes: Origin and Host are checked on every state-changing route and on /ws, so a
foreign page (or a DNS-rebinding one that borrows the server's address) cannot make a user's browser
upload, search or talk; scripts without an Origin and the page's own origin still pass."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import HTTPConnection

from app.settings import Settings

DOC = ("note.md", b"# Note\n\nThe lighthouse keeper lights the lamp at dusk.\n", "text/markdown")


def _collections(http) -> dict:
    return http.get("/readyz").json()["collections"]


def test_a_cross_site_upload_is_refused_and_stores_nothing(http):
    r = http.post("/api/ingest", files=[("files", DOC)], data={"collection": "xsite"}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403, r.text
    detail = r.json()["detail"]
    assert detail["code"] == "forbidden_origin" and "SEAL_ALLOWED_ORIGINS" in detail["message"]
    assert "xsite" not in _collections(http)


@pytest.mark.parametrize("origin", ["null", "http://127.0.0.1.evil.example"])
def test_opaque_and_lookalike_origins_are_refused(http, origin):
    r = http.post("/api/search", json={"text": "library"}, headers={"Origin": origin})
    assert r.status_code == 403 and r.json()["detail"]["code"] == "forbidden_origin"


def test_a_cross_site_form_post_without_origin_is_refused(http):
    r = http.post("/api/ingest", files=[("files", DOC)], data={"collection": "xsite"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403 and r.json()["detail"]["code"] == "forbidden_origin"
    assert "xsite" not in _collections(http)


def test_dns_rebinding_is_refused_on_the_api(http, server):
    # The attacker's name now resolves to 127.0.0.1: Host and Origin agree with each other, not with us.
    rebound = f"rebind.example:{server.port}"
    r = http.post("/api/ingest", files=[("files", DOC)], data={"collection": "xsite"},
                  headers={"Host": rebound, "Origin": f"http://{rebound}"})
    assert r.status_code == 403, r.text
    assert r.json()["detail"]["code"] == "forbidden_host" and "SEAL_ALLOWED_HOSTS" in r.json()["detail"]["message"]
    assert "xsite" not in _collections(http)


async def test_dns_rebinding_is_refused_on_the_websocket(server):
    rebound = f"rebind.example:{server.port}"
    async with websockets.connect(f"ws://{rebound}/ws", host="127.0.0.1", port=server.port, origin=f"http://{rebound}") as ws:
        event = json.loads(await asyncio.wait_for(ws.recv(), 20))
        assert event["type"] == "error" and event["code"] == "forbidden_host"
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 20)
        assert ws.close_code == 1008


async def test_a_foreign_page_cannot_open_a_conversation(server):
    async with websockets.connect(server.ws, origin="https://evil.example") as ws:
        event = json.loads(await asyncio.wait_for(ws.recv(), 20))
        assert event["code"] == "forbidden_origin"


def test_the_pages_own_origin_scripts_and_allow_listed_names_pass(http, server, monkeypatch):
    assert http.post("/api/search", json={"text": "library"}, headers={"Origin": server.base}).status_code == 200
    assert http.post("/api/search", json={"text": "library"}).status_code == 200  # no Origin: a script
    public = f"seal.example.org:{server.port}"
    assert http.post("/api/search", json={"text": "library"}, headers={"Host": public}).status_code == 403
    monkeypatch.setattr(server.settings, "allowed_hosts", ["*.example.org"])
    monkeypatch.setattr(server.settings, "allowed_origins", ["https://app.example.net"])
    assert http.post("/api/search", json={"text": "library"}, headers={"Host": public, "Origin": f"http://{public}"}).status_code == 200
    assert http.post("/api/search", json={"text": "library"}, headers={"Host": public, "Origin": "https://app.example.net"}).status_code == 200
    assert http.post("/api/search", json={"text": "library"}, headers={"Host": "example.org"}).status_code == 403  # subdomains only
    assert http.get("/healthz", headers={"Host": "anything.invalid"}).status_code == 200  # orchestrators' probes


HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=60)


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(
    st.fixed_dictionaries({}, optional={"host": HEADER_TEXT | st.sampled_from(["127.0.0.1:8000", "[::1]", "[bad", "localhost"]),
                                        "origin": HEADER_TEXT | st.sampled_from(["null", "http://[", "http://127.0.0.1:8000"]),
                                        "sec-fetch-site": st.sampled_from(["cross-site", "same-origin", "none"]),
                                        "authorization": HEADER_TEXT, "x-api-token": HEADER_TEXT}),
    st.lists(HEADER_TEXT | st.just("seal.auth.") | HEADER_TEXT.map("seal.auth.".__add__), max_size=3),
    st.sampled_from(["GET", "POST", "DELETE"]),
)
def test_any_headers_get_an_answer_never_an_exception(headers, subprotocols, method):
    from app.security import api_refusal, ws_refusal, ws_subprotocol

    scope = {"type": "websocket", "path": "/ws", "query_string": b"", "subprotocols": subprotocols,
             "headers": [(k.encode(), v.encode("latin-1")) for k, v in headers.items()]}
    conn = HTTPConnection(scope)
    guarded = Settings(api_token="tok-123456", allowed_origins=["https://app.example.net"])
    refusal = ws_refusal(conn, guarded)
    assert refusal is None or refusal[0] in {"forbidden_host", "forbidden_origin", "unauthorized"}
    assert api_refusal(conn, guarded, method) is None or api_refusal(conn, guarded, method)[0] in (401, 403)
    assert ws_subprotocol(conn) in (None, "seal.v1")
