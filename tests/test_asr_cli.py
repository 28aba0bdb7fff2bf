"""`seal asr`: both backends give the same transcript on a clip from another synthesizer (flite),
other sample rates and stereo are converted, bad files get one clear error line and exit 1."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from app.cli import app
from models.audio import write_wav
from speech import have, synthesize

runner = CliRunner()
QUESTION = "Where can I find the configuration file for the web server?"


@pytest.fixture(scope="module")
def kal_wav(tmp_path_factory):
    if not have("flite"):
        pytest.skip("flite is not installed")
    path = tmp_path_factory.mktemp("asr") / "kal.wav"
    write_wav(path, synthesize(QUESTION, "flite:kal"))
    return path


def transcript(*args: str) -> str:
    result = runner.invoke(app, ["asr", *args])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_both_backends_agree_on_a_flite_clip(kal_wav):
    fast = transcript(str(kal_wav), "--backend", "faster-whisper")
    converted = transcript(str(kal_wav), "--backend", "transformers")
    assert fast == converted
    assert "configuration file" in fast.lower()


def test_stereo_44k_is_downmixed_and_resampled(kal_wav, tmp_path):
    import json

    import soxr

    mono, rate = sf.read(kal_wav, dtype="float32")
    stereo = np.stack([mono, mono], axis=1)
    path = tmp_path / "stereo44k.wav"
    sf.write(path, soxr.resample(stereo, rate, 44_100), 44_100)
    result = runner.invoke(app, ["asr", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "configuration file" in data["text"].lower()
    assert data["backend"] == "faster-whisper"
    assert abs(data["seconds"] - len(mono) / rate) < 0.01


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: None, "no such file"),
        (lambda p: p.write_text("this is not audio"), "not a readable audio file"),
        (lambda p: sf.write(p, np.zeros(0, dtype=np.float32), 16_000), "empty"),
        (lambda p: sf.write(p, np.zeros(16_000 * 31, dtype=np.float32), 16_000), "longer than"),
    ],
    ids=["missing", "unreadable", "empty", "too-long"],
)
def test_bad_audio_is_one_clear_line(tmp_path, make, message):
    path = tmp_path / "bad.wav"
    make(path)
    result = runner.invoke(app, ["asr", str(path)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and str(path) in lines[0]


def test_unknown_backend_is_refused(kal_wav):
    result = runner.invoke(app, ["asr", str(kal_wav), "--backend", "vosk"])
    assert result.exit_code == 1
    assert "unknown backend" in result.stderr
