"""`seal eval`: a tiny KB and real spoken queries through the seal, asr and text pipelines -> report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from speech import have

KB = [
    {"id": "wget", "text": "wget: a command-line tool that downloads files from web servers over HTTP and FTP."},
    {"id": "gimp", "text": "GIMP: an image editor for retouching photographs and drawing pictures."},
    {"id": "tea", "text": "Green tea is a drink made by pouring hot water over dried tea leaves."},
]
QUERIES = [
    {"id": "q1", "text": "How do I download files from a web server?", "relevant": ["wget"]},
    {"id": "q2", "text": "How is green tea made?", "relevant": ["tea"]},
]


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.mark.skipif(not have("espeak"), reason="espeak-ng is not installed")
def test_eval_reports_accuracy_and_latency_per_pipeline(tmp_path: Path) -> None:
    kb, queries = _write(tmp_path / "kb.jsonl", KB), _write(tmp_path / "q.jsonl", QUERIES)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["eval", "--kb", str(kb), "--queries", str(queries), "--voice", "espeak:en-us",
                                      "--voice", "flite:kal", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    for name in ("seal", "asr", "text"):
        m = report[name]
        assert m["n"] == 4  # 2 queries x 2 voices
        assert 0 <= m["top1"] <= m["top3"] <= m["top10"] <= 1 and 0 <= m["mrr"] <= 1
        assert 0 < m["p50_ms"] <= m["p95_ms"]
    assert report["text"]["top1"] == 1.0  # the oracle reads the true question
    assert report["asr"]["top3"] >= 0.75  # clean TTS, three passages: Whisper gets these
    assert set(report["by_voice"]) == {"espeak:en-us", "flite:kal"}
    assert set(report["by_family"]) == {"formant (espeak-ng)", "diphone (flite)"}  # how each voice is made
    assert report["by_family"]["diphone (flite)"]["seal"]["n"] == 2
    assert "Top-1 per voice family" in result.output
    assert report["meta"]["passages"] == 3
    unheard = report["meta"]["ctc_unheard"]  # the shipped head's vocabulary vs these questions' pieces
    assert unheard["of"] == 2 and 0 <= unheard["questions"] <= 2 and len(unheard["examples"]) <= unheard["pieces"]
    assert out.with_suffix(".png").stat().st_size > 1000
    lines = out.with_suffix(".queries.jsonl").read_text().splitlines()
    assert len(lines) == 12 and json.loads(lines[0])["pipeline"] == "seal"
    assert "Top-1" in result.output


@pytest.mark.skipif(not have("espeak"), reason="espeak-ng is not installed")
def test_fused_runs_both_pipelines_and_waits_for_asr(tmp_path: Path) -> None:
    from training.eval import BREAKDOWNS

    kb, queries = _write(tmp_path / "kb.jsonl", KB), _write(tmp_path / "q.jsonl", QUERIES)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["eval", "--kb", str(kb), "--queries", str(queries), "--pipelines", "fused,text",
                                      "--fusion", "zsum,rrf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert [k for k in report if k not in BREAKDOWNS] == ["seal", "asr", "fused-zsum", "fused-rrf", "text"]
    for name in ("fused-zsum", "fused-rrf"):
        assert report[name]["n"] == 2 and 0 <= report[name]["top1"] <= report[name]["top3"] <= 1
        assert report[name]["p50_ms"] >= report["asr"]["p50_ms"]  # it needs ASR's hits
    assert report["meta"]["fusion"] == {"fused-zsum": "zsum", "fused-rrf": "rrf"}
    assert "waits for ASR" in " ".join(result.output.split())
    bad = CliRunner().invoke(app, ["eval", "--kb", str(kb), "--queries", str(queries), "--pipelines", "fused",
                                   "--fusion", "max", "--out", str(out)])
    assert bad.exit_code == 1 and "unknown fusion method 'max'" in " ".join(bad.output.split())


def test_bad_queries_file_is_named_in_one_clear_error(tmp_path: Path) -> None:
    kb = _write(tmp_path / "kb.jsonl", KB)
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": "q1", "text": "hello"}\n')
    result = CliRunner().invoke(app, ["eval", "--kb", str(kb), "--queries", str(queries), "--out", str(tmp_path / "r.json")])
    message = " ".join(result.output.split())  # rich wraps long lines
    assert result.exit_code == 1
    assert "line 1" in message and "relevant" in message


def test_unknown_pipeline_is_refused(tmp_path: Path) -> None:
    kb, queries = _write(tmp_path / "kb.jsonl", KB), _write(tmp_path / "q.jsonl", QUERIES)
    result = CliRunner().invoke(app, ["eval", "--kb", str(kb), "--queries", str(queries), "--pipelines", "seal,nope",
                                      "--out", str(tmp_path / "r.json")])
    assert result.exit_code == 1 and "nope" in " ".join(result.output.split())


def test_card_records_the_dev_eval_where_the_server_reads_it(tmp_path: Path) -> None:
    from models.seal import SealConfig
    from training.card import record_dev_eval

    (tmp_path / "config.json").write_text(json.dumps({"whisper_model": "tiny.en", "notes": {"stage": "stage2"}}))
    report = {"seal": {"top1": 0.04, "top3": 0.08, "n": 300}, "asr": {"top1": 0.19, "top3": 0.23, "n": 300},
              "by_voice": {}, "meta": {"passages": 2000, "created": "now"}}
    record_dev_eval(tmp_path, report)
    config = SealConfig.from_dict(json.loads((tmp_path / "config.json").read_text()))
    assert config.notes["stage"] == "stage2"  # the rest of the notes survive
    assert config.notes["dev_eval"]["seal"] == {"top1": 0.04, "top3": 0.08, "n": 300}
    assert config.notes["dev_eval"]["passages"] == 2000
    # the rule the server's answer_from "auto" follows: behind when SEAL's Top-1 is below ASR's
    assert config.behind_asr is True
    assert SealConfig(notes={"dev_eval": {"seal": {"top1": 0.3}, "asr": {"top1": 0.2}}}).behind_asr is False
    assert SealConfig().behind_asr is False  # no record: trust the checkpoint


def _report(seal: float, asr: float, families: dict[str, tuple[float, float]]) -> dict:
    row = lambda top1: {"top1": top1, "top3": top1, "top10": top1, "mrr": top1, "n": 10, "p50_ms": 5, "p95_ms": 9}  # noqa: E731
    return {"seal": row(seal), "asr": row(asr), "text": row(0.9),
            "by_family": {f: {"seal": row(s), "asr": row(a)} for f, (s, a) in families.items()},
            "meta": {"passages": 40, "queries": "q.jsonl", "voices": ["espeak:en-us"], "created": "now"}}


def test_card_shows_every_dev_set_and_the_gap_per_voice_family(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# SEAL checkpoint\n\n## Dev evaluation\nold\n\n## Known limits\n- x\n")
    (tmp_path / "config.json").write_text(json.dumps({"whisper_model": "tiny.en"}))
    everyday = _report(0.5, 0.6, {"espeak": (0.6, 0.5), "flite": (0.4, 0.7)})
    faq = _report(0.2, 0.3, {"festival": (0.2, 0.3)})
    result = CliRunner().invoke(app, ["train", "card", str(tmp_path), "--eval", f"everyday={_json(tmp_path, 'e', everyday)}",
                                      "--eval", f"faq={_json(tmp_path, 'f', faq)}", "--main", "faq"])
    assert result.exit_code == 0, result.output
    card = (tmp_path / "README.md").read_text()
    assert "old" not in card and "## Known limits" in card  # the section is replaced, the rest kept
    assert "| everyday | seal | 0.500 |" in card and "| faq | asr | 0.300 |" in card
    assert "| everyday | flite | 0.400 | 0.700 | -0.300 | 10 |" in card  # the family where SEAL trails most
    notes = json.loads((tmp_path / "config.json").read_text())["notes"]["dev_eval"]
    assert notes["dev_set"] == "faq" and notes["seal"]["top1"] == 0.2  # the server reads the human-written set


def test_card_says_which_serving_setting_its_figures_were_measured_with(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# SEAL checkpoint\n\n## Dev evaluation\nold\n")
    (tmp_path / "config.json").write_text(json.dumps({"whisper_model": "tiny.en", "ctc_blank_penalty": 2.0}))
    result = CliRunner().invoke(app, ["train", "card", str(tmp_path), "--eval", f"everyday={_json(tmp_path, 'e', _report(0.5, 0.6, {}))}"])
    assert result.exit_code == 0, result.output
    assert "Served with a CTC blank penalty of 2" in (tmp_path / "README.md").read_text()


def test_card_refuses_a_main_dev_set_it_was_not_given(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# SEAL checkpoint\n")
    result = CliRunner().invoke(app, ["train", "card", str(tmp_path), "--eval", f"everyday={_json(tmp_path, 'e', _report(0.5, 0.6, {}))}",
                                      "--main", "faq"])
    assert result.exit_code != 0 and "--main 'faq'" in " ".join(result.output.split())


def _json(folder: Path, name: str, report: dict) -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(report))
    return path
