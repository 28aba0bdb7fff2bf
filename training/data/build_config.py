"""A data build's settings (``BuildConfig``) and what of them its ``build.json`` records."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from training.data.voices import dev_voices, is_reserved, train_voices


@dataclass
class BuildConfig:
    out: str
    sources: list[str] = field(default_factory=lambda: ["debian", "wordnet", "gcide", "man"])
    per_source: int = 2000  # training passages drawn from each source
    questions_per_passage: int = 2
    read_fraction: float = 0.3  # share of passages whose summary is also read aloud (stage 1 pairs)
    dev_per_source: int = 50  # dev knowledge-base passages per source (never trained on)
    dev_queries: int | None = None  # how many of them get a spoken question (default: all)
    augment_strength: float = 1.0
    seed: int = 0
    voices: list[str] = field(default_factory=train_voices)
    dev_voices: list[str] = field(default_factory=dev_voices)
    dev_set: str | None = None  # an earlier build's dev/dev-set.jsonl: reuse its dev set as it is
    # general English sentences to speak (kind "sentence", no passage): corpus name -> how many
    # (training/data/corpus.py); never one that repeats an evaluation question
    corpus: dict[str, int] = field(default_factory=dict)
    # new speakers and channels (training/data/transforms.py) on training utterances: 0 = off
    transforms: float = 0.0
    # our own copy of apt's lists for the debian source (sources.fetch_debian_lists); None: the system's only.
    # Where the lists live is no setting of the build: build.json leaves it out, like ``out``.
    apt_lists: str | None = None

    def check(self) -> None:
        reserved = [v for v in self.voices + self.dev_voices if is_reserved(v)]
        if reserved:
            raise ValueError(f"voices {reserved} are reserved for independent evaluation; never train or tune on them")
        overlap = set(self.voices) & set(self.dev_voices)
        if overlap:
            raise ValueError(f"voices {sorted(overlap)} are in both training and dev; the dev set must use unseen voices")


def build_settings(config: BuildConfig) -> dict:
    """What ``build.json`` records: every setting but where the build and apt's lists are (``out``,
    ``apt_lists``), so a folder moved, or read with the lists elsewhere, is still the same build."""
    return {k: v for k, v in asdict(config).items() if k != "apt_lists"} | {"out": None}


def load_build_config(out: Path, apt_lists: str | Path | None = None) -> BuildConfig:
    """The settings a build folder was made with (its ``build.json``, extensions aside); ``apt_lists``
    as for ``BuildConfig`` (build.json does not hold it)."""
    settings = json.loads((out / "build.json").read_text())
    settings.pop("extensions", None)
    return BuildConfig(**(settings | {"out": str(out), "apt_lists": str(apt_lists) if apt_lists else None}))
