"""Which passages a data build uses: every source in the build's seeded order, split into dev
passages and the training passages after them; a pinned dev set (``PinnedDevSet``) keeps the same
dev passages and questions across builds (why: training/data/build.py's docstring)."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from training.data.build_config import BuildConfig
from training.data.jsonl import read_jsonl, write_jsonl
from training.data.passage import LabeledPassage
from training.data.sources import load_source

if TYPE_CHECKING:
    from training.data.build_plan import Item


def shuffled_sources(config: BuildConfig) -> dict[str, list[LabeledPassage]]:
    """Every source's passages in the build's fixed random order (``split_sources`` takes the dev
    passages out of it).

    One generator runs through the sources in order, so this is the only way to get any one
    source's order back; an extension goes through it to draw exactly the passages after those in use."""
    rng = random.Random(config.seed)
    shuffled = {}
    for name in config.sources:
        passages = list(load_source(name, apt_lists=Path(config.apt_lists) if config.apt_lists else None))
        rng.shuffle(passages)
        shuffled[name] = passages
    return shuffled


@dataclass
class PinnedDevSet:
    """A dev set kept across builds: per source, its passage ids in order, and the questions asked."""

    passage_ids: dict[str, list[str]]
    questions: dict[str, dict]  # passage id -> the Item record of its spoken question

    @classmethod
    def read(cls, path: str | Path) -> PinnedDevSet:
        path = Path(path)
        if not path.is_file():
            raise ValueError(f"dev set {path}: no such file; it is the dev/dev-set.jsonl an earlier `seal data build` wrote")
        ids: dict[str, list[str]] = {}
        questions = {}
        for number, record in enumerate(read_jsonl(path), 1):
            if not {"source", "passage_id"} <= record.keys():
                raise ValueError(f"{path}:{number}: a dev-set line needs \"source\" and \"passage_id\"")
            ids.setdefault(record["source"], []).append(record["passage_id"])
            if record.get("question"):
                questions[record["passage_id"]] = record["question"]
        return cls(ids, questions)

    @classmethod
    def of(cls, config: BuildConfig) -> PinnedDevSet | None:
        return cls.read(config.dev_set) if config.dev_set else None


def split_sources(config: BuildConfig, pinned: PinnedDevSet | None,
                  log=print) -> tuple[dict[str, list[LabeledPassage]], dict[str, list[LabeledPassage]]]:
    """Each source's dev passages, and its other passages in the order training draws them.

    Without a pinned dev set the dev passages are the first ``dev_per_source`` of the shuffle; with
    one they are its passages still in the source, and training draws from the shuffle without them,
    so on the day a dev set was made, pinning it changes nothing."""
    dev, train = {}, {}
    for name, passages in shuffled_sources(config).items():
        if pinned is None:
            dev[name], train[name] = passages[: config.dev_per_source], passages[config.dev_per_source :]
            continue
        wanted = pinned.passage_ids.get(name, [])
        by_id = {p.id: p for p in passages}
        dev[name] = [by_id[i] for i in wanted if i in by_id]
        if len(dev[name]) < len(wanted):
            log(f"{name}: {len(wanted) - len(dev[name])} of the dev set's {len(wanted)} passages are no longer in the source; "
                "their questions are left out")
        excluded = set(wanted)  # a passage dropped from the source today may come back: never train on it
        train[name] = [p for p in passages if p.id not in excluded]
    return dev, train


def select_passages(config: BuildConfig, pinned: PinnedDevSet | None,
                    log=print) -> tuple[list[LabeledPassage], dict[str, list[LabeledPassage]]]:
    """Training passages and each source's dev passages, disjoint, sampled with the config's seed."""
    dev_by_source, train_by_source = split_sources(config, pinned, log)
    train = []
    for name in config.sources:
        train += train_by_source[name][: config.per_source]
        log(f"{name}: {len(dev_by_source[name]) + len(train_by_source[name])} passages available, "
            f"{min(len(train_by_source[name]), config.per_source)} for training, {len(dev_by_source[name])} for dev")
    return train, dev_by_source



def write_dev_set(path: Path, dev_by_source: dict[str, list[LabeledPassage]], dev_items: list[Item]) -> None:
    """The dev set's identity, one line per dev passage: what a later build needs to pin it."""
    asked = {item.passage_id: asdict(item) for item in dev_items}
    write_jsonl(path, ({"source": name, "passage_id": p.id, "question": asked.get(p.id)}
                        for name, passages in dev_by_source.items() for p in passages))

