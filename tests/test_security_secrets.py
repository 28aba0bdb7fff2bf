"""Secrets stay secret: `seal config` hides them, clients never read the answer server's address or a
key in an event, and /readyz tells anonymous callers only whether the server is ready."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from app.cli import app as cli
from app.resources import _load_answerer
from app.settings import Settings
from llm.client import LlmConfig, VllmAnswerer
from llm.failures import describe_failure

SECRETS = {"SEAL_API_TOKEN": "tok-7c1d-secret", "SEAL_LLM_API_KEY": "sk-llm-0a0b0c", "SEAL_QDRANT_API_KEY": "qd-key-99887"}


@pytest.mark.parametrize("args", [["config"], ["config", "--json"]])
def test_seal_config_hides_every_secret(monkeypatch, args):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert not any(value in result.output for value in SECRETS.values())
    if "--json" in args:
        shown = json.loads(result.output)
        assert shown["api_token"] == shown["llm_api_key"] == shown["qdrant_api_key"] == "**********"
    else:
        assert "api_token: **********" in result.output


def test_clients_never_read_the_answer_servers_address_or_a_key():
    from app.security import redact

    settings = Settings(llm_base_url="http://10.1.2.3:8000/v1", llm_api_key="sk-llm-0a0b0c", qdrant_url="http://qdrant.internal:6333")
    answerer, note = _load_answerer(settings)  # the `ready` event's and /readyz's answerer line
    for shown in (answerer.label, note):
        assert "10.1.2.3" not in shown and settings.llm_model in shown
    assert "10.1.2.3" not in VllmAnswerer(LlmConfig(base_url="http://10.1.2.3:8000/v1")).label
    failure = describe_failure(ConnectionError("refused"), "http://10.1.2.3:8000/v1", 60, partial=False, then="showing the passages")
    message = redact(failure + " with key sk-llm-0a0b0c; store at http://qdrant.internal:6333/collections", settings)
    assert "10.1.2.3" not in message and "sk-llm" not in message and "qdrant.internal" not in message
    assert "[answer server]" in message and "[qdrant server]" in message


def test_readyz_tells_anonymous_callers_only_ready_or_not(server, monkeypatch):
    monkeypatch.setattr(server.settings, "api_token", "tok-7c1d-secret")
    with httpx.Client(base_url=server.base, timeout=60) as http:
        anonymous = http.get("/readyz")
        assert anonymous.status_code == 200 and anonymous.json() == {"status": "ready"}
        assert http.get("/readyz", headers={"Authorization": "Bearer wrong"}).json() == {"status": "ready"}
        full = http.get("/readyz", headers={"Authorization": "Bearer tok-7c1d-secret"}).json()
    assert full["status"] == "ready" and "ws_fixture" in full["collections"] and "sessions" in full
