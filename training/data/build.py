"""Build a training set and a dev set: passages -> questions -> speech, cached with a manifest.

Layout of ``out``:
- ``build.json``: the settings it was built with (a re-run with other settings is refused), and the
  extensions grown onto it since (``Builder.extend``: more training passages, same dev set);
- ``passages.jsonl``: training passages (``LabeledPassage`` records, with class labels);
- ``plan.jsonl``: every utterance to make (text, voice, prosody, augmentation seed), fixed up front
  so a re-run makes exactly the same set;
- ``manifest.jsonl``: the utterances made so far (one line each, appended as they finish), which is
  what makes a run resumable: a re-run skips every id already in it;
- ``audio/``: FLAC files; ``errors.jsonl``: items that failed (the rest goes on);
- ``dev/kb.jsonl`` and ``dev/queries.jsonl``: the dev evaluation set (``seal eval``'s formats: docs/architecture.md), from
  passages and voices that training never sees;
- ``dev/dev-set.jsonl``: that dev set's identity (each dev passage's id, and the spoken question
  asked about it, if any). Pass it to a later build as ``dev_set`` to keep the same dev set.

Why pin a dev set: Debian's package lists change every few days (security and point updates), and
one seeded shuffle runs through all the sources, so a rebuild on another day draws *other* dev
passages from every source, some of which an older checkpoint was trained on. A pinned dev set
keeps the questions and excludes their passages from training whatever the sources hold that day.

The parts: the settings (``build_config.py``), which passages (``build_passages.py``: the seeded
order, the dev split, the pinned dev set), the plan of utterances (``build_plan.py``), growing a
finished build (``build_extend.py``); here the ``Builder`` that runs them and synthesizes the audio.
"""
from __future__ import annotations

import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

import soundfile as sf

from models.audio import SAMPLE_RATE
from training.data.augment import augment
from training.data.build_config import BuildConfig, build_settings, load_build_config
from training.data.build_extend import Extension, extend_corpus, extend_faq, extend_sources
from training.data.build_passages import PinnedDevSet, select_passages, shuffled_sources, split_sources, write_dev_set
from training.data.build_plan import (DEVSETS_DIR, ENGINE_WEIGHTS, PINNED_TEMPLATE_DEV_SET, Item, dev_question_guard,
                                      make_plan, pick_voice, pinned_dev_question_files, sentence_items, training_items)
from training.data.jsonl import read_jsonl, write_jsonl
from training.data.transforms import transform
from training.data.voices import Prosody, speak

# What other code imports from here (the build's public names, wherever they live now).
__all__ = ["DEVSETS_DIR", "ENGINE_WEIGHTS", "MAX_SECONDS", "PINNED_TEMPLATE_DEV_SET", "BuildConfig", "Builder",
           "Extension", "Item", "PinnedDevSet", "build_settings", "dev_question_guard", "load_build_config",
           "make_plan", "pick_voice", "pinned_dev_question_files", "read_jsonl", "select_passages",
           "sentence_items", "shuffled_sources", "split_sources", "training_items", "write_dev_set", "write_jsonl"]

MAX_SECONDS = 30.0


