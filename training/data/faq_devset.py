"""The pinned dev set of human-written questions: Perl's and SQLite's FAQs over a mixed knowledge base.

Questions are the dev FAQs' own headings (people wrote them; no template), the relevant passage of
each is its answer, and the knowledge base holds every answer of all six FAQs (training/data/faqs.py)
plus distractor passages drawn from the training sources (WordNet, GCIDE, manual pages). The split
is by document: nothing of Perl's or SQLite's FAQ is ever trained on (``faqs.DEV_FAQS``).

The pin (``training/devsets/faq-dev.jsonl``) holds only ids and our own metadata, never the FAQs' or
the sources' text: the text is rebuilt from the installed packages (``seal data faq-dev --out DIR``),
and what an installed version no longer has is reported and left out. One record per line:

- ``{"kind": "meta", ...}``: when and from what it was drawn (package versions, seed, counts);
- ``{"kind": "answer", "id", "faq", "split": "dev"|"train", "form"}``: a KB answer; the dev ones are
  also asked (query id ``q-<id>``, its heading spoken, relevant ``[id]``);
- ``{"kind": "distractor", "id", "source"}``: a passage of a training source.
"""

from __future__ import annotations

import datetime
import json
import random
import subprocess
from collections.abc import Callable
from pathlib import Path

from training.data.faqs import DEV_FAQS, FAQ_PACKAGES, FAQS, TRAIN_FAQS, FaqEntry, load_faqs
from training.data.sources import APT_PACKAGES, SourceMissing, load_source

DEFAULT_PIN = Path(__file__).resolve().parents[1] / "devsets" / "faq-dev.jsonl"
DISTRACTOR_SOURCES = ("wordnet", "gcide", "man")
DISTRACTORS_PER_SOURCE = 1000

Log = Callable[[str], None]


def _package_versions(packages: list[str]) -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for package in packages:
        result = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True)
        versions[package] = (result.stdout.strip() or None) if result.returncode == 0 else None
    return versions


def draw_distractors(sources: tuple[str, ...] | list[str] = DISTRACTOR_SOURCES, per_source: int = DISTRACTORS_PER_SOURCE,
                     seed: int = 0, log: Log = print, apt_lists: Path | None = None) -> list[dict]:
    """``per_source`` passage ids of each source, a seeded sample of its sorted ids (so the choice does
    not depend on the order the source yields them in). A missing source is named and skipped.
    ``apt_lists``: our own copy of apt's lists, for a ``debian`` source (``sources.load_source``)."""
    records = []
    for source in sources:
        try:
            ids = sorted({p.id for p in load_source(source, apt_lists=apt_lists)})
        except SourceMissing as exc:
            log(f"distractor source {source} is not installed, none drawn from it: {exc}")
            continue
        chosen = sorted(random.Random(f"faq-dev:{seed}:{source}").sample(ids, min(per_source, len(ids))))
        records += [{"kind": "distractor", "id": pid, "source": source} for pid in chosen]
        if len(chosen) < per_source:
            log(f"distractor source {source} has only {len(chosen)} passages (asked for {per_source})")
    return records


def make_pin(seed: int = 0, per_source: int = DISTRACTORS_PER_SOURCE,
             sources: tuple[str, ...] | list[str] = DISTRACTOR_SOURCES, log: Log = print,
             apt_lists: Path | None = None) -> list[dict]:
    """A new pin from what is installed now: all six FAQs (every one must be), distractors as drawn."""
    entries = list(load_faqs(FAQS))
    distractors = draw_distractors(sources, per_source, seed, log, apt_lists)
    counts = {faq: sum(e.faq == faq for e in entries) for faq in FAQS}
    meta = {
        "kind": "meta", "made": datetime.date.today().isoformat(), "dev_faqs": list(DEV_FAQS),
        "train_faqs": list(TRAIN_FAQS), "answers": counts, "queries": sum(counts[f] for f in DEV_FAQS),
        "seed": seed, "distractor_sources": list(sources), "per_source": per_source,
        "distractors": {s: sum(d["source"] == s for d in distractors) for s in sources},
        "packages": _package_versions([FAQ_PACKAGES[f] for f in FAQS] + ["wordnet-base", "dict-gcide", "man-db"]),
    }
    answers = [{"kind": "answer", "id": e.id, "faq": e.faq, "split": "dev" if e.faq in DEV_FAQS else "train",
                "form": e.form} for e in entries]
    return [meta] + answers + distractors


