"""Closed by default: no open server beyond loopback, compose needs a token and stays on 127.0.0.1,
and tokens never reach a log line (the page's own path is in tests/test_browser.py)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from uvicorn.logging import AccessFormatter

from app.settings import Settings
from live_server import free_port
from test_llm_docker_compose import COMPOSE, SECRETS, compose_command, expand_defaults

SEAL = Path(sys.executable).parent / "seal"


def test_serve_refuses_a_network_address_without_a_token(tmp_path):
    env = {k: v for k, v in {**os.environ, **SECRETS}.items() if k != "SEAL_API_TOKEN"} | {"SEAL_DATA_DIR": str(tmp_path)}
    try:
        result = subprocess.run([str(SEAL), "serve", "--host", "0.0.0.0", "--port", str(free_port())],
                                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=90)
    except subprocess.TimeoutExpired:
        pytest.fail("`seal serve --host 0.0.0.0` started serving without a token")
    assert result.returncode == 1
    assert "SEAL_API_TOKEN" in result.stderr and "--insecure" in result.stderr and "secrets.token_urlsafe" in result.stderr


@pytest.mark.parametrize(
    ("host", "token", "insecure", "refused"),
    [
        ("127.0.0.1", None, False, False),
        ("localhost", None, False, False),
        ("::1", None, False, False),
        ("0.0.0.0", None, False, True),
        ("192.168.1.20", None, False, True),
        ("::", None, False, True),
        ("seal.example.org", None, False, True),
        ("0.0.0.0", "a-long-secret", False, False),
        ("0.0.0.0", None, True, False),
    ],
)
def test_only_loopback_may_serve_without_a_token(host, token, insecure, refused):
    from app.security import exposure_problem

    assert bool(exposure_problem(host, Settings(api_token=token), insecure)) is refused


def test_compose_requires_a_token_and_publishes_the_app_on_loopback():
    app = yaml.safe_load(COMPOSE.read_text())["services"]["app"]
    assert app["environment"]["SEAL_API_TOKEN"].startswith("${SEAL_API_TOKEN:?")
    assert [expand_defaults(p).split(":")[0] for p in app["ports"]] == ["127.0.0.1"]
    command = compose_command()
    if command is None:
        pytest.skip("no docker compose binary to check the interpolation with")
    env = {k: v for k, v in {**os.environ, **SECRETS}.items() if k != "SEAL_API_TOKEN"}
    result = subprocess.run([*command, "-f", str(COMPOSE), "config", "--quiet"], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode != 0 and "SEAL_API_TOKEN" in result.stderr


def test_tokens_never_reach_a_log_line():
    """uvicorn's access log writes the full path, query included; records are scrubbed where they are made."""
    from app.security import install_log_redaction

    install_log_redaction(Settings(api_token="tok-4f9a-secret", llm_api_key="sk-llm-key-123"))
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    access, app_log = logging.getLogger("uvicorn.access"), logging.getLogger("seal.test")
    handlers = [(access, Keep()), (app_log, Keep())]
    handlers[0][1].setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False))
    old_levels = [(logger, logger.level) for logger, _ in handlers]
    for logger, handler in handlers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        access.info('%s - "%s %s HTTP/%s" %d', "10.0.0.5:4711", "GET", "/?token=tok-4f9a-secret&x=1", "1.1", 200)
        access.info('%s - "%s %s HTTP/%s" %d', "10.0.0.5:4712", "POST", "/api/search?access_token=abc123", "1.1", 401)
        app_log.warning("answer model said: bad key %s", "sk-llm-key-123")
        app_log.warning("token tok-4f9a-secret refused")
    finally:
        for (logger, handler), (_, level) in zip(handlers, old_levels):
            logger.removeHandler(handler)
            logger.setLevel(level)
    text = "\n".join(lines)
    assert len(lines) == 4
    assert "tok-4f9a-secret" not in text and "sk-llm-key-123" not in text and "abc123" not in text
    assert '"GET /?token=***&x=1 HTTP/1.1" 200' in text  # the line keeps its shape
