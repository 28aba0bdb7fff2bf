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
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import soundfile as sf

from training.data.augment import augment
from training.data.corpus import DevGuard, corpus_sentences, dev_questions
from training.data.passage import LabeledPassage
from training.data.questions import _speakable, questions_for
from training.data.sources import load_source
from training.data.transforms import transform
from training.data.voices import Prosody, dev_voices, is_reserved, speak, train_voices

from models.audio import SAMPLE_RATE
MAX_SECONDS = 30.0
DEVSETS_DIR = Path(__file__).resolve().parents[1] / "devsets"
PINNED_TEMPLATE_DEV_SET = Path(__file__).resolve().parents[1] / "dev-set.jsonl"


def pinned_dev_question_files() -> list[Path]:
    """Every evaluation question file the project pins: no training sentence may repeat one of them."""
    return sorted(DEVSETS_DIR.glob("*.jsonl")) + ([PINNED_TEMPLATE_DEV_SET] if PINNED_TEMPLATE_DEV_SET.is_file() else [])


def dev_question_guard() -> DevGuard:
    """The guard over every pinned dev question: the files' texts, and the FAQ dev set's headings (its pin
    holds ids only; the questions are read from the installed Perl and SQLite FAQs, when they are)."""
    from training.data.faqs import DEV_FAQS, load_faqs
    from training.data.sources import SourceMissing

    questions = dev_questions(pinned_dev_question_files())
    try:
        questions += [entry.question for entry in load_faqs(DEV_FAQS)]
    except SourceMissing:
        pass  # not installed: nothing of theirs can be drawn into training either
    return DevGuard(questions)


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

    def check(self) -> None:
        reserved = [v for v in self.voices + self.dev_voices if is_reserved(v)]
        if reserved:
            raise ValueError(f"voices {reserved} are reserved for independent evaluation; never train or tune on them")
        overlap = set(self.voices) & set(self.dev_voices)
        if overlap:
            raise ValueError(f"voices {sorted(overlap)} are in both training and dev; the dev set must use unseen voices")


@dataclass
class Item:
    id: str
    kind: str  # "query" (question -> passage), "read" (the passage's summary read aloud) or "sentence" (general English)
    text: str
    passage_id: str
    label: str
    source: str
    voice: str
    rate: float
    pitch: float
    augment_seed: int
    split: str = "train"


def _item_id(*parts: str) -> str:
    return hashlib.sha1("\x00".join(parts).encode()).hexdigest()[:16]


def load_build_config(out: Path) -> BuildConfig:
    """The settings a build folder was made with (its ``build.json``, extensions aside)."""
    settings = json.loads((out / "build.json").read_text())
    settings.pop("extensions", None)
    return BuildConfig(**(settings | {"out": str(out)}))


def _write_jsonl(path: Path, records: Iterable[dict], mode: str = "w") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, mode, encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def shuffled_sources(config: BuildConfig) -> dict[str, list[LabeledPassage]]:
    """Every source's passages in the build's fixed random order (``split_sources`` takes the dev
    passages out of it).

    One generator runs through the sources in order, so this is the only way to get any one
    source's order back; an extension goes through it to draw exactly the passages after those in use."""
    rng = random.Random(config.seed)
    shuffled = {}
    for name in config.sources:
        passages = list(load_source(name))
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


ENGINE_WEIGHTS = {"espeak": 0.6, "flite": 0.25, "festival": 0.15}


def pick_voice(voices: list[str], rng: random.Random) -> str:
    """Engine first, then a voice of it: espeak has a hundred voices, festival one, and each engine's
    prosody differs more than its voices do, so every engine gets a fixed share of the utterances."""
    by_engine: dict[str, list[str]] = {}
    for voice in voices:
        by_engine.setdefault(voice.partition(":")[0], []).append(voice)
    engines = sorted(by_engine)
    engine = rng.choices(engines, weights=[ENGINE_WEIGHTS.get(e, 0.2) for e in engines])[0]
    return rng.choice(by_engine[engine])


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


def _add_item(items: list[Item], rng: random.Random, kind: str, text: str, p: LabeledPassage, voice: str, split: str) -> None:
    prosody = Prosody.random(rng)
    items.append(Item(_item_id(kind, p.id, text, voice), kind, text, p.id, p.label, p.source, voice,
                      prosody.rate, prosody.pitch, rng.getrandbits(31), split))


def training_items(passages: list[LabeledPassage], questions: int, read_fraction: float, voices: list[str],
                   rng: random.Random) -> list[Item]:
    items: list[Item] = []
    for p in passages:
        for question in questions_for(p, questions, rng):
            _add_item(items, rng, "query", question, p, pick_voice(voices, rng), "train")
        if rng.random() < read_fraction and _speakable(p.summary):
            _add_item(items, rng, "read", _speakable(p.summary), p, pick_voice(voices, rng), "train")
    return items


