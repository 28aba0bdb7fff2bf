"""`seal data ...`, `seal train stage1|stage2`, `seal eval`: making training data, training, evaluating."""

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
    dev_per_source: int = typer.Option(50, help="Dev passages per source (disjoint from training, dev voices)."),
    augment: float = typer.Option(1.0, help="Augmentation strength: 0 = clean TTS, 1 = reverb/noise/level changes."),
    seed: int = typer.Option(0, help="Seed for sampling passages, questions, voices and augmentation."),
    workers: int = typer.Option(2, help="Parallel synthesis jobs (TTS runs as subprocesses)."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Build (or resume) a training set and a dev set. Re-running the same command skips what is done."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from training.data.build import BuildConfig, Builder
    from training.data.sources import SourceMissing

    config = BuildConfig(out=str(out), sources=source, per_source=per_source, questions_per_passage=questions,
                         read_fraction=read_fraction, dev_per_source=dev_per_source, augment_strength=augment, seed=seed)
    try:
        builder = Builder(config, log=lambda m: console.print(m, highlight=False))
        items = builder.prepare()
    except (SourceMissing, ValueError) as exc:
        fail(str(exc))
    todo = len(builder.pending(items))
    with Progress(TextColumn("synthesizing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console) as bar:
        task = bar.add_task("synth", total=todo)
        summary = builder.run(workers=workers, progress=lambda: bar.advance(task))
    if json_out:
        print_json(summary)
    else:
        console.print(f"{summary['synthesized']} utterances made, {summary['errors']} failed "
                      f"(see {out}/errors.jsonl); dev set: {out}/dev/kb.jsonl + {out}/dev/queries.jsonl", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
    app.add_typer(train_app, name="train")
