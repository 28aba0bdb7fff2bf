"""`seal data ...`, `seal train stage1|stage2`, `seal eval`: making training data, training, evaluating."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from app.commands.common import console, fail, print_json

data_app = typer.Typer(
    help=(
        "Make training data: passages from apt-installed text sources (Debian package descriptions, WordNet, "
        "GCIDE, manual pages) -> spoken questions -> synthesized, augmented speech, cached with a manifest.\n\n"
        "Start with `seal data sources` to see what is installed, then `seal data build --out DIR`."
    ),
    no_args_is_help=True,
)
train_app = typer.Typer(
    help="Train the SEAL speech tower: `stage1` aligns speech with text, `stage2` fine-tunes for retrieval. "
    "Each run reads one config file (YAML or TOML; see docs/training.md).",
    no_args_is_help=True,
)


@data_app.command("sources")
def data_sources(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Which text sources are installed, how many passages each gives, and what to install if not."""
    from training.data.sources import APT_PACKAGES, SOURCES, SourceMissing, load_source

    rows = []
    for name in SOURCES:
        try:
            count = sum(1 for _ in load_source(name))
            rows.append({"source": name, "available": True, "passages": count, "install": None})
        except SourceMissing as exc:
            rows.append({"source": name, "available": False, "passages": 0, "install": str(exc)})
    if json_out:
        print_json(rows)
        return
    from rich.table import Table

    table = Table("source", "passages", "status")
    for row in rows:
        table.add_row(row["source"], str(row["passages"]), "ok" if row["available"] else f"[red]{row['install']}[/]")
    console.print(table)
    if not all(r["available"] for r in rows):
        console.print("Missing sources are skipped by `seal data build --source ...`; install them with: "
                      + "; ".join(APT_PACKAGES[r["source"]] for r in rows if not r["available"]))


@data_app.command("fetch-debian")
def data_fetch_debian() -> None:
    """Download Debian's package lists with the English long descriptions into SEAL_DATA_DIR/apt-lists (needs root)."""
    from training.data.sources import SourceMissing, fetch_debian_lists

    try:
        target = fetch_debian_lists()
    except SourceMissing as exc:
        fail(str(exc))
    console.print(f"Debian package descriptions ready in {target}", highlight=False)


