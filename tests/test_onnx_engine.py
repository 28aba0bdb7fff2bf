"""SEAL_ENGINE=onnx: the shipped checkpoint's speech path and the text tower on onnxruntime give the
PyTorch fp32 model's vectors, graphs are exported once per checkpoint, and what the graphs cannot
take (tiny clips) still embeds. Real weights, real synthesized speech."""

from __future__ import annotations

import numpy as np
import pytest

from speech import have, synthesize

pytestmark = pytest.mark.skipif(not have("espeak"), reason="espeak-ng is not installed")


@pytest.fixture(scope="module")
def clips():
    return [
        synthesize("How do I mount a USB disk?", "espeak:en-us"),
        synthesize("Which package converts images between formats on the command line?", "espeak:en-gb"),
    ]


def _models(session_data_dir, engine: str):
    from app.settings import Settings
    from models import registry

    settings = Settings(data_dir=session_data_dir, device="cpu", engine=engine, quantize="none")
    return registry.get_seal_model(settings), registry.get_text_embedder(settings)


def test_onnx_speech_path_gives_the_pytorch_vectors(session_data_dir, clips):
    onnx_seal, _ = _models(session_data_dir, "onnx")
    torch_seal, _ = _models(session_data_dir, "torch")
    assert onnx_seal.engine.name == "onnx" and torch_seal.engine.name == "torch" and onnx_seal.trained
    fast, reference = onnx_seal.embed_audio(clips), torch_seal.embed_audio(clips)
    assert fast.shape == reference.shape == (2, 384)
    assert (fast * reference).sum(1).min() > 0.9999
    vector, timings = onnx_seal.embed_audio_timed(clips[0])
    np.testing.assert_allclose(vector, fast[0], atol=1e-6)
    assert set(timings) == {"features_ms", "encoder_ms", "adapter_ms"}


def test_onnx_text_tower_gives_the_pytorch_vectors_for_padded_batches(session_data_dir):
    _, onnx_text = _models(session_data_dir, "onnx")
    _, torch_text = _models(session_data_dir, "torch")
    assert onnx_text.inference_transformer is not None and torch_text.inference_transformer is None
    texts = ["mount", "How do I convert a PNG image to JPEG on the command line without losing quality?"]
    np.testing.assert_allclose(onnx_text.encode(texts), torch_text.encode(texts), atol=1e-5)


def test_clips_too_short_for_the_graph_take_the_pytorch_path(session_data_dir):
    onnx_seal, _ = _models(session_data_dir, "onnx")
    vectors = onnx_seal.embed_audio([np.zeros(1, dtype=np.float32), np.full(320, 0.01, dtype=np.float32)])
    assert vectors.shape == (2, 384) and np.isfinite(vectors).all()


def test_graphs_are_exported_once_and_reused(session_data_dir):
    from models.onnx_engine import OnnxSpeechPath

    onnx_seal, _ = _models(session_data_dir, "onnx")
    graphs = sorted((session_data_dir / "cache" / "onnx").glob("*/*.onnx"))
    assert {g.name for g in graphs} >= {"speech.onnx", "reader.onnx"}
    stamps = {g: g.stat().st_mtime_ns for g in graphs}
    OnnxSpeechPath(onnx_seal, session_data_dir / "cache" / "onnx")  # what a second process does
    assert {g: g.stat().st_mtime_ns for g in graphs} == stamps


def test_auto_engine_is_onnx_on_a_cpu_in_fp32_and_torch_elsewhere():
    from models.onnx_engine import resolve_engine

    assert resolve_engine("auto", "cpu", "float32") == "onnx"
    assert resolve_engine("auto", "cuda", "float16") == "torch"
    assert resolve_engine("auto", "cpu", "bfloat16") == "torch"
    assert resolve_engine("torch", "cpu", "float32") == "torch"
    with pytest.raises(ValueError, match="unknown engine 'tensorrt'"):
        resolve_engine("tensorrt", "cpu", "float32")


def test_onnx_engine_refuses_a_half_precision_model_with_a_clear_error(session_data_dir):
    from models.onnx_engine import OnnxSpeechPath, OnnxUnavailable
    from models.seal import SealModel

    with pytest.raises(OnnxUnavailable, match="fp32 on a CPU"):
        OnnxSpeechPath(SealModel.from_pretrained(None, dtype="bfloat16"), session_data_dir / "cache" / "onnx")


def test_a_failed_export_on_auto_serves_with_pytorch_and_says_why(session_data_dir, monkeypatch, caplog):
    from app.settings import Settings
    from models import onnx_engine, registry

    def broken(*args):
        raise RuntimeError("exporter broke")

    monkeypatch.setattr(onnx_engine, "OnnxEngine", broken)
    settings = Settings(data_dir=session_data_dir, device="cpu", engine="auto", quantize="none")
    registry.clear()
    model = registry.get_seal_model(settings)
    assert model.engine.name == "torch" and model.text.inference_transformer is None
    assert "stays on PyTorch" in caplog.text and "exporter broke" in caplog.text
    with pytest.raises(RuntimeError, match="exporter broke"):
        registry.get_seal_model(settings.model_copy(update={"engine": "onnx"}))
    registry.clear()


