"""Spoken queries for the benchmarks: texts (built in or from a queries JSONL), spoken by TTS voices,
with where the speech really starts and ends in each clip (the reference the VAD is timed against)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from models.audio import SAMPLE_RATE, load_audio

# Questions written for the benchmark, grouped by how long espeak at its default rate takes to say them
# (1-3 s, 3-6 s, 6-12 s). Only their length matters here: the benchmark times, it does not score.
BUILTIN_QUERIES = [
    "When is my bin collected?",
    "Where is the library?",
    "How do I pay parking fines?",
    "Is the pool open today?",
    "Who fixes broken street lights?",
    "Can I recycle glass jars?",
    "What does a bus pass cost?",
    "How late is the clinic open?",
    "How do I renew the parking permit for my street in the north district?",
    "Which days does the council collect garden waste from homes south of the river?",
    "What documents do I need to register a newborn baby at the town hall?",
    "Can I bring old paint and batteries to the recycling centre on a Sunday?",
    "How long does it take to get a building permit for a small garden shed?",
    "Where can I report a pothole on the main road near the railway station?",
    "Is there a discount on swimming lessons for children from families on a low income?",
    "Who do I call when the water pressure in my flat drops in the evening?",
    "My neighbour has been burning rubbish in the back garden every weekend and the smoke comes into "
    "our kitchen, who should I complain to and what happens after I report it?",
    "I am moving house next month from the old town to a flat near the harbour, how do I change the "
    "address for my council tax and my parking permit at the same time?",
    "We would like to hold a small street party for the neighbourhood in the summer holidays, do we need "
    "a licence to close the road and how far ahead should we apply?",
    "The streetlight outside number twelve has been flickering for three weeks and now it is completely "
    "dark at night, which department repairs it and how quickly will they come?",
    "Our family wants to adopt a dog from the animal shelter, what are the opening hours for visits and "
    "which papers do we need to bring with us on the first day?",
    "After the storm last night a large tree fell across the footpath by the school gates, who clears it "
    "away and is it safe for the children to walk that way tomorrow morning?",
    "I run a small bakery and would like to put two tables and some chairs on the pavement outside the "
    "shop during the summer, what permit do I need and what does it cost?",
    "Can you tell me how the new household waste rules work for flats with shared bins, and what happens "
    "if somebody keeps putting the wrong things in the recycling?",
]

# One voice by default; espeak is the fastest engine and always installed. The evaluation-only speakers
# (flite slt/rms) are avoided out of habit, although timing does not learn anything from them.
DEFAULT_VOICES = ["espeak:en-us"]


@dataclass
class SpokenQuery:
    id: str
    text: str
    voice: str
    audio: np.ndarray = field(repr=False)  # float32 16 kHz, as synthesized (with the engine's own silences)
    speech_start_s: float  # first and last moment with speech energy in ``audio``
    speech_end_s: float

    @property
    def speech_s(self) -> float:
        return self.speech_end_s - self.speech_start_s


def load_query_texts(path: Path | None, n: int | None) -> list[dict]:
    """Query records ``{"id", "text", optional "audio"}``: from a queries JSONL (``seal eval``'s format), or built in.

    ``n`` cycles through the list (so ``--n 40`` asks each built-in question more than once, with the
    next voice) or cuts a long file short.
    """
    if path is None:
        base = [{"id": f"q{i:02d}", "text": text} for i, text in enumerate(BUILTIN_QUERIES)]
    else:
        base = _read_jsonl(path)
    if not base:
        raise ValueError(f"{path}: no queries (one JSON object per line with \"id\" and \"text\")")
    if n is None:
        return base
    if n < 1:
        raise ValueError("--n must be at least 1")
    # Spread a small n over the length buckets instead of taking only the shortest questions.
    order = _interleave(base) if path is None else base
    return [dict(order[i % len(order)], round=i // len(order)) for i in range(n)]


def _interleave(records: list[dict]) -> list[dict]:
    third = len(records) // 3
    groups = [records[:third], records[third : 2 * third], records[2 * third :]]
    out: list[dict] = []
    for i in range(max(len(g) for g in groups)):
        out.extend(g[i] for g in groups if i < len(g))
    return out


def jsonl_records(path: Path, error: type[Exception] = ValueError) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-blank line of a queries or KB JSONL file (``seal eval``'s and
    the benchmarks' format); a line that is not a JSON object raises ``error`` naming the file and line."""
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise error(f"{path} line {number}: not JSON ({getattr(exc, 'msg', exc)})") from None
        if not isinstance(record, dict):
            raise error(f"{path} line {number}: not a JSON object")
        yield number, record


def _read_jsonl(path: Path) -> list[dict]:
    records = []
    for number, record in jsonl_records(path):
        if not isinstance(record.get("text"), str):
            raise ValueError(f"{path} line {number}: a query needs a \"text\" string")
        record.setdefault("id", f"line{number}")
        if record.get("audio"):
            record["audio"] = str((Path(path).parent / record["audio"]).resolve())
        records.append(record)
    return records


def speak_queries(records: list[dict], voices: list[str], progress=None) -> list[SpokenQuery]:
    """Speak each record (round-robin over ``voices``), or load its given ``audio`` file."""
    from training.data.voices import speak

    spoken = []
    for i, record in enumerate(records):
        voice = voices[(i + record.get("round", 0)) % len(voices)]
        if record.get("audio"):
            audio, voice = load_audio(record["audio"]), "file"
        else:
            audio = speak(record["text"], voice)
        start, end = speech_bounds(audio)
        spoken.append(SpokenQuery(str(record["id"]), record["text"], voice, audio, start, end))
        if progress:
            progress()
    return spoken


def speech_bounds(audio: np.ndarray, floor_db: float = -40.0) -> tuple[float, float]:
    """First and last 10 ms window whose RMS is within ``floor_db`` of the loudest one, in seconds.

    This is the reference "end of speech": what a listener would call the end of the last word.
    """
    win = SAMPLE_RATE // 100
    n = audio.size // win
    if n == 0:
        return 0.0, audio.size / SAMPLE_RATE
    rms = np.sqrt(np.mean(audio[: n * win].reshape(n, win).astype(np.float64) ** 2, axis=1))
    loud = np.flatnonzero(rms >= rms.max() * 10 ** (floor_db / 20))
    return float(loud[0] * win / SAMPLE_RATE), float((loud[-1] + 1) * win / SAMPLE_RATE)


def bucket_of(seconds: float) -> str:
    """The utterance-length bucket the report groups by."""
    if seconds < 1:
        return "<1 s"
    if seconds < 3:
        return "1-3 s"
    if seconds < 6:
        return "3-6 s"
    if seconds <= 12:
        return "6-12 s"
    return ">12 s"


BUCKETS = ["<1 s", "1-3 s", "3-6 s", "6-12 s", ">12 s"]