@data_app.command("voices")
def data_voices(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The training voices, the held-out dev voices, and the speakers reserved for independent evaluation."""
    from training.data.voices import RESERVED_SPEAKERS, dev_voices, train_voices

    data = {"train": train_voices(), "dev": dev_voices(), "reserved": sorted(RESERVED_SPEAKERS)}
    if json_out:
        print_json(data)
        return
    for key, voices in data.items():
        console.print(f"[bold]{key}[/] ({len(voices)}): " + ", ".join(voices), highlight=False)


@data_app.command("build")
def data_build(
    out: Path = typer.Option(..., "--out", help="Folder for passages, plan, manifest, audio and the dev set."),
    source: list[str] = typer.Option(
        ["debian", "wordnet", "gcide", "man"], "--source", help="Text source (repeatable): debian, wordnet, gcide, man, or jsonl:PATH."
    ),
    per_source: int = typer.Option(2000, help="Training passages drawn from each source."),
    questions: int = typer.Option(2, help="Spoken questions per training passage."),
    read_fraction: float = typer.Option(0.3, help="Share of passages whose summary is also read aloud (stage 1 pairs)."),
    dev_per_source: int = typer.Option(50, help="Dev knowledge-base passages per source (disjoint from training)."),
    dev_queries: int | None = typer.Option(None, help="Dev passages that get a spoken question (dev voices); default all."),
    augment: float = typer.Option(1.0, help="Augmentation strength: 0 = clean TTS, 1 = reverb/noise/level changes."),
    seed: int = typer.Option(0, help="Seed for sampling passages, questions, voices and augmentation."),
    dev_set: Path | None = typer.Option(
        None, "--dev-set", help="Keep an earlier build's dev set (its dev/dev-set.jsonl): the same passages and spoken "
        "questions, never trained on, even after the sources changed (Debian's lists do every few days). "
        "--dev-per-source and --dev-queries are then ignored."),
    corpus: list[str] = typer.Option(
        [], "--corpus", help="General English to speak, NAME=N (repeatable): N sentences of corpus NAME, one of "
        "wordnet-examples, wordnet-glosses, fortunes, dictionaries, everyday (training/data/corpus.py)."),
    transforms: float = typer.Option(0.0, help="New speakers and channels on training utterances (vocal-tract length, "
                                     "pitch, telephone, codecs): 0 = off, 1 = the default mix."),
    workers: int = typer.Option(2, help="Parallel synthesis jobs (TTS runs as subprocesses)."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Build (or resume) a training set and a dev set. Re-running the same command skips what is done.

    A rebuild on another day draws another dev set (the sources change), so pin one with --dev-set
    to compare checkpoints, or to evaluate one on passages it never saw.

    Example: seal data build --out artifacts/train-data --per-source 2500 --dev-set OLD/dev/dev-set.jsonl
    """
    from training.data.build import BuildConfig, Builder
    from training.data.sources import SourceMissing

    config = BuildConfig(out=str(out), sources=source, per_source=per_source, questions_per_passage=questions,
                         read_fraction=read_fraction, dev_per_source=dev_per_source, dev_queries=dev_queries,
                         augment_strength=augment, seed=seed, dev_set=str(dev_set) if dev_set else None,
                         corpus=_corpus_counts(corpus), transforms=transforms)
    try:
        builder = Builder(config, log=lambda m: console.print(m, highlight=False))
        items = builder.prepare()
    except (SourceMissing, ValueError) as exc:
        fail(str(exc))
    _synthesize(builder, items, workers, json_out)


@data_app.command("extend")
def data_extend(
    out: Path = typer.Option(..., "--out", help="A folder made by `seal data build`."),
    source: list[str] = typer.Option([], "--source", help="Source to grow (repeatable); one of the build's own sources."),
    per_source: int = typer.Option(0, help="Training passages each named source should have in all (not how many to add)."),
    corpus: list[str] = typer.Option([], "--corpus", help="General English, NAME=N (repeatable): corpus NAME grows to N "
                                     "sentences in all (see `seal data build --help`)."),
    faq: bool = typer.Option(False, "--faq", help="Add the training FAQs (R, git, FFmpeg, curl): answers as passages, "
                             "headings and rewrites as spoken questions. Perl's and SQLite's are the dev set, never added."),
    questions: int = typer.Option(1, help="Spoken questions per new passage."),
    read_fraction: float = typer.Option(0.5, help="Share of new passages whose summary is also read aloud: the cheapest way to new words."),
    workers: int = typer.Option(2, help="Parallel synthesis jobs (TTS runs as subprocesses)."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Grow a build's training set with passages it has not used yet, keeping its dev set and every
    utterance already made; the build's voices and augmentation apply.

    Use it when the speech tower meets words it never heard in training (`seal eval` counts them as
    "questions with a word piece the CTC head cannot emit"). Re-running the same command resumes it;
    the stages then cache the new utterances' encoder states and train on all of them.

    Example: seal data extend --out artifacts/train-data --source wordnet --source gcide --per-source 5500
    """
    from training.data.build import Builder, Extension, load_build_config
    from training.data.sources import SourceMissing

    info_path = out / "build.json"
    if not info_path.is_file():
        fail(f"{info_path} not found: `seal data extend` grows a finished build; make one first with `seal data build --out {out}`")
    if not source and not corpus and not faq:
        fail("name what to grow: --source NAME --per-source N (passages and questions), --corpus NAME=N (sentences) "
             "and/or --faq (the training FAQs)")
    if source and per_source <= 0:
        fail("--source needs --per-source N: how many training passages each named source should have in all")
    try:
        builder = Builder(load_build_config(out), log=lambda m: console.print(m, highlight=False))
        items = builder.extend(Extension(list(source), per_source, questions, read_fraction, _corpus_counts(corpus), faq))
    except (SourceMissing, ValueError) as exc:
        fail(str(exc))
    _synthesize(builder, items, workers, json_out)


def _corpus_counts(pairs: list[str]) -> dict[str, int]:
    """["fortunes=5000", ...] -> {"fortunes": 5000}, with an error that shows the expected form."""
    counts = {}
    for pair in pairs:
        name, sep, number = pair.partition("=")
        if not sep or not number.strip().isdigit():
            fail(f"--corpus {pair!r}: write NAME=N, e.g. --corpus wordnet-examples=20000")
        counts[name.strip()] = int(number)
    return counts


@data_app.command("faq-dev")
def data_faq_dev(
    out: Path = typer.Option(..., "--out", help="Folder for kb.jsonl, queries.jsonl (for `seal eval`) and build.json."),
    pin: Path | None = typer.Option(None, "--pin", help="The pinned ids (default: training/devsets/faq-dev.jsonl)."),
    repin: bool = typer.Option(False, "--repin", help="First draw a new pin from what is installed and write it to --pin."),
    seed: int = typer.Option(0, help="With --repin: seed for drawing the distractor passages."),
    per_source: int = typer.Option(1000, help="With --repin: distractor passages from each of WordNet, GCIDE, man pages."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """The human-written dev set: Perl's and SQLite's FAQ headings as questions, their answers as the
    relevant passages, over all six FAQs' answers plus distractors (docs/training.md).

    The pin holds ids only; the text comes from the installed packages (perl-doc sqlite3-doc r-doc-html
    git-doc ffmpeg-doc libcurl4-doc; wordnet-base dict-gcide and man pages for the distractors).

    Example: seal data faq-dev --out artifacts/faq-dev && seal eval --kb artifacts/faq-dev/kb.jsonl
    --queries artifacts/faq-dev/queries.jsonl --voice festival:ked_diphone --voice espeak:en-gb-scotland+m4
    """
    from training.data.faq_devset import DEFAULT_PIN, build_faq_dev, make_pin, write_pin
    from training.data.sources import SourceMissing

    pin = pin or DEFAULT_PIN
    log = lambda m: console.print(m, highlight=False)  # noqa: E731
    try:
        if repin:
            write_pin(make_pin(seed=seed, per_source=per_source, log=log), pin)
        summary = build_faq_dev(out, pin, log=log)
    except (SourceMissing, FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    if json_out:
        print_json(summary)
        return
    console.print(f"{summary['kb']} passages ({', '.join(f'{k} {v}' for k, v in summary['answers'].items())} answers; "
                  f"distractors {', '.join(f'{k} {v}' for k, v in summary['distractors'].items())}), "
                  f"{summary['queries']} questions -> {out}/kb.jsonl, {out}/queries.jsonl", highlight=False)
    for key, what in (("missing_answers", "pinned FAQ answers no longer found"),
                      ("unpinned_answers", "installed FAQ answers not in the pin (left out)")):
        if summary[key]:
            console.print(f"[yellow]{len(summary[key])} {what}:[/] {', '.join(summary[key][:10])}", highlight=False)
    for source, ids in summary["missing_distractors"].items():
        console.print(f"[yellow]{len(ids)} {source} distractors no longer found[/] (e.g. {', '.join(ids[:5])})", highlight=False)


def _synthesize(builder, items: list, workers: int, json_out: bool) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    todo = len(builder.pending(items))
    with Progress(TextColumn("synthesizing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console) as bar:
        task = bar.add_task("synth", total=todo)
        summary = builder.run(workers=workers, progress=lambda: bar.advance(task))
    if json_out:
        print_json(summary)
    else:
        out = summary["out"]
        console.print(f"{summary['synthesized']} utterances made, {summary['errors']} failed "
                      f"(see {out}/errors.jsonl); dev set: {out}/dev/kb.jsonl + {out}/dev/queries.jsonl", highlight=False)




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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from app.settings import get_settings
    from training.eval import EvalError, Evaluator, build_report, machine_meta, plot_report, read_queries

    names = [p.strip() for p in pipelines.split(",") if p.strip()]
    try:
        query_list = read_queries(queries)[:limit]
        methods = [m.strip() for m in fusion.split(",") if m.strip()] if fusion else None
        evaluator = Evaluator(get_settings(), names, collection=collection, checkpoint=checkpoint, fusion=methods)
    except (EvalError, FileNotFoundError) as exc:
        fail(str(exc))
    try:
        points = evaluator.ingest(kb, progress=not json_out)
        utterances = evaluator.utterances(query_list, voice)
        for skipped in evaluator.skipped:
            console.print(f"[yellow]skipped query {skipped['query']}:[/] {skipped['error']}", highlight=False)
        if not utterances:
            fail("no query could be turned into audio; see the messages above")
        evaluator.warm_up(utterances[0][2], utterances[0][0].text)
        with Progress(TextColumn("evaluating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=console, disable=json_out) as bar:
            task = bar.add_task("eval", total=len(utterances))
            outcomes = evaluator.run(utterances, progress=lambda: bar.advance(task))
    except EvalError as exc:
        fail(str(exc))
    finally:
        evaluator.close()
    s = evaluator.settings
    meta = machine_meta() | {
        "kb": str(kb), "passages": sum(1 for line in kb.read_text(encoding="utf-8").splitlines() if line.strip()),
        "points": points, "queries": str(queries), "voices": list(dict.fromkeys(u[1] for u in utterances)),
        "checkpoint": s.checkpoint or "shipped default", "whisper_model": s.whisper_model, "text_model": s.text_model,
        "asr_compute_type": s.asr_compute_type, "device": s.resolved_device(),
        "seal_quantization": evaluator.seal_model.quantization,
        "seal_engine": evaluator.seal_model.engine.name,
        "fusion": {name: ranker.method for name, ranker in evaluator.fusions.items()},
        "skipped": evaluator.skipped,
        "ctc_unheard": unheard_summary(evaluator.seal_model, [q.text for q in query_list]),
    }
    report = build_report(outcomes, meta)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    with open(out.with_suffix(".queries.jsonl"), "w") as handle:
        for o in outcomes:
            handle.write(json.dumps(o.__dict__) + "\n")
    plot_report(report, out.with_suffix(".png"))
    if json_out:
        print_json(report)
        return
    print_eval_table(report)
    unheard = meta["ctc_unheard"]
    if unheard["questions"]:
        console.print(f"{unheard['questions']} of {unheard['of']} questions hold a word piece SEAL's CTC head cannot emit "
                      f"(e.g. {', '.join(unheard['examples'][:5])}): the speech side cannot hear those words; training "
                      "text that contains them widens its vocabulary (docs/training.md)", highlight=False)
    console.print(f"report: {out}, plot: {out.with_suffix('.png')}, per query: {out.with_suffix('.queries.jsonl')}", highlight=False)


def unheard_summary(model, texts: list[str]) -> dict:
    """How many questions turn on a word piece the checkpoint's CTC head cannot emit (SealModel.unheard_pieces)."""
    unheard = model.unheard_pieces(texts)
    examples = list(dict.fromkeys(piece for pieces in unheard for piece in pieces))
    return {"questions": sum(bool(p) for p in unheard), "of": len(texts), "pieces": sum(map(len, unheard)),
            "examples": examples[:20]}


def print_eval_table(report: dict) -> None:
    from rich.table import Table

    from training.eval import BREAKDOWNS

    meta = report["meta"]
    voices = meta["voices"]
    table = Table(title=f"{meta['passages']} passages, {len(voices)} voice(s): {', '.join(voices[:4])}{' ...' if len(voices) > 4 else ''}")
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
    app.add_typer(data_app, name="data")
    app.add_typer(train_app, name="train")
    app.command("eval")(eval_command)
