"""`seal bench latency`: a tiny real run (2 spoken queries, 1k passages) writes JSON, markdown and a PNG
with every step of both pipelines; bad input gets a clear error. No timing is asserted."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from app.cli import app
from training.bench.queries import bucket_of, load_query_texts, speech_bounds

runner = CliRunner()


@pytest.mark.parametrize("order", ["blocks", "interleaved"])
def test_tiny_latency_run_writes_json_markdown_and_chart(tmp_path, order):
    out = tmp_path / "bench"
    result = runner.invoke(app, ["bench", "latency", "--n", "2", "--passages", "1000", "--repeats", "1", "--order", order, "--gap-ms", "50", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "latency.json").read_text())
    assert data["settings"]["order"] == order and order in " ".join(data["notes"]) and data["settings"]["gap_ms"] == 50
    assert len(data["queries"]) == 2
    for row in data["queries"]:
        assert row["vad"]["segments"] >= 1 and row["vad"]["hangover_ms"] > 0
        for step in ("features", "encoder", "adapter", "search", "total", "end_to_end"):
            assert row["seal"][step] > 0, step
        for step in ("decode", "embed", "search", "total", "end_to_end"):
            assert row["asr"][step] > 0, step
        assert row["transcript"]  # the ASR pipeline really heard something
        felt = row["felt"]  # real end of speech -> final hits, what the user waits for
        assert felt["end_of_turn"] == pytest.approx(row["seal"]["vad"])
        assert felt["seal"] == pytest.approx(row["seal"]["end_to_end"]) and felt["asr"] == pytest.approx(row["asr"]["end_to_end"])
        assert felt["fused"] >= max(felt["seal"], felt["asr"])  # the fused ranking waits for both
        assert felt["end_of_turn"] <= felt["seal_live"] <= felt["seal"] + 1000
        live = row["live"]  # every built-in question ends with a pause the VAD sees before the end of turn
        assert live["searches"] >= 1 and (live["reused"] or not live["ready_before_end"])
    summary = data["summary"]["all"]
    assert summary["n"] == 2 and summary["ratio_p50"] > 0
    assert {row["bucket"] for row in data["queries"]} <= set(data["summary"])
    assert data["search_scale"]["1000"]["seal"]["n"] == 2 and data["search_scale"]["1000"]["text"]["p50"] > 0
    assert data["machine"]["cores"] and "load_average" in data["machine"]
    markdown = (out / "latency.md").read_text()
    assert "| SEAL |" in markdown and "| ASR |" in markdown and "1,000" in markdown
    assert "What the user waits for" in markdown and "ready at end of turn" in markdown
    assert 0 <= summary["live"]["ready_before_end_share"] <= summary["live"]["reused_share"] <= 1
    assert (out / "latency.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_arguments_say_what_to_give(tmp_path):
    missing = runner.invoke(app, ["bench", "latency", "--queries", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 1 and "no such file" in missing.output
    sizes = runner.invoke(app, ["bench", "latency", "--passages", "ten"])
    assert sizes.exit_code == 1 and "comma-separated whole numbers" in sizes.output
    order = runner.invoke(app, ["bench", "latency", "--order", "sideways", "--passages", "1000"])
    assert order.exit_code == 1 and "unknown order 'sideways'" in order.output
    broken = tmp_path / "q.jsonl"
    broken.write_text('{"id": "a", "text": "hello"}\n{not json}\n')
    with pytest.raises(ValueError, match="line 2"):
        load_query_texts(broken, None)


def test_small_n_spreads_over_the_length_buckets():
    texts = [r["text"] for r in load_query_texts(None, 3)]
    lengths = [len(t.split()) for t in texts]
    assert lengths[0] < lengths[1] < lengths[2]


def test_speech_bounds_find_the_loud_part():
    audio = np.zeros(16_000 * 3, dtype=np.float32)
    audio[16_000 : 16_000 * 2] = 0.3 * np.sin(np.arange(16_000) * 0.2)
    start, end = speech_bounds(audio)
    assert abs(start - 1.0) <= 0.01 and abs(end - 2.0) <= 0.01
    assert [bucket_of(s) for s in (0.5, 2, 4, 8, 20)] == ["<1 s", "1-3 s", "3-6 s", "6-12 s", ">12 s"]
