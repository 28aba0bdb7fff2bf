"""`seal train stage1|stage2|cache|check-gpu|card`, `seal eval`: training the speech tower, evaluating retrieval.

The `seal data` commands (making training data) live in data.py; ``register`` adds them too.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from app.commands.common import console, fail, print_json

train_app = typer.Typer(
    help="Train the SEAL speech tower: `stage1` aligns speech with text, `stage2` fine-tunes for retrieval. "
    "Each run reads one config file (YAML or TOML; see docs/training.md).",
    no_args_is_help=True,
)


def eval_command(
    kb: Path = typer.Option(..., "--kb", help='Knowledge-base JSONL: {"id", "text", "title"?, "source"?} per line.'),
    queries: Path = typer.Option(..., "--queries", help='Queries JSONL: {"id", "text", "relevant": [ids], "audio"?} per line.'),
    voice: list[str] = typer.Option([], "--voice", help="engine:voice to speak queries without audio (repeatable), e.g. espeak:en-us, flite:slt."),
    pipelines: str = typer.Option("seal,asr,text", "--pipelines", help="Comma-separated: seal (audio -> SEAL), asr (Whisper -> text tower), "
                                  "fused (one ranking from seal's and asr's hits; runs both), text (true text, the ceiling)."),
    fusion: str = typer.Option(None, "--fusion", help="How fused ranks: zsum (z-normalized score sum, the default) or rrf "
                               "(reciprocal rank fusion); several, comma-separated, are reported as fused-zsum, fused-rrf.",
                               show_default=False),
    out: Path = typer.Option(Path("report.json"), "--out", help="JSON report; a PNG plot and per-query JSONL go beside it."),
    checkpoint: str | None = typer.Option(None, "--checkpoint", help="SEAL checkpoint folder (default: SEAL_CHECKPOINT or the shipped one)."),
    collection: str | None = typer.Option(None, "--collection", help="Ingest into this collection of the configured store and keep it (default: a temporary store)."),
    limit: int | None = typer.Option(None, "--limit", help="Evaluate only the first N queries."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON instead of a table."),
) -> None:
    """Evaluate retrieval from speech: Top-1/3/10, MRR and latency p50/p95 (end of utterance -> hits) per pipeline.

    Example: seal eval --kb DATA/dev/kb.jsonl --queries DATA/dev/queries.jsonl --pipelines seal,asr,fused,text
    """
    from dataclasses import replace

    from app.settings import get_settings
    from models.registry import ModelConfig
    from retrieval.store import StoreConfig
    from training.eval import EvalError, EvalRun, run_eval

    settings = get_settings()
    run = EvalRun(kb=kb, queries=queries, out=out, voices=list(voice), pipelines=[p.strip() for p in pipelines.split(",") if p.strip()],
                  fusion=[m.strip() for m in fusion.split(",") if m.strip()] if fusion else None, collection=collection,
                  limit=limit, max_audio_seconds=settings.max_audio_seconds)
    models = ModelConfig.from_settings(settings)
    if checkpoint:
        models = replace(models, checkpoint=checkpoint)
    warn = lambda message: console.print(f"[yellow]{message}[/]", highlight=False)  # noqa: E731
    try:
        report = run_eval(run, models, StoreConfig.from_settings(settings), show_progress=not json_out, warn=warn, console=console)
    except (EvalError, FileNotFoundError) as exc:
        fail(str(exc))
    if json_out:
        print_json(report)
        return
    print_eval_table(report)
    unheard = report["meta"]["ctc_unheard"]
    if unheard["questions"]:
        console.print(f"{unheard['questions']} of {unheard['of']} questions hold a word piece SEAL's CTC head cannot emit "
                      f"(e.g. {', '.join(unheard['examples'][:5])}): the speech side cannot hear those words; training "
                      "text that contains them widens its vocabulary (docs/training.md)", highlight=False)
    console.print(f"report: {out}, plot: {out.with_suffix('.png')}, per query: {out.with_suffix('.queries.jsonl')}", highlight=False)


def print_eval_table(report: dict) -> None:
    from rich.table import Table

    from training.eval import BREAKDOWNS

    meta = report["meta"]
    voices = meta["voices"]
    # the searched collection may hold more than the KB file (--collection): say what was searched
    searched = f"{meta['passages']} passages" + (f" in a collection of {meta['points']} points" if meta.get("points", 0) > meta["passages"] else "")
    table = Table(title=f"{searched}, {len(voices)} voice(s): {', '.join(voices[:4])}{' ...' if len(voices) > 4 else ''}")
    for column in ("pipeline", "Top-1", "Top-3", "Top-10", "MRR", "n", "p50 ms", "p95 ms"):
        table.add_column(column, justify="left" if column == "pipeline" else "right")
    for name, m in report.items():
        if name in BREAKDOWNS:
            continue
        table.add_row(name, f"{m['top1']:.3f}", f"{m['top3']:.3f}", f"{m['top10']:.3f}", f"{m['mrr']:.3f}", str(m["n"]),
                      f"{m['p50_ms']:.1f}", f"{m['p95_ms']:.1f}")
    console.print(table)
    families = report.get("by_family", {})
    if len(families) > 1:
        names = [n for n in report if n not in BREAKDOWNS]
        per = Table("voice family", *[f"{n} Top-1" for n in names], "n", title="Top-1 per voice family")
        for family, rows in families.items():
            per.add_row(family, *[f"{rows[n]['top1']:.3f}" for n in names], str(rows[names[0]]["n"]))
        console.print(per)
    if any(name.startswith("fused") for name in report):
        from training.eval import FUSED_NOTE

        console.print(FUSED_NOTE, highlight=False)


def _train(stage: str, config: Path | None, data: Path | None, out: Path | None, init: str | None, overrides: list[str],
           fresh: bool, json_out: bool) -> None:
    from training.config import ConfigError, load_config
    from training.trainer import run

    try:
        run_config = load_config(config, overrides, stage=stage, data=str(data) if data else None,
                                 out=str(out) if out else None, init=init)
    except ConfigError as exc:
        fail(str(exc))
    if stage == "stage2" and not run_config.init:
        console.print("[yellow]note:[/] no init checkpoint: stage 2 starts from fresh adapters (give --init runs/stage1/checkpoint)")
    try:
        summary = run(run_config, log=lambda m: console.print(m, highlight=False), progress=not json_out, resume=not fresh)
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        fail(str(exc))
    if json_out:
        print_json(summary)


_CONFIG = typer.Option(None, "--config", "-c", help="Run config, YAML or TOML (examples in training/configs/).")
_DATA = typer.Option(None, "--data", help="A `seal data build` folder (overrides the config's data).")
_OUT = typer.Option(None, "--out", help="Run folder: state.pt, history, loss.png, checkpoint/ (overrides the config).")
_INIT = typer.Option(None, "--init", help="Start from this checkpoint (stage 2: the stage 1 output).")
_SET = typer.Option([], "--set", help="Override a field: section.key=value, e.g. optim.lr=3e-4 (repeatable).")
_FRESH = typer.Option(False, "--fresh", help="Ignore an existing state.pt in the run folder and start over.")
_JSON = typer.Option(False, "--json", help="No progress bar; print the summary as JSON.")


@train_app.command("stage1")
def train_stage1(config: Path | None = _CONFIG, data: Path | None = _DATA, out: Path | None = _OUT,
                 init: str | None = _INIT, set_: list[str] = _SET, fresh: bool = _FRESH, json_out: bool = _JSON) -> None:
    """Stage 1: align speech with its transcript (token-level MSE through the text encoder + CTC + pooled MSE).

    Caches the frozen Whisper encoder's output once, then trains the adapters; re-running the same command
    resumes from the last checkpoint."""
    _train("stage1", config, data, out, init, set_, fresh, json_out)


@train_app.command("stage2")
def train_stage2(config: Path | None = _CONFIG, data: Path | None = _DATA, out: Path | None = _OUT,
                 init: str | None = _INIT, set_: list[str] = _SET, fresh: bool = _FRESH, json_out: bool = _JSON) -> None:
    """Stage 2: retrieval fine-tuning (InfoNCE with mined hard negatives, CoSENT, contrastive classification)."""
    _train("stage2", config, data, out, init, set_, fresh, json_out)


@train_app.command("cache")
def train_cache(
    data: Path = typer.Option(..., "--data", help="A `seal data build` folder."),
    whisper_model: str = typer.Option("tiny.en", help="Whisper model whose (frozen) encoder output to cache."),
    follow: bool = typer.Option(False, "--follow", help="Keep caching new utterances while a build still makes them; "
                                "stops once the manifest has stopped growing for --idle seconds."),
    idle: float = typer.Option(120.0, help="With --follow: seconds without new utterances before stopping."),
) -> None:
    """Cache the frozen Whisper encoder's output of a build's training utterances, ahead of training.

    The stages do this themselves at start; running it beside `seal data build` (with --follow) overlaps
    the two, so training starts at once when synthesis ends. Cached files are reused by every run."""
    import time

    from models.seal import SealConfig, SealModel
    from training.datasets import read_manifest
    from training.features import cache_dir, missing_features, precompute

    from app.settings import get_settings

    model = SealModel(SealConfig(whisper_model=whisper_model), cache_dir=get_settings().cache_dir)
    directory = cache_dir(data / "features", whisper_model, model.speech_encoder.num_layers)
    quiet_since = time.monotonic()
    while True:
        try:
            records = read_manifest(data, "train", kinds=("query", "read", "sentence"))
        except (FileNotFoundError, ValueError):
            records = []
        todo = missing_features(records, directory)
        if todo:
            console.print(f"{len(records)} utterances, caching {len(todo)} into {directory}", highlight=False)
            precompute(model, todo, data, directory, model.speech_encoder.num_layers)
            quiet_since = time.monotonic()
        elif not follow or time.monotonic() - quiet_since > idle:
            break
        else:
            time.sleep(15)
    console.print(f"encoder cache up to date: {directory}", highlight=False)


@train_app.command("check-gpu", context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                                                  "help_option_names": []})
def train_check_gpu(ctx: typer.Context) -> None:
    """Check a CUDA host before a long run: fp16/bf16 against fp32, AMP training steps, timings.

    Embeds dev questions and passages in fp32/fp16/bf16 against a CPU fp32 reference, runs a few
    steps of both stages with bf16 autocast and with fp16 + gradient scaler, and times the speech
    tower one utterance at a time; writes a JSON report.

    Takes the options of `python -m training.gpu_check` (see `seal train check-gpu --help`), e.g.
    `seal train check-gpu --data artifacts/train-data --out gpu-check.json`."""
    from training.gpu_check import main

    main(list(ctx.args), prog="seal train check-gpu")


@train_app.command("card")
def train_card(
    checkpoint: Path = typer.Argument(..., help="Checkpoint folder whose README.md model card to update."),
    eval_: list[str] = typer.Option([], "--eval", help="name=report.json from `seal eval`, one per dev set (repeatable), "
                                    "e.g. --eval everyday=r/everyday.json --eval faq=r/faq.json --eval template=r/template.json"),
    main: str = typer.Option(None, "--main", help="The dev set whose figures config.json records; the server's answer_from "
                             "auto reads them (ASR's passages while fused trails ASR there). Default: the first --eval."),
) -> None:
    """Put `seal eval` results into a checkpoint's model card: a table per dev set and Top-1 per voice family."""
    from training.card import update_card_evals

    reports = {}
    for item in eval_:
        name, sep, path = item.partition("=")
        if not sep or not Path(path).is_file():
            fail(f"--eval {item!r}: write name=report.json with an existing report from `seal eval`")
        reports[name] = json.loads(Path(path).read_text())
    try:
        update_card_evals(checkpoint, reports, main)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    console.print(f"updated {checkpoint / 'README.md'}", highlight=False)


def register(app: typer.Typer) -> None:
    from app.commands import data  # `seal data` was registered here before it got its own module

    data.register(app)
    app.add_typer(train_app, name="train")
    app.command("eval")(eval_command)
