"""`seal ingest`, `seal search`, `seal collections`: fill a knowledge base and query it."""

from __future__ import annotations

from pathlib import Path

import typer

from app.commands.common import console, err_console, fail, print_json

PIPELINES = ("seal", "asr")


def _open_store(settings):
    from retrieval.store import KnowledgeStore, StoreError

    try:
        return KnowledgeStore(settings)
    except StoreError as exc:
        fail(str(exc))
    except Exception as exc:  # e.g. a Qdrant server that does not answer
        where = settings.qdrant_url or (settings.data_dir / "qdrant-edge" if settings.store_engine == "edge" else settings.qdrant_path)
        fail(f"cannot open the knowledge store at {where}: {exc}")


def _load_models(settings, seal: bool = True, text: bool = True, asr: bool = False) -> dict:
    from models import registry

    loaded = {}
    with err_console.status("loading models..."):
        if seal:
            loaded["seal"] = registry.get_seal_model(settings)
        if text:
            loaded["text"] = registry.get_text_embedder(settings)
        if asr:
            loaded["asr"] = registry.get_transcriber(settings)
    return loaded


def ingest(
    paths: list[Path] = typer.Argument(
        None, help="Files or folders (.txt .md .html .pdf .jsonl); folders are walked recursively.", show_default=False
    ),
    collection: str = typer.Option(None, "--collection", "-c", help="Knowledge base to fill (default: SEAL_COLLECTION, else demo)."),
    delete: list[str] = typer.Option(
        None, "--delete", help="Remove the passages of this source (as shown by `seal search`) first; repeatable."
    ),
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing if the collection already has passages."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Add documents to a knowledge base: chunk them, embed with both towers, store in Qdrant.

    Re-running costs only what changed: unchanged files are passed over in seconds, and in a changed file only new or edited passages are embedded; a changed file replaces its old passages; an unreadable file is reported and skipped while the rest goes in. A file's source is its path from the named folder (`seal ingest docs` stores `docs/guide.md`).

    Examples: `seal ingest docs/`, `seal ingest faq.jsonl --collection support`, `seal ingest --delete docs/old.md`.
    """
    from app.settings import get_settings

    settings = get_settings()
    collection = collection or settings.collection
    if not paths and not delete:
        fail("name files or folders to ingest, or --delete SOURCE; see `seal ingest --help`")
    store = _open_store(settings)
    with store:
        result: dict = {"collection": collection}
        if delete:
            from retrieval.store import StoreError

            try:
                result["deleted"] = {source: store.delete_source(collection, source) for source in delete}
            except StoreError as exc:
                fail(str(exc))
            if not json_out:
                for source, n in result["deleted"].items():
                    note = "" if n else " (no passage has that source; `seal search --json` shows sources)"
                    console.print(f"removed {n} passages of {source} from {collection}{note}", highlight=False)
        if paths:
            existing = store.count(collection)
            if if_empty and not existing and _only_in_local_folder(store, collection):
                result["ingest"] = None
                err_console.print(f"[yellow]{collection}[/] is empty here but {store.missing_hint(collection)}; "
                                  "nothing ingested (--if-empty)", highlight=False)
            elif if_empty and existing:
                result["ingest"] = None
                if not json_out:
                    console.print(f"{collection} already holds {existing} passages; nothing to do (--if-empty)")
            else:
                result["ingest"] = _ingest(paths, collection, store, settings, json_out)
        result["points"] = store.count(collection)
    if json_out:
        print_json(result)
    report = result.get("ingest")
    if report and report["files"] == 0 and report["skipped"]:
        raise typer.Exit(1)


def _only_in_local_folder(store, collection: str) -> bool:
    """A knowledge base the edge store lacks but the old local-mode folder holds (not migrated yet)."""
    from retrieval.store import local_collections

    return bool(store.edge) and not store.exists(collection) and collection in local_collections(store.config)


def _ingest(paths, collection, store, settings, json_out: bool) -> dict:
    from models.text_side import default_checkpoint, text_side_key
    from retrieval.ingest import Deferred, ingest_paths, vectors_key
    from retrieval.loaders import LoadLimits
    from retrieval.store import StoreError

    # Loaded only if something needs embedding (nor is PyTorch imported): an unchanged knowledge base
    # re-ingests in seconds. The key is what the loaded models would give (ingest.models_key).
    seal = Deferred(lambda: _load_models(settings, text=False)["seal"])
    text = Deferred(lambda: _load_models(settings, seal=False)["text"])
    key = vectors_key(text_side_key(default_checkpoint(settings.checkpoint), settings.text_model), settings.text_model)
    limits = LoadLimits(pdf_max_pages=settings.pdf_max_pages, seconds=settings.load_timeout_s)
    try:
        report = ingest_paths(paths, collection, store, seal, text, progress=not json_out, key=key, limits=limits)
    except StoreError as exc:
        fail(str(exc))
    if not json_out:
        for skip in report.skipped:
            err_console.print(f"[yellow]skipped[/] {skip.path}: {skip.reason}", highlight=False)
        removed = f", {report.removed} stale removed" if report.removed else ""
        console.print(
            f"ingested {report.files} files into [bold]{collection}[/]: {report.chunks} passages embedded, "
            f"{report.unchanged} unchanged (not embedded again){removed}; {report.points} passages in all, "
            f"{len(report.skipped)} skipped, {report.seconds:.1f} s",
            highlight=False,
        )
    return report.to_dict()


def search(
    text: str = typer.Option(None, "--text", "-t", help="Search with this text."),
    audio: Path = typer.Option(None, "--audio", "-a", help="Search with speech from this audio file (WAV, FLAC, ...)."),
    k: int = typer.Option(5, "--k", "-k", min=1, max=100, help="How many passages to return."),
    collection: str = typer.Option(None, "--collection", "-c", help="Knowledge base (default: SEAL_COLLECTION, else demo)."),
    pipeline: str = typer.Option(
        "seal", "--pipeline", "-p", help="seal: SEAL towers on the `seal` vectors; asr: Whisper + text embedder on `text`."
    ),
    source: str = typer.Option(None, "--source", help="Only passages from this source."),
    json_out: bool = typer.Option(False, "--json", help="Print hits and timings as JSON."),
) -> None:
    """Find the passages nearest to a spoken or written question.

    Examples: `seal search --audio question.wav`, `seal search --audio q.wav --pipeline asr`, `seal search --text "when is the library open" --k 3`.
    """
    from retrieval.pipelines import build_pipelines
    from app.settings import get_settings
    from models.audio import AudioError, load_audio
    from retrieval.store import StoreError

    if (text is None) == (audio is None):
        fail("give exactly one of --text \"question\" or --audio FILE.wav")
    if pipeline not in PIPELINES:
        fail(f"--pipeline must be one of {', '.join(PIPELINES)}, not {pipeline!r}")
    settings = get_settings()
    collection = collection or settings.collection
    query = text
    if audio is not None:
        try:
            query = load_audio(audio, max_seconds=settings.max_audio_seconds)
        except (AudioError, OSError) as exc:
            fail(str(exc))
    with _open_store(settings) as store:
        if not store.exists(collection):
            known = ", ".join(store.collections()) or "none yet"
            fail(f"no knowledge base {collection!r} (collections: {known}); {store.missing_hint(collection)}")
        # off SEAL, a typed question needs no transcriber (the text pipeline), a spoken one does (asr)
        name = "seal" if pipeline == "seal" else ("text" if text is not None else "asr")
        models = _load_models(settings, seal=name == "seal", text=name != "seal", asr=name == "asr")
        runner = build_pipelines(store, models.get("seal"), models.get("asr"), models.get("text"), [name])[name]
        try:
            result = runner.run(query, collection, k=k, source=source)
        except StoreError as exc:
            fail(str(exc))
    if json_out:
        print_json(result.to_dict())
        return
    _print_result(result)


def _print_result(result) -> None:
    from rich.table import Table

    if result.transcript is not None and result.pipeline == "asr":
        console.print(f"[bold]heard:[/] {result.transcript or '(nothing)'}", highlight=False)
    table = Table(show_lines=False)
    for column in ("#", "score", "source", "passage"):
        table.add_column(column, overflow="fold")
    for rank, hit in enumerate(result.hits, 1):
        where = hit.source + (f" #{hit.chunk}" if hit.chunk else "")
        heading = f"[bold]{hit.title}[/]\n" if hit.title else ""
        snippet = hit.text if len(hit.text) <= 240 else hit.text[:240] + "..."
        table.add_row(str(rank), f"{hit.score:.3f}", f"{where}\n[dim]{hit.doc_id}[/]", heading + snippet)
    console.print(table)
    timings = ", ".join(f"{key} {value:.1f} ms" for key, value in result.timings_ms.items())
    console.print(f"[dim]{result.pipeline} pipeline: {timings}[/]", highlight=False)


def collections(json_out: bool = typer.Option(False, "--json", help="Print {name: passages} as JSON.")) -> None:
    """List the knowledge bases and how many passages each holds."""
    from app.settings import get_settings

    settings = get_settings()
    with _open_store(settings) as store:
        counts = store.collections()
        location = store.location
    if json_out:
        print_json(counts)
        return
    if not counts:
        console.print(f"no knowledge bases at {location} yet; fill one with `seal ingest PATH...`", highlight=False)
        _note_unmigrated(settings, counts)
        return
    for name, count in counts.items():
        console.print(f"[bold]{name}[/]  {count} passages", highlight=False)
    console.print(f"[dim]{location}[/]", highlight=False)
    _note_unmigrated(settings, counts)


def _note_unmigrated(settings, counts: dict[str, int]) -> None:
    """Tell a user who upgraded that knowledge bases are still in the old local-mode folder."""
    from retrieval.store import local_collections

    if settings.qdrant_url or settings.store_engine != "edge":
        return
    left = [name for name in local_collections(settings) if name not in counts]
    if left:
        err_console.print(
            f"[yellow]not migrated:[/] {', '.join(left)} in the local-mode engine's folder {settings.qdrant_path}; "
            "`seal migrate` moves them to the default engine (Qdrant Edge) with their vectors",
            highlight=False,
        )


def migrate(
    source: str = typer.Option(
        "local", "--from", help="The embedded engine whose folder holds the knowledge bases: local (SEAL_DATA_DIR/qdrant) or edge."
    ),
    names: list[str] = typer.Option(None, "--collection", "-c", help="Only this knowledge base (repeatable; default: all)."),
    json_out: bool = typer.Option(False, "--json", help="Print what was copied as JSON."),
) -> None:
    """Move knowledge bases into the store in use, vectors and all: nothing is embedded again.

    The embedded default is now Qdrant Edge (SEAL_DATA_DIR/qdrant-edge: about 1 ms per search at 10k-100k passages); knowledge bases ingested before live in the old local-mode folder (SEAL_DATA_DIR/qdrant) until you run this once. With SEAL_QDRANT_URL set the target is that server or cluster. The source is only read; delete its folder yourself once you are happy. Running it again overwrites the same points.

    Examples: `seal migrate`, `seal migrate -c demo`, `SEAL_QDRANT_URL=http://localhost:6333 seal migrate --from edge`.
    """
    from app.settings import get_settings
    from retrieval.migrate import migrate as copy_collections
    from retrieval.store import StoreError

    settings = get_settings()
    if source not in ("local", "edge"):
        fail(f"--from must be local or edge, not {source!r}")
    folder = settings.qdrant_path if source == "local" else settings.data_dir / "qdrant-edge"
    if not folder.is_dir():  # do not create an empty store just to find nothing in it
        console.print(f"no knowledge bases at {folder}: nothing to move", highlight=False)
        return
    origin = _open_store(settings.model_copy(update={"store_engine": source, "qdrant_url": None}))
    target = _open_store(settings)
    with origin, target, _migrate_progress(json_out) as bar:

        def progress(name: str, total: int):
            task = bar.add_task(name, total=total)
            return lambda n: bar.update(task, advance=n)

        try:
            done = copy_collections(origin, target, names or None, progress)
        except StoreError as exc:
            fail(str(exc))
    if json_out:
        print_json({"from": origin.location, "to": target.location, "collections": [d.to_dict() for d in done]})
        return
    for item in done:
        console.print(f"moved [bold]{item.collection}[/]: {item.points} passages ({item.total} there now)", highlight=False)
    if not done:
        console.print(f"no knowledge bases at {origin.location}: nothing to move", highlight=False)
    else:
        console.print(f"[dim]{origin.location} -> {target.location}; the source is untouched[/]", highlight=False)


def _migrate_progress(json_out: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("[bold]moving[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("passages"), TimeRemainingColumn(), console=err_console, disable=json_out)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("search")(search)
    app.command("collections")(collections)
    app.command("migrate")(migrate)
