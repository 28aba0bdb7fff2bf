"""`seal bench latency`, `seal bench load`, `seal bench store`: how fast each pipeline answers, how the
server holds up, how fast the store searches.

Results go to --out as JSON (everything measured), markdown (the tables of docs/benchmarks.md) and a
PNG chart. See docs/benchmarks.md for what each number means and the latest figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from app.commands.common import console, err_console, fail, print_json

bench_app = typer.Typer(
    name="bench",
    help="Benchmarks: per-step latency of SEAL vs ASR + text (`latency`), concurrent sessions on a server (`load`), "
    "search latency of the knowledge store at a given size (`store`).",
    no_args_is_help=True,
)


def _sizes(text: str, name: str) -> list[int]:
    try:
        values = [int(part.replace("_", "").replace("k", "000")) for part in text.split(",") if part.strip()]
    except ValueError:
        fail(f"{name} takes comma-separated whole numbers, e.g. 1000,10000,100000 (got {text!r})")
    if not values or min(values) < 1:
        fail(f"{name} needs at least one positive number (got {text!r})")
    return values


def _progress():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console)


@bench_app.command("latency")
def latency(
    queries: Path = typer.Option(None, "--queries", "-q", help="Queries JSONL ({\"id\", \"text\"}, optional \"audio\" WAV); default: built-in questions of 1-12 s.", show_default=False),
    n: int = typer.Option(None, "--n", help="How many queries (cycles through the list, next voice each round); default: all.", show_default=False),
    voice: list[str] = typer.Option(None, "--voice", "-v", help="TTS voice engine:name (espeak:en-us, flite:kal, festival:kal_diphone); repeatable.", show_default=False),
    passages: str = typer.Option("1000,10000,100000", "--passages", help="Scratch collection sizes for the search-cost part; the smallest also serves the pipelines."),
    k: int = typer.Option(5, "--k", min=1, max=100, help="Hits per search."),
    repeats: int = typer.Option(3, "--repeats", min=1, help="Times each query vector is searched per collection size."),
    out: Path = typer.Option(Path("bench-results"), "--out", "-o", help="Folder for latency.json, latency.md, latency.png."),
    order: str = typer.Option("blocks", "--order", help="blocks: all queries through SEAL, then all through ASR (each as a server running only it sees it); interleaved: query by query, alternating (each pays for the other's threads and caches)."),
    gap_ms: float = typer.Option(500.0, "--gap-ms", min=0, help="Idle time before each timed query, as when a user has just spoken (0: back to back, faster than a server ever sees)."),
    json_out: bool = typer.Option(False, "--json", help="Print the JSON result instead of the tables."),
) -> None:
    """Time every step of both pipelines on the same spoken queries, in one run on this machine.

    Each query is spoken by TTS, fed to the server's VAD in 20 ms frames (end-of-speech decision), then
    run through SEAL (features, encoder, adapter+pooling, search) and ASR + text (faster-whisper int8
    greedy decode, text embedding, search). Reports p50/p95 per step by utterance length (1-3, 3-6,
    6-12 s) and the SEAL/ASR ratio; then searches the same vectors in scratch collections of random
    passages of each --passages size. Your knowledge bases are not touched.

    Examples: `seal bench latency`, `seal bench latency --n 6 --passages 1000 --out /tmp/b`,
    `seal bench latency --queries dev/queries.jsonl --voice espeak:en-us --voice flite:kal`.
    """
    from app.settings import get_settings
    from training.bench.latency import LatencyConfig, ServerSetup, run_latency
    from training.bench.report import latency_chart, latency_markdown

    if queries is not None and not queries.is_file():
        fail(f"--queries {queries}: no such file (a JSONL of {{\"id\", \"text\"}} lines)")
    config = LatencyConfig(queries=queries, n=n, passages=_sizes(passages, "--passages"), k=k, search_repeats=repeats, order=order, gap_ms=gap_ms)
    if voice:
        config.voices = list(voice)
    setup = ServerSetup.from_settings(get_settings())
    with _progress() as bar:
        try:
            result = run_latency(config, setup, bar)
        except (ValueError, FileNotFoundError) as exc:
            fail(str(exc))
        except Exception as exc:
            if type(exc).__name__ == "SynthesisError":
                fail(f"speaking the queries failed: {exc}")
            raise
    paths = _write(out, "latency", result, latency_markdown(result))
    latency_chart(result, paths["png"])
    if json_out:
        print_json(result)
        return
    console.print(latency_markdown(result), markup=False, highlight=False, soft_wrap=True)
    console.print(f"wrote {', '.join(str(p) for p in paths.values())}", highlight=False)


def _write(out: Path, stem: str, result: dict, markdown: str) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / f"{stem}.json", "md": out / f"{stem}.md", "png": out / f"{stem}.png"}
    paths["json"].write_text(json.dumps(result, indent=2) + "\n")
    paths["md"].write_text(markdown)
    return paths


def _check_listening(host: str, port: int, url: str) -> None:
    import socket

    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        fail(f"nothing answers at {url} ({exc.strerror or exc}): start the server first, e.g. `seal serve --port {port}`")


def register(app: typer.Typer) -> None:
    app.add_typer(bench_app, name="bench")


@bench_app.command("load")
def load(
    url: str = typer.Option("ws://127.0.0.1:8000/ws", "--url", help="The server's websocket (loopback only unless --allow-remote)."),
    sessions: str = typer.Option("8,16,32", "--sessions", help="Concurrent sessions per level, comma-separated; levels run one after another."),
    duration: float = typer.Option(60.0, "--duration", min=1.0, help="Seconds of audio each session streams per level."),
    soak: float = typer.Option(None, "--soak", min=10.0, help="Soak mode: run the first --sessions level for this many seconds and report the server's RSS slope.", show_default=False),
    pipelines: str = typer.Option("seal", "--pipelines", help="Pipelines each session asks for: seal or seal,asr."),
    live: str = typer.Option("on", "--live", help="Live hits in each session: on, off, or on,off (both at every level, one after the other)."),
    answer: bool = typer.Option(False, "--answer/--no-answer", help="Also generate answers (off: retrieval only, what the latency target is about)."),
    collection: str = typer.Option(None, "--collection", "-c", help="Knowledge base (default: the server's)."),
    voice: list[str] = typer.Option(None, "--voice", "-v", help="TTS voice engine:name for the questions; repeatable.", show_default=False),
    server_pid: int = typer.Option(None, "--server-pid", help="The server's pid for CPU/memory (default: found by the --url port).", show_default=False),
    token: str = typer.Option(None, "--token", envvar="SEAL_API_TOKEN", help="The server's shared secret, if it has one."),
    allow_remote: bool = typer.Option(False, "--allow-remote", help="Allow a --url that is not this machine (only for a server you own)."),
    grace: float = typer.Option(20.0, "--grace", min=0.0, help="After the last question, seconds to wait for its results."),
    out: Path = typer.Option(Path("bench-results"), "--out", "-o", help="Folder for load.json, load.md, load.png."),
    json_out: bool = typer.Option(False, "--json", help="Print the JSON result instead of the table."),
) -> None:
    """Concurrent spoken conversations against a running `seal serve`, over real websockets.

    Each session streams TTS questions at real-time pace (20 ms PCM16 frames, silence between
    questions). Reports per level: questions handled, errors, p50/p95 end of speech -> SEAL hits
    (client clock: from sending the last frame of speech to the seal `retrieval` event; nothing
    subtracted), and the server's CPU and memory. --soak checks that the server's memory stays flat.
    The server refuses sessions beyond SEAL_MAX_SESSIONS (default 8): start it with
    SEAL_MAX_SESSIONS=32 for the 16 and 32 levels.

    Examples: `seal serve &` then `seal bench load --sessions 8 --duration 60`,
    `seal bench load --sessions 8 --live on,off` (live hits against none, same questions),
    `seal bench load --sessions 8 --soak 600`.
    """
    from training.bench.load import LoadConfig, LoadError, check_target, run_load
    from training.bench.load_report import load_chart, load_markdown
    from training.bench.server_stats import find_server_pid

    levels = _sizes(sessions, "--sessions")
    wanted = [p.strip() for p in pipelines.split(",") if p.strip()]
    if not wanted or any(p not in ("seal", "asr") for p in wanted) or "seal" not in wanted:
        fail(f"--pipelines must include seal (the latency measured), optionally asr: seal or seal,asr (got {pipelines!r})")
    variants = [part.strip() for part in live.split(",") if part.strip()]
    if not variants or any(v not in ("on", "off") for v in variants):
        fail(f"--live takes on, off or on,off (got {live!r})")
    config = LoadConfig(url=url, sessions=levels, duration_s=duration, soak_s=soak, pipelines=wanted, answer=answer,
                        collection=collection, token=token, allow_remote=allow_remote, grace_s=grace,
                        live=[v == "on" for v in dict.fromkeys(variants)])
    if voice:
        config.voices = list(voice)
    try:
        host, port = check_target(url, allow_remote)
    except LoadError as exc:
        fail(str(exc))
    _check_listening(host, port, url)
    pid = server_pid or (find_server_pid(port) if not allow_remote or host in ("127.0.0.1", "localhost", "::1") else None)
    if server_pid is None and pid is None:
        err_console.print(f"[yellow]no process listens on port {port} here: server CPU and memory will not be measured (give --server-pid)[/]")
    try:
        with err_console.status("speaking the questions...") as status:
            result = run_load(config, pid, progress=lambda text: status.update(text))
    except LoadError as exc:
        fail(str(exc))
    connect_failures = sum(level["errors"].get("connect_failed", 0) for level in result["levels"] + ([result["soak"]] if result.get("soak") else []))
    paths = _write(out, "load", result, load_markdown(result))
    load_chart(result, paths["png"])
    if json_out:
        print_json(result)
    else:
        console.print(load_markdown(result), markup=False, highlight=False, soft_wrap=True)
        console.print(f"wrote {', '.join(str(p) for p in paths.values())}", highlight=False)
    if connect_failures and all(level["utterances_handled"] == 0 for level in result["levels"] + ([result["soak"]] if result.get("soak") else [])):
        fail(f"no session could connect to {url}: is `seal serve` running there?")


@bench_app.command("store")
def store(
    points: int = typer.Option(None, "--points", help="Synthetic collection of this many random points in a temp folder.", show_default=False),
    collection: str = typer.Option(None, "--collection", help="Measure this existing collection of the configured store instead.", show_default=False),
    queries: int = typer.Option(100, "--queries", help="Searches per named vector."),
    k: int = typer.Option(5, "--k", help="Hits per search."),
    data_dir: Path = typer.Option(None, "--data-dir", help="Where the synthetic store goes (default: a temp folder).", show_default=False),
    write_kb: Path = typer.Option(None, "--write-kb", help="Only write --points synthetic passages (default 10000) as KB JSONL here.", show_default=False),
) -> None:
    """The knowledge store's open time and search latency (p50/p95/mean ms per named vector), as JSON.

    The engine is the one the settings select (SEAL_STORE_ENGINE, SEAL_QDRANT_URL). Synthetic points are
    random unit vectors upserted through the store (no embedding cost; search cost depends on count and
    size only); queries are stored vectors with a little noise.

    Examples: `seal bench store --points 100000`, `seal bench store --collection demo`,
    `seal bench store --write-kb /tmp/kb10k.jsonl --points 10000`, `SEAL_STORE_ENGINE=edge seal bench store --points 100000`.
    """
    from tqdm import tqdm

    from app.settings import get_settings
    from retrieval.store import StoreConfig
    from training.bench.store import run_store_bench, write_synthetic_kb

    if write_kb:
        write_synthetic_kb(write_kb, points or 10_000)
        print(f"wrote {points or 10_000} passages to {write_kb}")
        return
    if bool(points) == bool(collection):
        fail("give --points N or --collection NAME")
    with tqdm(total=points or 0, desc="upserting", unit="point", disable=not points) as bar:
        report = run_store_bench(StoreConfig.from_settings(get_settings()), points, collection, queries, k, data_dir, bar.update)
    print_json(report)