class Builder:
    """Runs a build: plan once, then synthesize what the manifest does not hold yet."""

    def __init__(self, config: BuildConfig, log=print) -> None:
        config.check()
        self.config, self.log = config, log
        self.out = Path(config.out)
        self._lock = threading.Lock()

    def prepare(self) -> list[Item]:
        self.out.mkdir(parents=True, exist_ok=True)
        info_path, plan_path = self.out / "build.json", self.out / "plan.jsonl"
        settings = build_settings(self.config)
        if info_path.is_file() and plan_path.is_file():
            if build_settings(load_build_config(self.out)) != settings:
                raise ValueError(f"{self.out} was built with other settings (see build.json); use a new --out, or delete that folder to build it afresh")
            return [Item(**record) for record in read_jsonl(plan_path)]
        pinned = PinnedDevSet.of(self.config)
        train, dev_by_source = select_passages(self.config, pinned, self.log)
        dev = [p for name in self.config.sources for p in dev_by_source[name]]
        items = make_plan(self.config, train, dev, pinned, self.log)
        write_jsonl(self.out / "passages.jsonl", (p.to_dict() for p in train))
        write_jsonl(self.out / "dev" / "kb.jsonl", (p.to_kb() for p in dev))
        write_jsonl(self.out / "dev" / "passages.jsonl", (p.to_dict() for p in dev))
        write_jsonl(plan_path, (asdict(item) for item in items))
        write_dev_set(self.out / "dev" / "dev-set.jsonl", dev_by_source, [i for i in items if i.split == "dev"])
        info_path.write_text(json.dumps(settings, indent=2))
        return items

    def extend(self, extension: Extension) -> list[Item]:
        """Grow the training set (see ``Extension``) and return the whole plan; ``run`` then
        synthesizes what is new. Growing to a size already reached adds nothing, so re-running an
        interrupted extension resumes it."""
        items = self.prepare()
        if extension.corpus:
            items = extend_corpus(self.out, self.config, items, extension.corpus, self.log)
        if extension.faq:
            items = extend_faq(self.out, self.config, items, self.log)
        if not extension.sources:
            return items
        return extend_sources(self.out, self.config, items, extension, self.log)

    def pending(self, items: list[Item]) -> list[Item]:
        done = {record["id"] for record in read_jsonl(self.out / "manifest.jsonl")}
        return [item for item in items if item.id not in done]

    def synthesize_one(self, item: Item) -> dict:
        rng = random.Random(item.augment_seed)
        audio = speak(item.text, item.voice, Prosody(item.rate, item.pitch))
        params: dict = {}
        if self.config.transforms > 0 and item.split == "train":
            # its own generator: the room and noise below stay what they were without transforms
            audio, params = transform(audio, random.Random(f"{item.augment_seed}:transform"), self.config.transforms)
        if self.config.augment_strength > 0:
            audio, room = augment(audio, rng, self.config.augment_strength)
            params |= room
        if len(audio) > MAX_SECONDS * SAMPLE_RATE:  # the speech encoder reads 30 s at most
            raise ValueError(f"{len(audio) / SAMPLE_RATE:.1f} s of speech is longer than the {MAX_SECONDS:.0f} s an utterance may last")
        rel = Path("audio") / item.split / item.id[:2] / f"{item.id}.flac"
        (self.out / rel).parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(self.out / rel), audio, SAMPLE_RATE, format="FLAC")
        return asdict(item) | {"audio": str(rel), "seconds": round(len(audio) / SAMPLE_RATE, 3), "augment": params}

    def run(self, workers: int = 2, progress=None) -> dict:
        items = self.prepare()
        # in id order (a hash): whatever part of a long build is done at any moment is a fair sample of
        # the whole plan, every source and corpus alike, so training can start on it before the end
        todo = sorted(self.pending(items), key=lambda item: item.id)
        self.log(f"{len(items)} utterances planned, {len(items) - len(todo)} already made, {len(todo)} to synthesize")
        errors = 0
        with open(self.out / "manifest.jsonl", "a", encoding="utf-8") as manifest, \
                open(self.out / "errors.jsonl", "a", encoding="utf-8") as error_log, \
                ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = {pool.submit(self.synthesize_one, item): item for item in todo}
            for future in _as_completed(futures):
                item = futures[future]
                try:
                    record = future.result()
                except Exception as exc:  # one bad utterance must not stop the build
                    errors += 1
                    error_log.write(json.dumps({"id": item.id, "voice": item.voice, "text": item.text, "error": str(exc)}) + "\n")
                    error_log.flush()
                else:
                    manifest.write(json.dumps(record, ensure_ascii=False) + "\n")
                    manifest.flush()
                if progress:
                    progress()
        self.write_dev_queries()
        return {"planned": len(items), "synthesized": len(todo) - errors, "errors": errors, "out": str(self.out)}

    def write_dev_queries(self) -> None:
        """dev/queries.jsonl in ``seal eval``'s queries format, audio paths relative to the dev folder."""
        records = [r for r in read_jsonl(self.out / "manifest.jsonl") if r["split"] == "dev"]
        records.sort(key=lambda r: r["id"])
        write_jsonl(self.out / "dev" / "queries.jsonl", (
            {"id": r["id"], "text": r["text"], "relevant": [r["passage_id"]], "audio": str(Path("..") / r["audio"]),
             "voice": r["voice"], "source": r["source"]}
            for r in records
        ))


def _as_completed(futures):
    from concurrent.futures import as_completed

    return as_completed(futures)