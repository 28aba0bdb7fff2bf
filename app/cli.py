"""The ``seal`` command: one entry point, a subcommand per job.

Each group of subcommands lives in ``app/commands/`` beside the part of the system it drives.
"""

from __future__ import annotations

import typer

from app.commands import bench as bench_cmds
from app.commands import models as models_cmds
from app.commands import retrieval as retrieval_cmds
from app.commands import server as server_cmds
from app.commands import training as training_cmds

app = typer.Typer(
    name="seal",
    help=(
        "SEAL voice RAG: ask a knowledge base out loud. Speech is embedded straight from audio into the "
        "passages' embedding space (no transcription on the critical path); an ASR + text pipeline runs "
        "beside it for comparison.\n\n"
        "First steps: `seal ingest docs/` to fill a knowledge base, `seal search --audio question.wav` "
        "to query it, `seal serve` for the browser assistant. Settings come from SEAL_* environment "
        "variables or seal.toml; see README.md."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

@app.callback()
def root() -> None:
    """Keeps `seal` a group of subcommands."""


for module in (models_cmds, retrieval_cmds, server_cmds, training_cmds, bench_cmds):
    module.register(app)


@app.command("config")
def show_config(json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """Show the settings in force (from SEAL_* variables, .env, seal.toml/seal.yaml, defaults).

    Secrets (the API token, the LLM and Qdrant keys) show as ********** when set, never in clear."""
    from app.commands.common import console, print_json
    from app.settings import get_settings

    values = get_settings().model_dump(mode="json")
    if json_out:
        print_json(values)
        return
    for key, value in values.items():
        console.print(f"[bold]{key}[/]: {value}", highlight=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