def write_pin(records: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")


def read_pin(path: Path) -> list[dict]:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such pin file (the project's is {DEFAULT_PIN}; "
                                "`seal data faq-dev --repin` draws a new one)")
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("kind") not in {"meta", "answer", "distractor"} or (record["kind"] != "meta" and "id" not in record):
            raise ValueError(f"{path} line {number}: not a FAQ dev-set pin record: {line[:120]}")
        records.append(record)
    return records


def query_id(entry_id: str) -> str:
    return f"q-{entry_id}"


def build_faq_dev(out: Path, pin: Path = DEFAULT_PIN, log: Log = print, apt_lists: Path | None = None) -> dict:
    """Write ``out/kb.jsonl`` and ``out/queries.jsonl`` (the formats ``seal eval --kb --queries`` reads, docs/architecture.md)
    from the pin and the installed packages, and ``out/build.json`` with what was found and what not.

    Raises FaqMissing (naming the apt packages) when an FAQ is not installed at all; entries and
    distractors an installed version no longer has are listed and left out. ``apt_lists``: our own
    copy of apt's lists, for distractors drawn from ``debian`` (``sources.load_source``).
    """
    records = read_pin(pin)
    meta = next((r for r in records if r["kind"] == "meta"), {})
    answers = [r for r in records if r["kind"] == "answer"]
    leaked = [r["id"] for r in answers if r["split"] == "train" and r["faq"] in DEV_FAQS]
    if leaked:
        raise ValueError(f"{pin}: dev FAQ answers marked for training: {leaked[:5]}")
    installed: dict[str, FaqEntry] = {e.id: e for e in load_faqs(sorted({r["faq"] for r in answers}, key=FAQS.index))}
    missing_answers = [r["id"] for r in answers if r["id"] not in installed]
    pinned = {r["id"] for r in answers}
    unpinned = sorted(i for i in installed if i not in pinned)

    wanted: dict[str, list[str]] = {}
    for r in records:
        if r["kind"] == "distractor":
            wanted.setdefault(r["source"], []).append(r["id"])
    found: dict[str, dict] = {}
    missing_sources: dict[str, str] = {}
    for source, ids in wanted.items():
        left = set(ids)
        try:
            for passage in load_source(source, apt_lists=apt_lists):
                if passage.id in left:
                    found[passage.id] = passage.to_kb()
                    left.discard(passage.id)
                    if not left:
                        break
        except SourceMissing as exc:
            missing_sources[source] = str(exc)
            log(f"distractor source {source} is not installed: its {len(ids)} pinned passages are left out "
                f"({APT_PACKAGES.get(source, exc)})")
    missing_distractors = {s: [i for i in ids if i not in found] for s, ids in wanted.items()}

    out.mkdir(parents=True, exist_ok=True)
    kb_count = query_count = 0
    with open(out / "kb.jsonl", "w", encoding="utf-8") as kb:
        for r in answers:
            if r["id"] in installed:
                kb.write(json.dumps(installed[r["id"]].to_kb()) + "\n")
                kb_count += 1
        for source, ids in wanted.items():
            for pid in ids:
                if pid in found:
                    kb.write(json.dumps(found[pid]) + "\n")
                    kb_count += 1
    with open(out / "queries.jsonl", "w", encoding="utf-8") as queries:
        for r in answers:
            entry = installed.get(r["id"])
            if r["split"] == "dev" and entry is not None:
                queries.write(json.dumps({"id": query_id(entry.id), "text": entry.question, "relevant": [entry.id],
                                          "faq": entry.faq, "form": entry.form}) + "\n")
                query_count += 1
    summary = {
        "out": str(out), "pin": str(pin), "pin_made": meta.get("made"), "kb": kb_count, "queries": query_count,
        "answers": {f: sum(r["faq"] == f and r["id"] in installed for r in answers) for f in FAQS},
        "distractors": {s: len(ids) - len(missing_distractors[s]) for s, ids in wanted.items()},
        "missing_answers": missing_answers, "missing_distractors": {s: m for s, m in missing_distractors.items() if m},
        "missing_sources": missing_sources, "unpinned_answers": unpinned,
        "packages": _package_versions([FAQ_PACKAGES[f] for f in FAQS]),
    }
    (out / "build.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def faq_dev_questions(pin: Path = DEFAULT_PIN) -> list[str]:
    """The text of the pinned dev questions, read from the installed Perl and SQLite FAQs.

    The pin holds no text, so a guard that keeps training sentences off every evaluation question
    (data build's pinned_dev_question_files reads texts from the files) must take these from here.
    Raises FaqMissing (naming the package) when a dev FAQ is not installed.
    """
    dev_ids = {r["id"] for r in read_pin(pin) if r["kind"] == "answer" and r["split"] == "dev"}
    return [e.question for e in load_faqs(DEV_FAQS) if e.id in dev_ids]
