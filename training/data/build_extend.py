"""Growing a finished data build (``Extension``): more training passages from its sources, more
general English sentences, the training FAQs. The dev set and every utterance already made stay as
they are, and each step adds nothing when re-run, so an interrupted extension resumes."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from training.data.build_config import BuildConfig
from training.data.build_passages import PinnedDevSet, split_sources
from training.data.build_plan import Item, add_item, pick_voice, sentence_items, training_items
from training.data.jsonl import read_jsonl, write_jsonl

Log = Callable[[str], None]


@dataclass
class Extension:
    """More training passages for a finished build: each source grows to ``per_source`` training
    passages, drawn after the ones in use, so the dev set and every utterance made stay as they are."""

    sources: list[str]
    per_source: int
    questions_per_passage: int = 1
    read_fraction: float = 0.5
    corpus: dict[str, int] = field(default_factory=dict)  # general English: corpus -> sentences it should have in all
    faq: bool = False  # the training FAQs' questions (headings and rewrites) and answers (training/data/faqs.py)


def extend_sources(out: Path, config: BuildConfig, items: list[Item], extension: Extension, log: Log) -> list[Item]:
    """Each of ``extension.sources`` grows to ``extension.per_source`` training passages, drawn after the
    ones in use; returns the whole plan."""
    info_path = out / "build.json"
    info = json.loads(info_path.read_text())
    unknown = [name for name in extension.sources if name not in config.sources]
    if unknown:
        raise ValueError(f"{unknown} not among this build's sources {config.sources}: an extension draws past the "
                         "passages a build already uses; for a new source make a new build (`seal data build --out NEW`)")
    in_use = {name: config.per_source for name in config.sources}
    for past in info.get("extensions", []):
        for name in past.get("sources", []):  # corpus extensions name no source
            in_use[name] = max(in_use[name], past["per_source"])
    grow = [name for name in extension.sources if extension.per_source > in_use[name]]
    if not grow:
        log(f"{', '.join(extension.sources)} already have {extension.per_source} or more training passages each; nothing to add")
        return items
    _, shuffled = split_sources(config, PinnedDevSet.of(config), log=lambda m: None)
    known_items = {item.id for item in items}
    known_passages = {record["id"] for record in read_jsonl(out / "passages.jsonl")}
    passages, new_items = [], []
    for name in grow:
        drawn = shuffled[name][in_use[name] : extension.per_source]
        rng = random.Random(f"{config.seed}:{name}:{in_use[name]}")  # the same draw on every re-run
        passages += [p for p in drawn if p.id not in known_passages]
        made = training_items(drawn, extension.questions_per_passage, extension.read_fraction, config.voices, rng)
        new_items += [item for item in made if item.id not in known_items]
        log(f"{name}: {len(drawn)} more training passages ({in_use[name]} -> {in_use[name] + len(drawn)}), "
            f"{len(made)} utterances")
    # passages and plan first, build.json last: a crash in between leaves nothing that a re-run would duplicate
    write_jsonl(out / "passages.jsonl", (p.to_dict() for p in passages), mode="a")
    write_jsonl(out / "plan.jsonl", (asdict(item) for item in new_items), mode="a")
    info["extensions"] = info.get("extensions", []) + [asdict(extension) | {"sources": grow, "corpus": {}}]
    info_path.write_text(json.dumps(info, indent=2))
    return items + new_items


def extend_corpus(out: Path, config: BuildConfig, items: list[Item], corpus: dict[str, int], log: Log) -> list[Item]:
    """More general-English sentences: each named corpus grows to the count given (a re-run adds nothing)."""
    have: dict[str, int] = {}
    for item in items:
        if item.kind == "sentence":
            have[item.source] = have.get(item.source, 0) + 1
    need = {name: count - have.get(name, 0) for name, count in corpus.items() if count > have.get(name, 0)}
    if not need:
        log("every corpus named already has that many sentences; nothing to add")
        return items
    known = {item.text for item in items}
    new_items = sentence_items(need, config.voices, config.seed + len(items), known, log)
    write_jsonl(out / "plan.jsonl", (asdict(item) for item in new_items), mode="a")
    info_path = out / "build.json"
    info = json.loads(info_path.read_text())
    info["extensions"] = info.get("extensions", []) + [{"corpus": corpus}]
    info_path.write_text(json.dumps(info, indent=2))
    return items + new_items


def extend_faq(out: Path, config: BuildConfig, items: list[Item], log: Log) -> list[Item]:
    """The training FAQs (R, git, FFmpeg, curl; never the dev set's Perl and SQLite): their answers
    become passages, their headings and rule-made rewrites spoken questions about them."""
    from training.data.faqs import faq_passages, faq_training_pairs

    passages = faq_passages()
    by_id = {p.id: p for p in passages}
    known_passages = {record["id"] for record in read_jsonl(out / "passages.jsonl")}
    known_items = {item.id for item in items}
    new_items: list[Item] = []
    for pair in faq_training_pairs(seed=config.seed):
        rng = random.Random(f"{config.seed}:faq:{pair.question}")  # the same voice on every re-run
        before = len(new_items)
        add_item(new_items, rng, "query", pair.question, by_id[pair.passage_id], pick_voice(config.voices, rng), "train")
        if new_items[before].id in known_items:
            new_items.pop()
    fresh = [p for p in passages if p.id not in known_passages]
    if not new_items and not fresh:
        log("the training FAQs are in this build already; nothing to add")
        return items
    write_jsonl(out / "passages.jsonl", (p.to_dict() for p in fresh), mode="a")
    write_jsonl(out / "plan.jsonl", (asdict(item) for item in new_items), mode="a")
    info_path = out / "build.json"
    info = json.loads(info_path.read_text())
    info["extensions"] = info.get("extensions", []) + [{"faq": True, "passages": len(fresh), "questions": len(new_items)}]
    info_path.write_text(json.dumps(info, indent=2))
    log(f"training FAQs: {len(fresh)} answers as passages, {len(new_items)} spoken questions")
    return items + new_items
