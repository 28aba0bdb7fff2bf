"""SEAL's work never queues behind the ASR baseline's on the server's worker pools."""

from __future__ import annotations

import asyncio
import threading

from app.resources import Resources
from app.settings import Settings


async def test_seal_runs_while_every_asr_worker_is_busy():
    res = Resources(Settings())
    release = threading.Event()
    try:
        # more blocked ASR jobs than any pool has threads
        asr_jobs = [asyncio.create_task(res.run_pipeline("asr", release.wait, 30)) for _ in range(6)]
        await asyncio.sleep(0.1)
        seal = await asyncio.wait_for(res.run_pipeline("seal", lambda: "hits"), timeout=10)
        assert seal == "hits"
        assert not any(job.done() for job in asr_jobs)
    finally:
        release.set()
        await asyncio.gather(*asr_jobs)
        res.close()
