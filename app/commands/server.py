"""`seal serve` (the web app) and `seal mic` (talk to a running server from the terminal)."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import typer

from app.commands.common import console, err_console, fail

WS_MAX_BYTES = 4 * 1024 * 1024


def serve(
    host: str = typer.Option(None, "--host", help="Interface to listen on (default: SEAL_HOST, else 127.0.0.1; 0.0.0.0 for all)."),
    port: int = typer.Option(None, "--port", "-p", help="Port (default: SEAL_PORT, else 8000)."),
    log_level: str = typer.Option("info", "--log-level", help="debug, info, warning or error."),
    insecure: bool = typer.Option(False, "--insecure", help="Serve a non-loopback --host without SEAL_API_TOKEN: anyone who can reach it may use it."),
) -> None:
    """Serve the voice assistant: the page on /, the conversation on /ws, the API on /api (docs on /docs).

    Models load in the background after the port opens; /readyz says when they are ready. When the
    default collection is empty, the demo knowledge base (SEAL_DEMO_KB, default data/demo) is
    ingested first. Example: `seal serve --port 8000`, then open http://127.0.0.1:8000.

    Closed by default: on any address but loopback it needs SEAL_API_TOKEN (or --insecure), and it
    answers only to the host names in SEAL_ALLOWED_HOSTS (README, "Security": behind a TLS proxy).
    """
    import logging

    import uvicorn

    from app.server import create_app
    from app.settings import get_settings

    from app.security import exposure_problem, is_loopback

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    problem = exposure_problem(host, settings, insecure)
    if problem:
        fail(problem)
    if insecure and not settings.api_token and not is_loopback(host):
        err_console.print(f"[bold yellow]warning:[/] --insecure: no token, anyone who can reach {host}:{port} may use this server", highlight=False)
    if not is_loopback(host) and settings.allowed_hosts == type(settings).model_fields["allowed_hosts"].default_factory():
        err_console.print("[yellow]note:[/] /ws and /api answer only to localhost names until SEAL_ALLOWED_HOSTS lists the "
                          "server's public name, e.g. SEAL_ALLOWED_HOSTS='[\"seal.example.org\"]'", highlight=False)
    _check_port(host, port)
    _check_store(settings)
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    console.print(f"SEAL voice assistant on [bold]http://{host}:{port}[/] (API docs on /docs; Ctrl-C stops)", highlight=False)
    # ws_max_size: the largest frame the session takes is 5 s at 192 kHz (~1.9 MB); uvicorn's default is 16 MiB.
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level, ws="websockets-sansio", ws_max_size=WS_MAX_BYTES)


def _check_port(host: str, port: int) -> None:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            fail(f"cannot listen on {host}:{port} ({exc.strerror}); is another server running? pick another with --port")


def _check_store(settings) -> None:
    """Fail now, not after the models load, when another process holds the embedded store."""
    from retrieval.store import KnowledgeStore, StoreError

    try:
        KnowledgeStore(settings).close()
    except StoreError as exc:
        fail(str(exc))


def mic(
    url: str = typer.Option("ws://127.0.0.1:8000/ws", "--url", help="The server's websocket."),
    file: Path = typer.Option(None, "--file", "-f", help="Stream this recording (WAV, FLAC, OGG) at real-time pace instead of the microphone."),
    pipelines: str = typer.Option("seal,asr", "--pipelines", help="Comma list: seal, asr, fused (seal and asr together also give fused)."),
    collection: str = typer.Option(None, "--collection", "-c", help="Knowledge base (default: the server's)."),
    mode: str = typer.Option("vad", "--mode", help="vad: hands-free, utterances cut by silence; ptt: the whole recording is one utterance."),
    no_answer: bool = typer.Option(False, "--no-answer", help="Retrieval only."),
    no_live: bool = typer.Option(False, "--no-live", help="No live hits: SEAL searches only once the turn is over."),
    speed: float = typer.Option(1.0, "--speed", help="File streaming pace (2 = twice real time; the server allows a burst ahead)."),
    seconds: float = typer.Option(None, "--seconds", help="Stop the microphone after this long (default: Ctrl-C)."),
    token: str = typer.Option(None, "--token", envvar="SEAL_API_TOKEN", help="The server's shared secret, if it has one."),
    json_out: bool = typer.Option(False, "--json", help="Print each event as one JSON line."),
) -> None:
    """Talk to a running `seal serve` from the terminal and print what comes back.

    While you talk, SEAL's hits for what you said so far print as "live" at each short pause
    (provisional); the final hits follow when the turn ends.

    Examples: `seal mic` (speak, Ctrl-C to stop), `seal mic --file question.wav`,
    `seal mic --file q.wav --pipelines seal --json`.
    """
    from app.mic import MicOptions, run

    wanted = [p.strip() for p in pipelines.split(",") if p.strip()]
    if not wanted or any(p not in ("seal", "asr", "fused") for p in wanted):
        fail(f"--pipelines takes seal, asr and/or fused, not {pipelines!r}")
    if mode not in ("vad", "ptt"):
        fail(f"--mode is vad or ptt, not {mode!r}")
    if file is not None and not file.is_file():
        fail(f"{file}: no such file")
    options = MicOptions(url=url, pipelines=wanted, collection=collection, mode=mode, answer=not no_answer, live=not no_live,
                         token=token, speed=speed)
    printer = _print_json if json_out else EventPrinter()
    if file is None and not json_out:
        err_console.print("listening: ask a question (Ctrl-C to stop)")
    try:
        code = run(options, file, printer, duration_s=seconds)
    except OSError as exc:
        fail(f"cannot reach {url} ({exc}); is `seal serve` running?")
    except Exception as exc:  # noqa: BLE001 - websockets/audio errors: one clear line
        fail(f"{type(exc).__name__}: {exc}")
    if code == 3:
        fail("timed out waiting for the last results")
    if code:
        raise typer.Exit(code)


def _print_json(event: dict) -> None:
    sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class EventPrinter:
    """Events as a person reads them: speech boundaries, hits with scores and timings, the answer."""

    def __init__(self) -> None:
        self.in_answer = False

    def __call__(self, event: dict) -> None:
        kind = event["type"]
        if kind != "answer.delta" and self.in_answer:
            console.print()
            self.in_answer = False
        if kind == "ready":
            console.print(
                f"[green]connected[/] to {event['collection']}: {', '.join(event['pipelines'])}, {event['mode']} mode; "
                f"answers: {(event.get('answerer') if event.get('answer') else None) or 'off'}", highlight=False)
        elif kind == "vad.start":
            console.print(f"[bold]#{event['utterance']}[/] speech…", highlight=False)
        elif kind == "vad.end":
            if not event.get("discarded"):
                note = " [yellow](cut at the limit)[/]" if event.get("truncated") else ""
                console.print(f"[bold]#{event['utterance']}[/] {event['duration_ms'] / 1000:.1f} s of speech{note}", highlight=False)
        elif kind == "retrieval.partial":
            top = "; ".join(f"[{i}] {h.get('title') or h.get('doc_id')}" for i, h in enumerate(event["hits"][:3], 1))
            console.print(f"[dim]{event['pipeline']} live, provisional ({event['audio_ms'] / 1000:.1f} s heard so far): {top}[/]",
                          highlight=False)
        elif kind == "retrieval":
            t = event["timings_ms"]
            parts = ", ".join(f"{k} {v:.0f}" for k, v in t.items() if k not in ("total", "end_to_hits"))
            reused = "; the live hits had heard it all" if event.get("from_partial") else ""
            console.print(f"[bold cyan]{event['pipeline']}[/] {t.get('end_to_hits', t.get('total', 0)):.0f} ms after speech ({parts}{reused})",
                          highlight=False)
            for i, hit in enumerate(event["hits"], 1):
                text = hit["text"] if len(hit["text"]) < 100 else hit["text"][:97] + "…"
                console.print(f"  [{i}] {hit['score']:.3f} [bold]{hit.get('title') or hit.get('doc_id')}[/]: {text}", highlight=False)
        elif kind == "transcript":
            console.print(f"  heard: “{event['text']}”", highlight=False)
        elif kind == "answer.delta":
            if not self.in_answer:
                console.print("[bold]answer:[/] ", end="")
                self.in_answer = True
            console.print(event["text"], end="", highlight=False)
        elif kind == "answer.done":
            label = " (local fallback)" if event.get("source") == "fallback" else ""
            if event.get("error"):
                console.print(f"[yellow]answer: {event['error']}[/]", highlight=False)
            elif not event.get("cancelled"):
                console.print(f"  [dim]{len(event['citations'])} citations{label}, first words after {event.get('ttft_ms') or 0:.0f} ms[/]", highlight=False)
        elif kind == "error":
            err_console.print(f"[bold red]{event['code']}:[/] {event['message']}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("mic")(mic)
