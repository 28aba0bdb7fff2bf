"""`seal bench store`: a tiny synthetic collection on each embedded engine gives fill, open and search
figures for both named vectors; the synthetic KB writer and bad arguments. No timing is asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from retrieval.store import StoreConfig
from training.bench.store import run_store_bench

runner = CliRunner()


def test_seal_bench_store_measures_a_synthetic_collection(tmp_path: Path) -> None:
    result = runner.invoke(app, ["bench", "store", "--points", "2100", "--queries", "5", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{"):])
    assert report["points"] == 2100 and report["queries"] == 5 and report["k"] == 5 and report["fill_s"] >= 0
    for name in ("seal", "text"):
        assert 0 < report[name]["p50_ms"] <= report[name]["p95_ms"]


@pytest.mark.parametrize("engine", ["local", "edge"])
def test_each_embedded_engine_reports_its_mode(tmp_path: Path, engine: str) -> None:
    report = run_store_bench(StoreConfig(data_dir=tmp_path, store_engine=engine), points=300, queries=3)
    assert report["mode"] == {"local": "embedded", "edge": "edge"}[engine] and report["points"] == 300
    assert ("optimize_s" in report) == (engine == "edge")
    assert report["seal"]["mean_ms"] > 0 and report["text"]["mean_ms"] > 0


def test_write_kb_and_bad_arguments(tmp_path: Path) -> None:
    kb = tmp_path / "kb.jsonl"
    result = runner.invoke(app, ["bench", "store", "--write-kb", str(kb), "--points", "12"])
    assert result.exit_code == 0, result.output
    passages = [json.loads(line) for line in kb.read_text().splitlines()]
    assert len(passages) == 12 and len({p["id"] for p in passages}) == 12 and all(p["text"] for p in passages)
    neither = runner.invoke(app, ["bench", "store"])
    assert neither.exit_code == 1 and "--points N or --collection NAME" in neither.output
    with pytest.raises(ValueError, match="--points N or --collection NAME"):
        run_store_bench(StoreConfig(data_dir=tmp_path), points=10, collection="demo")