def sentence_items(corpus: dict[str, int], voices: list[str], seed: int, known: set[str] = frozenset(),
                   log=print) -> list[Item]:
    """Training items that speak general English (``corpus``: name -> how many sentences), each sentence
    once across corpora and never one that repeats an evaluation question (``DevGuard``)."""
    guard = dev_question_guard()
    taken = {text.lower() for text in known}
    items: list[Item] = []
    for name, count in corpus.items():
        rng = random.Random(f"{seed}:sentences:{name}")
        sentences = corpus_sentences(name, count, seed, guard, taken)
        for text in sentences:
            prosody = Prosody.random(rng)
            voice = pick_voice(voices, rng)
            items.append(Item(_item_id("sentence", name, text, voice), "sentence", text, "", "", name, voice,
                              prosody.rate, prosody.pitch, rng.getrandbits(31), "train"))
        log(f"{name}: {len(sentences)} sentences")
    return items


def make_plan(config: BuildConfig, train: list[LabeledPassage], dev: list[LabeledPassage], pinned: PinnedDevSet | None = None,
              log=print) -> list[Item]:
    rng = random.Random(config.seed + 1)
    items = training_items(train, config.questions_per_passage, config.read_fraction, config.voices, rng)
    items += sentence_items(config.corpus, config.voices, config.seed, log=log)
    if pinned is not None:
        kept = {p.id for p in dev}
        asked = [Item(**record) for pid, record in pinned.questions.items() if pid in kept]
        trained_voices = sorted({item.voice for item in asked} & set(config.voices))
        if trained_voices:
            raise ValueError(f"dev set {config.dev_set} asks its questions in {trained_voices}, which this build trains on; "
                             "drop those voices from training (--voice) or make a new dev set")
        return items + asked
    asked = dev if config.dev_queries is None else random.Random(config.seed + 2).sample(dev, min(config.dev_queries, len(dev)))
    for p in asked:
        for question in questions_for(p, 1, rng):
            _add_item(items, rng, "query", question, p, pick_voice(config.dev_voices, rng), "dev")
    return items


