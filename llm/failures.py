"""One human line for each way the answer model can fail.

The session shows this line in the answer area while the retrieved passages stay on screen, so it
says what happened and where, not a traceback.
"""

from __future__ import annotations

import json

import openai


class MalformedStream(ValueError):
    """A stream chunk that is not a chat-completion chunk."""


class EmptyAnswer(RuntimeError):
    """The stream ended cleanly without any answer text."""


def _detail(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _status_message(exc: openai.APIStatusError) -> str:
    """vLLM's error body is ``{"object": "error", "message": ...}``, or ``{"error": {"message": ...}}``."""
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error") if isinstance(body.get("error"), dict) else body
        message = inner.get("message")
        if isinstance(message, str) and message.strip():
            return _detail(message)
    return _detail(exc.message)


def describe_failure(exc: BaseException, base_url: str, timeout_s: float, partial: bool, then: str) -> str:
    """A single line naming the failure, the server, and what the user sees instead (``then``)."""
    where = f"The answer model at {base_url}"
    if isinstance(exc, openai.APITimeoutError):  # before APIConnectionError: it is a subclass
        what = f"{where} sent nothing for {timeout_s:g} s"
    elif isinstance(exc, openai.APIConnectionError):
        what = f"{where} is unreachable ({_detail(exc.__cause__ or exc)})"
    elif isinstance(exc, openai.APIStatusError):
        what = f"{where} answered HTTP {exc.status_code}: {_status_message(exc)}"
    elif isinstance(exc, openai.APIError):
        what = f"{where} reported an error mid-stream: {_detail(exc.message)}"
    elif isinstance(exc, EmptyAnswer):
        what = f"{where} returned an empty answer"
    elif isinstance(exc, (json.JSONDecodeError, ValueError, TypeError, AttributeError, KeyError, IndexError)):
        what = f"{where} sent a malformed stream ({_detail(exc)})"
    else:
        what = f"{where} failed ({type(exc).__name__}: {_detail(exc)})"
    if partial:
        return f"{what}; the answer above is incomplete"
    return f"{what}; {then}"