def test_a_fine_tuned_speech_reader_gets_its_own_graph(session_data_dir):
    import torch

    from models.onnx_engine import onnx_reader
    from models.seal import SealConfig, SealModel

    tuned = SealModel(SealConfig(train_reader_layers=1))
    with torch.no_grad():
        tuned.speech_reader.encoder.layer[5].output.dense.weight.mul_(1.5)
    trained = {k: v for k, v in tuned.trained_state_dict().items() if k.startswith("speech_reader.")}
    cache = session_data_dir / "cache" / "onnx"
    reader = onnx_reader(tuned.reader, "all-MiniLM-L6-v2", cache, trained)
    assert reader is not onnx_reader(tuned.text.encoder, "all-MiniLM-L6-v2", cache)
    embeds, mask = torch.randn(2, 7, 384) * 0.05, torch.ones(2, 7, dtype=torch.long)
    with torch.no_grad():
        expected = tuned.reader(inputs_embeds=embeds, attention_mask=mask).last_hidden_state
    np.testing.assert_allclose(reader(inputs_embeds=embeds, attention_mask=mask).last_hidden_state, expected, atol=1e-4)


def test_adapter_layers_and_ctc_priors_export_with_the_speech_graph(tmp_path, clips):
    """A checkpoint with transformer layers over the adapter and a learned CTC prior embeds the same on
    onnxruntime as in PyTorch (the graph carries both), and both start out changing nothing."""
    import torch

    from models.onnx_engine import OnnxEngine
    from models.seal import SealModel

    model = SealModel.from_pretrained(None)
    before = model.embed_audio(clips)
    model.add_adapter_layers(2)
    model.config.ctc_bias = True
    model.ctc_head.use_bias(1 + (model.ctc_head.vocab_ids.numel() or model.word_embeddings().shape[0]))
    np.testing.assert_allclose(model.embed_audio(clips), before, atol=1e-5)  # identity at first
    with torch.no_grad():  # as if trained
        for p in model.adapter_transformer.parameters():
            p.add_(0.02 * torch.randn_like(p))
        model.ctc_head.bias.add_(torch.randn_like(model.ctc_head.bias))
    reference = model.embed_audio(clips)
    assert (reference * before).sum(1).min() < 0.999  # the new parts do change the vectors
    model.use_engine(OnnxEngine(model, tmp_path))
    assert (model.embed_audio(clips) * reference).sum(1).min() > 0.9999


def test_int8_passages_stay_close_to_fp32_and_leave_queries_alone(session_data_dir):
    """SEAL_PASSAGE_PRECISION=int8: passages at ingestion run an int8 copy of the text transformer; typed
    queries (and every other vector) keep fp32."""
    from app.settings import Settings
    from models import registry

    base = Settings(data_dir=session_data_dir, device="cpu", engine="onnx", quantize="none")
    fp32_text, int8_text = (registry.get_text_embedder(base.model_copy(update={"passage_precision": p})) for p in ("fp32", "int8"))
    fp32_seal, int8_seal = (registry.get_seal_model(base.model_copy(update={"passage_precision": p})) for p in ("fp32", "int8"))
    passages = ["The library opens at nine on weekdays and at ten on Saturdays.", "Penguin fathers keep the egg warm."]
    np.testing.assert_allclose(int8_text.encode(passages), fp32_text.encode(passages), atol=1e-6)  # queries
    np.testing.assert_allclose(int8_seal.embed_text(passages), fp32_seal.embed_text(passages), atol=1e-6)
    exact = fp32_text.encode(passages, passages=True)
    quick = int8_text.encode(passages, passages=True)
    assert not np.allclose(quick, exact, atol=1e-4)  # the int8 graph did run
    assert (quick * exact).sum(1).min() > 0.98
    seal_quick, plain_quick = int8_seal.embed_text_and_plain(passages)
    assert (plain_quick * exact).sum(1).min() > 0.98 and (seal_quick * fp32_seal.embed_text(passages)).sum(1).min() > 0.98


def test_the_blank_penalty_setting_overrides_the_checkpoints_on_the_same_graphs(session_data_dir, clips):
    """SEAL_CTC_BLANK_PENALTY (a sweep with `seal eval`): the checkpoint's own value unless set; the
    penalty runs after the speech graph, so every value shares one exported graph."""
    from app.settings import Settings
    from models import registry

    base = Settings(data_dir=session_data_dir, device="cpu", engine="onnx", quantize="none")
    shipped = registry.get_seal_model(base)
    plain = registry.get_seal_model(base.model_copy(update={"ctc_blank_penalty": 0.0}))
    assert shipped.config.ctc_blank_penalty == 2.0 and plain.config.ctc_blank_penalty == 0.0
    assert shipped is not plain and shipped.engine.graph.path == plain.engine.graph.path  # one graph, exported once
    assert (shipped.embed_audio(clips) * plain.embed_audio(clips)).sum(1).min() < 0.9999  # it does change what is heard
