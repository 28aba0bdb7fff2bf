"""`seal data ...`: making training data (passages from installed text sources, spoken questions, synthesized speech)."""

from __future__ import annotations

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


def _apt_lists() -> Path:
    """Our own copy of apt's lists (`seal data fetch-debian`): a plain `apt-get update` elsewhere on the
    machine (without Acquire::Languages=en) deletes the Translation-en files from /var/lib/apt/lists."""
    from app.settings import get_settings

    return get_settings().data_dir / "apt-lists"


@data_app.command("sources")
def data_sources(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Which text sources are installed, how many passages each gives, and what to install if not."""
    from training.data.sources import APT_PACKAGES, SOURCES, SourceMissing, load_source

    rows = []
    for name in SOURCES:
        try:
            count = sum(1 for _ in load_source(name, apt_lists=_apt_lists()))
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
        target = fetch_debian_lists(_apt_lists())
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
                         corpus=_corpus_counts(corpus), transforms=transforms, apt_lists=str(_apt_lists()))
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
        builder = Builder(load_build_config(out, apt_lists=_apt_lists()), log=lambda m: console.print(m, highlight=False))
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
            write_pin(make_pin(seed=seed, per_source=per_source, log=log, apt_lists=_apt_lists()), pin)
        summary = build_faq_dev(out, pin, log=log, apt_lists=_apt_lists())
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


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
