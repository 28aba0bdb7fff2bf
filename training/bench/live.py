"""What the user waits for: from the real end of speech to the final hits, with and without live hits.

The server (app/session.py) starts a live SEAL search at each pause the VAD sees inside an utterance,
unless one is still running (one in flight per session, none queued) or the last one started less than
``live_interval_ms`` ago; when the turn ends and nothing was said after the last live search, its hits
are the final ones. This replays that on a clock of stream time: the pauses come from the server's own
``VadSegmenter`` fed in 20 ms frames (``vad_timing``), every live search is a real run of the server's
``SealPipeline`` on this machine, and it finishes at its pause's stream time plus its measured
wall time (the stream goes on at real time meanwhile, as a microphone does). What is simulated is only
the clock: in the server the live search runs beside the receive loop on another core.

Per question:
- ``end_of_turn``: real end of speech -> the VAD declares the turn over (hangover + processing);
- ``seal``: -> final SEAL hits without live hits (the end of turn + SEAL's run on the whole utterance);
- ``seal_live``: -> final SEAL hits with live hits: the end of turn, or later if the live search that
  heard everything was still running; if none did, SEAL runs then (after any live search still
  holding the CPU: a conservative choice on 2 cores);
- ``asr``, ``fused``: the end of turn + ASR's run (+ the fusion for fused, which needs both).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from training.bench.vad_timing import VadTiming


@dataclass
class LiveConfig:
    interval_ms: float = 300.0  # settings.live_interval_ms
    gap_ms: float = 500.0  # idle before each live search (the speech path sat idle while the person spoke)


@dataclass
class LiveOutcome:
    searches: int  # live searches started during the utterance
    reused: bool  # the final SEAL hits were a live search's
    ready_before_end: bool  # ... and it was done by the time the end of turn was declared
    final_s: float  # stream time of the final SEAL hits (seconds)
    busy_until_s: float  # when the last live search finished (stream seconds)


def replay_live(vad: VadTiming, end_s: float, seal_full_ms: float, search, config: LiveConfig) -> LiveOutcome:
    """Replay the live searches of one utterance; ``end_s``: stream time the end of turn is declared;
    ``seal_full_ms``: SEAL's measured run on the whole utterance; ``search(audio) -> total ms``."""
    busy_until, last_start, searches = float("-inf"), float("-inf"), 0
    heard_all_at: float | None = None
    for pause in vad.pauses:
        if pause.stream_s >= end_s:
            break
        if pause.stream_s < busy_until or (pause.stream_s - last_start) * 1000 < config.interval_ms:
            continue  # one in flight, or too soon: skipped, not queued
        time.sleep(config.gap_ms / 1000)
        took_ms = search(pause.audio)
        last_start, busy_until, searches = pause.stream_s, pause.stream_s + took_ms / 1000, searches + 1
        heard_all_at = busy_until if pause.voiced_end_ms == vad.voiced_end_ms else None
    if heard_all_at is not None:
        return LiveOutcome(searches, True, heard_all_at <= end_s, max(end_s, heard_all_at), busy_until)
    start = max(end_s, busy_until)
    return LiveOutcome(searches, False, False, start + seal_full_ms / 1000, busy_until)