def write_dev_set(path: Path, dev_by_source: dict[str, list[LabeledPassage]], dev_items: list[Item]) -> None:
    """The dev set's identity, one line per dev passage: what a later build needs to pin it."""
    asked = {item.passage_id: asdict(item) for item in dev_items}
    _write_jsonl(path, ({"source": name, "passage_id": p.id, "question": asked.get(p.id)}
                        for name, passages in dev_by_source.items() for p in passages))


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
        settings = asdict(self.config) | {"out": None}
        if info_path.is_file() and plan_path.is_file():
            if asdict(load_build_config(self.out)) | {"out": None} != settings:
                raise ValueError(f"{self.out} was built with other settings (see build.json); use a new --out, or delete that folder to build it afresh")
            return [Item(**record) for record in read_jsonl(plan_path)]
        pinned = PinnedDevSet.of(self.config)
        train, dev_by_source = select_passages(self.config, pinned, self.log)
        dev = [p for name in self.config.sources for p in dev_by_source[name]]
        items = make_plan(self.config, train, dev, pinned, self.log)
        _write_jsonl(self.out / "passages.jsonl", (p.to_dict() for p in train))
        _write_jsonl(self.out / "dev" / "kb.jsonl", (p.to_kb() for p in dev))
        _write_jsonl(self.out / "dev" / "passages.jsonl", (p.to_dict() for p in dev))
        _write_jsonl(plan_path, (asdict(item) for item in items))
        write_dev_set(self.out / "dev" / "dev-set.jsonl", dev_by_source, [i for i in items if i.split == "dev"])
        info_path.write_text(json.dumps(settings, indent=2))
        return items

    def extend(self, extension: Extension) -> list[Item]:
        """Grow the training set (see ``Extension``) and return the whole plan; ``run`` then
        synthesizes what is new. Growing to a size already reached adds nothing, so re-running an
        interrupted extension resumes it."""
        items = self.prepare()
        if extension.corpus:
            items = self._extend_corpus(items, extension.corpus)
        if extension.faq:
            items = self._extend_faq(items)
        if not extension.sources:
            return items
        info_path = self.out / "build.json"
        info = json.loads(info_path.read_text())
        unknown = [name for name in extension.sources if name not in self.config.sources]
        if unknown:
            raise ValueError(f"{unknown} not among this build's sources {self.config.sources}: an extension draws past the "
                             "passages a build already uses; for a new source make a new build (`seal data build --out NEW`)")
        in_use = {name: self.config.per_source for name in self.config.sources}
        for past in info.get("extensions", []):
            for name in past.get("sources", []):  # corpus extensions name no source
                in_use[name] = max(in_use[name], past["per_source"])
        grow = [name for name in extension.sources if extension.per_source > in_use[name]]
        if not grow:
            self.log(f"{', '.join(extension.sources)} already have {extension.per_source} or more training passages each; nothing to add")
            return items
        _, shuffled = split_sources(self.config, PinnedDevSet.of(self.config), log=lambda m: None)
        known_items = {item.id for item in items}
        known_passages = {record["id"] for record in read_jsonl(self.out / "passages.jsonl")}
        passages, new_items = [], []
        for name in grow:
            drawn = shuffled[name][in_use[name] : extension.per_source]
            rng = random.Random(f"{self.config.seed}:{name}:{in_use[name]}")  # the same draw on every re-run
            passages += [p for p in drawn if p.id not in known_passages]
            made = training_items(drawn, extension.questions_per_passage, extension.read_fraction, self.config.voices, rng)
            new_items += [item for item in made if item.id not in known_items]
            self.log(f"{name}: {len(drawn)} more training passages ({in_use[name]} -> {in_use[name] + len(drawn)}), "
                     f"{len(made)} utterances")
        # passages and plan first, build.json last: a crash in between leaves nothing that a re-run would duplicate
        _write_jsonl(self.out / "passages.jsonl", (p.to_dict() for p in passages), mode="a")
        _write_jsonl(self.out / "plan.jsonl", (asdict(item) for item in new_items), mode="a")
        info["extensions"] = info.get("extensions", []) + [asdict(extension) | {"sources": grow, "corpus": {}}]
        info_path.write_text(json.dumps(info, indent=2))
        return items + new_items

    def _extend_corpus(self, items: list[Item], corpus: dict[str, int]) -> list[Item]:
        """More general-English sentences: each named corpus grows to the count given (a re-run adds nothing)."""
        have: dict[str, int] = {}
        for item in items:
            if item.kind == "sentence":
                have[item.source] = have.get(item.source, 0) + 1
        need = {name: count - have.get(name, 0) for name, count in corpus.items() if count > have.get(name, 0)}
        if not need:
            self.log("every corpus named already has that many sentences; nothing to add")
            return items
        known = {item.text for item in items}
        new_items = sentence_items(need, self.config.voices, self.config.seed + len(items), known, self.log)
        _write_jsonl(self.out / "plan.jsonl", (asdict(item) for item in new_items), mode="a")
        info_path = self.out / "build.json"
        info = json.loads(info_path.read_text())
        info["extensions"] = info.get("extensions", []) + [{"corpus": corpus}]
        info_path.write_text(json.dumps(info, indent=2))
        return items + new_items

    def _extend_faq(self, items: list[Item]) -> list[Item]:
        """The training FAQs (R, git, FFmpeg, curl; never the dev set's Perl and SQLite): their answers
        become passages, their headings and rule-made rewrites spoken questions about them."""
        from training.data.faqs import faq_passages, faq_training_pairs

        passages = faq_passages()
        by_id = {p.id: p for p in passages}
        known_passages = {record["id"] for record in read_jsonl(self.out / "passages.jsonl")}
        known_items = {item.id for item in items}
        new_items: list[Item] = []
        for pair in faq_training_pairs(seed=self.config.seed):
            rng = random.Random(f"{self.config.seed}:faq:{pair.question}")  # the same voice on every re-run
            before = len(new_items)
            _add_item(new_items, rng, "query", pair.question, by_id[pair.passage_id], pick_voice(self.config.voices, rng), "train")
            if new_items[before].id in known_items:
                new_items.pop()
        fresh = [p for p in passages if p.id not in known_passages]
        if not new_items and not fresh:
            self.log("the training FAQs are in this build already; nothing to add")
            return items
        _write_jsonl(self.out / "passages.jsonl", (p.to_dict() for p in fresh), mode="a")
        _write_jsonl(self.out / "plan.jsonl", (asdict(item) for item in new_items), mode="a")
        info_path = self.out / "build.json"
        info = json.loads(info_path.read_text())
        info["extensions"] = info.get("extensions", []) + [{"faq": True, "passages": len(fresh), "questions": len(new_items)}]
        info_path.write_text(json.dumps(info, indent=2))
        self.log(f"training FAQs: {len(fresh)} answers as passages, {len(new_items)} spoken questions")
        return items + new_items

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
        _write_jsonl(self.out / "dev" / "queries.jsonl", (
            {"id": r["id"], "text": r["text"], "relevant": [r["passage_id"]], "audio": str(Path("..") / r["audio"]),
             "voice": r["voice"], "source": r["source"]}
            for r in records
        ))


def _as_completed(futures):
    from concurrent.futures import as_completed

    return as_completed(futures)
