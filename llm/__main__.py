"""Ask the configured answerer one question from the command line: a quick check of a vLLM server.

    python -m llm --wav question.wav --passage "The Eiffel Tower is 330 metres tall." --base-url http://localhost:8001/v1
    python -m llm --text "How tall is the Eiffel Tower?" --passage "..."      # no --base-url: the local fallback

Settings (SEAL_LLM_BASE_URL, SEAL_LLM_MODEL, ...) give the defaults; the flags override them. The
answer streams to stdout; citations, time to first token and any error follow. Exit status 1 when
the answer model failed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from llm.types import FinalAnswer


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m llm", description=__doc__.split("\n\n")[0],
        epilog="Example: python -m llm --wav q.wav --passage 'Paris is the capital of France.' --base-url http://localhost:8001/v1",
    )
    parser.add_argument("--wav", help="the spoken question (any file soundfile reads; resampled to 16 kHz mono)")
    parser.add_argument("--text", help="the question as text (or the transcript that goes with --wav)")
    parser.add_argument("--passage", action="append", default=[], help="a passage to answer from; repeat for more")
    parser.add_argument("--base-url", help="vLLM's OpenAI-compatible URL, e.g. http://localhost:8001/v1 (default: SEAL_LLM_BASE_URL)")
    parser.add_argument("--model", help="the served model name (default: SEAL_LLM_MODEL)")
    parser.add_argument("--timeout", type=float, help="seconds of silence before giving up (default: SEAL_LLM_TIMEOUT_S)")
    args = parser.parse_args(argv)
    if not args.wav and not args.text:
        parser.error("give the question: --wav FILE and/or --text 'QUESTION'")
    return args


async def ask(args: argparse.Namespace) -> int:
    from app.settings import get_settings
    from llm.answer import get_answerer
    from models.audio import AudioError, load_audio

    overrides = {k: v for k, v in {"llm_base_url": args.base_url, "llm_model": args.model, "llm_timeout_s": args.timeout}.items() if v}
    settings = get_settings().model_copy(update=overrides)
    try:
        audio = load_audio(args.wav, settings.max_audio_seconds) if args.wav else None
    except AudioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    passages = [{"id": str(n), "text": text} for n, text in enumerate(args.passage, start=1)]
    answerer = get_answerer(settings)
    print(f"[{answerer.label}]", file=sys.stderr)
    done: FinalAnswer | None = None
    async for event in answerer.stream(audio, args.text, passages, []):
        if isinstance(event, FinalAnswer):
            done = event
        else:
            print(event.text, end="", flush=True)
    assert done is not None
    ttft = f"{done.ttft_ms:.0f} ms" if done.ttft_ms is not None else "-"
    print(f"\n\ncitations: {done.citations or '-'}   time to first token: {ttft}   source: {done.source}", file=sys.stderr)
    if done.error:
        print(f"error: {done.error}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(ask(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
