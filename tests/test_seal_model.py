"""SealModel: real Whisper tiny.en + MiniLM weights, real synthesized speech.

Pins what the rest of the system relies on: an untrained text side equals plain MiniLM, the speech
encoder on real frames is Whisper's encoder (identical at 30 s), batching with masks changes nothing,
checkpoints hold only the trained tensors and round-trip, gradients reach the adapters.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from speech import have, synthesize

pytestmark = pytest.mark.skipif(not have("espeak"), reason="espeak-ng is not installed")


@pytest.fixture(scope="module")
def model(session_data_dir):
    from models.seal import SealConfig, SealModel

    from app.settings import get_settings

    torch.set_num_threads(2)
    # Module fixtures run before the per-test env fixture: point the settings at the session cache here
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SEAL_DATA_DIR", str(session_data_dir))
        get_settings.cache_clear()
        model = SealModel(SealConfig())
    get_settings.cache_clear()
    return model


@pytest.fixture(scope="module")
def clips():
    return [
        synthesize("How do I mount a USB disk?", "espeak:en-us"),
        synthesize("Which package provides the command line tool for converting images between formats?", "espeak:en-us"),
    ]


def test_untrained_text_side_is_plain_minilm(model):
    from models.text_tower import TextEmbedder

    texts = ["How do I mount a USB disk?", "a passage about image conversion"]
    np.testing.assert_allclose(model.embed_text(texts), TextEmbedder().encode(texts), atol=1e-6)


def test_audio_vectors_are_unit_length_and_batching_changes_nothing(model, clips):
    batch = model.embed_audio(clips)
    assert batch.shape == (2, model.dim) == (2, 384) and batch.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    for i, clip in enumerate(clips):
        np.testing.assert_allclose(model.embed_audio([clip])[0], batch[i], atol=1e-5)


def test_real_frame_encoder_equals_whisper_encoder_on_a_full_window(model, clips):
    audio = np.zeros(16_000 * 30, dtype=np.float32)
    audio[: len(clips[1])] = clips[1]
    mel, lengths = model.speech_encoder.features([audio])
    assert mel.shape[-1] == 3000
    with torch.inference_mode():
        ours, mask = model.speech_encoder(mel, lengths)
        reference = model.speech_encoder.encoder(mel).last_hidden_state
    assert mask.all() and ours.shape == reference.shape == (1, 1500, 384)
    torch.testing.assert_close(ours, reference, atol=1e-4, rtol=1e-4)


def test_short_utterances_use_only_their_frames(model, clips):
    mel, lengths = model.speech_encoder.features([clips[0]])
    frames = len(clips[0]) // 160  # 10 ms hop, no padding to 3000
    assert mel.shape[-1] == int(lengths[0]) == frames < 500
    with torch.inference_mode():
        hidden, mask = model.encode_speech(mel, lengths)
        seq, seq_mask = model.adapt(hidden, mask)
    assert hidden.shape[1] == (frames + 1) // 2  # conv2's stride 2: 20 ms per position
    stride = model.config.conv_stride
    assert seq.shape == (1, -(-hidden.shape[1] // stride), model.dim)
    assert bool(seq_mask.all())


def test_timed_embedding_reports_stages(model, clips):
    vector, timings = model.embed_audio_timed(clips[0])
    assert set(timings) == {"features_ms", "encoder_ms", "adapter_ms"}
    assert all(v >= 0 for v in timings.values())
    np.testing.assert_allclose(vector, model.embed_audio([clips[0]])[0], atol=1e-5)


def test_gradients_reach_the_trained_parts_only(model, clips):
    params = model.trainable_parameters()
    try:
        model.train()
        speech = model.speech_pooled(clips)
        text = model.text_pooled(["How do I mount a USB disk?", "image conversion tool"])
        loss = torch.nn.functional.mse_loss(speech, text)
        loss.backward()
        assert all(p.grad is not None for p in params)
        assert model.conv_adapter.conv.weight.grad.abs().sum() > 0
        assert model.speech_encoder.encoder.conv1.weight.grad is None  # base weights stay frozen
        assert model.text.encoder.embeddings.word_embeddings.weight.grad is None
    finally:
        model.zero_grad(set_to_none=True)
        model.eval()


def test_checkpoint_round_trip_holds_only_trained_tensors(model, clips, tmp_path):
    from safetensors import safe_open

    from models.seal import SealModel

    with torch.no_grad():
        model.shared_scaling.weight.mul_(1.5)  # make the shared layer differ from a fresh one
    try:
        expected_audio, expected_text = model.embed_audio(clips[:1]), model.embed_text(["hello"])
        model.save_pretrained(tmp_path / "ckpt")
    finally:
        with torch.no_grad():
            model.shared_scaling.weight.div_(1.5)
    files = {p.name for p in (tmp_path / "ckpt").iterdir()}
    assert files == {"config.json", "model.safetensors", "README.md"}
    assert (tmp_path / "ckpt" / "model.safetensors").stat().st_size < 40 * 2**20
    with safe_open(str(tmp_path / "ckpt" / "model.safetensors"), framework="pt") as handle:
        keys = list(handle.keys())
    assert keys and all(k.startswith(("conv_adapter.", "mlp_adapter.", "shared_scaling.")) for k in keys)
    loaded = SealModel.from_pretrained(tmp_path / "ckpt")
    np.testing.assert_allclose(loaded.embed_audio(clips[:1]), expected_audio, atol=1e-6)
    np.testing.assert_allclose(loaded.embed_text(["hello"]), expected_text, atol=1e-6)
    assert loaded.trained and loaded.checkpoint_path == tmp_path / "ckpt" and not model.trained


def test_one_text_pass_gives_both_vectors_while_the_text_tower_is_frozen(model):
    from models.seal import SealConfig, SealModel
    from models.text_tower import TextEmbedder

    texts = ["Where do I renew a library card?", "Bins are emptied on Tuesdays."]
    plain_tower = TextEmbedder()
    shift = 0.05 * torch.randn(model.shared_scaling.weight.shape, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        model.shared_scaling.weight.add_(shift)  # a trained shared layer: SEAL vectors differ from plain ones
    try:
        assert model.shares_text_tower(plain_tower)
        seal, plain = model.embed_text_and_plain(texts)
        assert np.abs(seal - plain).max() > 1e-3
        np.testing.assert_allclose(seal, model.embed_text(texts), atol=1e-6)
        np.testing.assert_allclose(plain, plain_tower.encode(texts), atol=1e-6)
    finally:
        with torch.no_grad():
            model.shared_scaling.weight.sub_(shift)
    tuned = SealModel(SealConfig(train_text_layers=1))
    assert not tuned.shares_text_tower(plain_tower)  # a fine-tuned text encoder needs its own pass


def test_fine_tuned_top_layers_are_saved(tmp_path):
    from models.seal import SealConfig, SealModel

    model = SealModel(SealConfig(train_encoder_layers=1, train_text_layers=1, through_text_encoder=False))
    keys = set(model.trained_state_dict())
    assert any(k.startswith("speech_encoder.encoder.layers.3.") for k in keys)
    assert not any(k.startswith("speech_encoder.encoder.layers.2.") for k in keys)
    assert any(k.startswith("text.encoder.encoder.layer.5.") for k in keys)


def test_unheard_pieces_are_the_ones_outside_the_ctc_vocabulary(model):
    tok = model.text.tokenizer
    assert model.unheard_pieces(["mount a usb disk"]) == [[]]  # compression off: nothing is filtered
    model.config.ctc_compress = True
    model.ctc_head.vocab_ids = torch.tensor(tok("mount a disk", add_special_tokens=False)["input_ids"])
    try:
        assert model.unheard_pieces(["mount a usb disk", "a disk"]) == [["usb"], []]
    finally:
        model.config.ctc_compress = False
        model.ctc_head.vocab_ids = torch.zeros(0, dtype=torch.long)


def test_speech_reader_trains_its_own_copy_and_leaves_the_text_side_alone(model, clips, tmp_path):
    from models.seal import SealConfig, SealModel

    tuned = SealModel(SealConfig(train_reader_layers=1))
    keys = set(tuned.trained_state_dict())
    assert any(k.startswith("speech_reader.encoder.layer.5.") for k in keys)
    assert not any(k.startswith(("speech_reader.encoder.layer.4.", "text.")) for k in keys)
    tuned.trainable_parameters()
    tuned.speech_pooled(clips[:1]).sum().backward()
    assert tuned.speech_reader.encoder.layer[5].output.dense.weight.grad is not None
    assert all(p.grad is None for p in tuned.text.encoder.parameters())
    with torch.no_grad():  # what fine-tuning does: the copy moves, the tower stays
        tuned.speech_reader.encoder.layer[5].output.dense.weight.mul_(1.5)
    np.testing.assert_allclose(tuned.embed_text(["mount a disk"]), model.embed_text(["mount a disk"]), atol=1e-6)
    assert (tuned.embed_audio(clips[:1]) * model.embed_audio(clips[:1])).sum() < 0.9999
    loaded = SealModel.from_pretrained(tuned.save_pretrained(tmp_path / "reader"))
    assert loaded.config.train_reader_layers == 1
    np.testing.assert_allclose(loaded.embed_audio(clips[:1]), tuned.embed_audio(clips[:1]), atol=1e-5)


@pytest.mark.parametrize("dtype, tolerance", [("bfloat16", 0.05), ("float16", 0.01)])
def test_half_precision_stays_close(model, clips, tmp_path, dtype, tolerance):
    from models.seal import SealModel

    model.save_pretrained(tmp_path / "ckpt")
    half = SealModel.from_pretrained(tmp_path / "ckpt", dtype=dtype)
    assert next(half.mlp_adapter.parameters()).dtype == getattr(torch, dtype)
    assert np.abs(half.embed_audio(clips) - model.embed_audio(clips)).max() < tolerance
    assert np.abs(half.embed_text(["hello"]) - model.embed_text(["hello"])).max() < tolerance


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    from models.seal import SealModel

    with pytest.raises(FileNotFoundError, match="not a SEAL checkpoint"):
        SealModel.from_pretrained(tmp_path / "nothing-here")


def test_clips_shorter_than_one_window_still_embed(model):
    vectors = model.embed_audio([np.zeros(1, dtype=np.float32), np.full(160, 0.01, dtype=np.float32)])
    assert vectors.shape == (2, 384) and np.isfinite(vectors).all()


def test_int8_speech_path_stays_close_and_leaves_the_text_side_alone(model, clips, tmp_path):
    from models.quantize import quantized_engine
    from models.seal import SealModel

    model.save_pretrained(tmp_path / "ckpt")
    int8 = SealModel.from_pretrained(tmp_path / "ckpt")
    int8.use_engine(quantized_engine(int8, "int8"))
    assert int8.quantization == "int8" and int8.engine.reader is not None
    assert int8.engine.encoder is not int8.speech_encoder  # a private copy: training still sees fp32
    cosines = (int8.embed_audio(clips) * model.embed_audio(clips)).sum(1)
    assert cosines.min() > 0.9  # untrained adapters: the loosest case (trained: docs/models.md)
    texts = ["hello", "mount a USB disk"]
    np.testing.assert_array_equal(int8.embed_text(texts), model.embed_text(texts))  # stored passages stay valid
    with pytest.raises(ValueError, match="int8 quantization is for fp32 on a CPU"):
        quantized_engine(SealModel.from_pretrained(tmp_path / "ckpt", dtype="bfloat16"), "int8")
    with pytest.raises(ValueError, match="unknown quantization"):
        quantized_engine(model, "int4")


def test_reader_quantization_leaves_the_encoder_and_adapter_in_fp32(model, clips, tmp_path):
    from models.quantize import quantized_engine
    from models.seal import SealModel

    model.save_pretrained(tmp_path / "ckpt")
    reader = SealModel.from_pretrained(tmp_path / "ckpt")
    reader.use_engine(quantized_engine(reader, "reader"))
    assert reader.quantization == "reader" and reader.engine.reader is not None and reader.engine.encoder is None
    with torch.inference_mode():  # the discrete parts (encoder -> adapter -> CTC choices) are untouched
        mel, lengths = model.features(clips)
        np.testing.assert_allclose(reader.adapt(*reader.encode_speech(mel, lengths))[0],
                                   model.adapt(*model.encode_speech(mel, lengths))[0], atol=1e-6)
    assert (reader.embed_audio(clips) * model.embed_audio(clips)).sum(1).min() > 0.9


def test_settings_quantize_reaches_the_shared_model(monkeypatch, session_data_dir):
    from app.settings import Settings
    from models import registry

    settings = Settings(data_dir=session_data_dir, quantize="int8", device="cpu", engine="torch")
    assert registry.get_seal_model(settings).quantization == "int8"
    config = registry.ModelConfig.from_settings(settings)  # what models/ takes: the app's settings, read once
    assert (config.device, config.quantize, config.cache_dir) == ("cpu", "int8", session_data_dir / "cache")
    assert registry.get_seal_model(config) is registry.get_seal_model(settings)  # one model, however it is asked for
    assert registry.get_seal_model(settings.model_copy(update={"quantize": "none"})).quantization == "none"
    assert Settings(data_dir=session_data_dir).quantize == "none"  # int8 of any part cost the shipped checkpoint dev accuracy
    onnx = registry.get_seal_model(settings.model_copy(update={"engine": "auto"}))
    assert (onnx.engine.name, onnx.quantization) == ("onnx", "none")  # onnxruntime runs the fp32 graphs


def test_ctc_compression_keeps_one_soft_word_piece_per_piece_heard():
    from models.adapters import CTCHead

    torch.manual_seed(0)
    vocab = torch.nn.functional.normalize(torch.randn(3, 8), dim=-1)
    head = CTCHead(8, temperature=0.01)  # scale 100: sure of every frame
    a, b = vocab[0], vocab[1]
    blank = head.blank.detach()
    # a a _ a b _ | padding: CTC reads "a a b" (a blank splits the repeat), padding is ignored
    frames = torch.stack([a, a, blank, a, b, blank, b, b])[None]
    mask = torch.tensor([[True] * 6 + [False] * 2])
    out, out_mask = head.compress(frames, mask, vocab)
    assert out_mask.tolist() == [[True, True, True]]
    expected = torch.stack([vocab[0], vocab[0], vocab[1]])
    torch.testing.assert_close(out[0], expected, atol=1e-3, rtol=0)
    # nothing heard: an empty (all-masked) sequence of width 1, never an error
    out, out_mask = head.compress(torch.stack([blank, blank])[None], torch.ones(1, 2, dtype=torch.bool), vocab)
    assert out.shape == (1, 1, 8) and not out_mask.any()


def test_a_blank_penalty_keeps_a_piece_that_nearly_beat_the_blank():
    """``ctc_blank_penalty``: a frame whose best piece scored just under the blank still counts as heard;
    training (gradients on) sees the plain scores."""
    from models.adapters import CTCHead
    from models.seal import SealConfig, SealModel

    vocab = torch.nn.functional.normalize(torch.randn(3, 8, generator=torch.Generator().manual_seed(0)), dim=-1)
    head = CTCHead(8)
    # frame 0: "a" clearly; frame 1: the blank by 0.5 over "b"; frame 2: the blank by far
    logits = torch.tensor([[[0.0, 5.0, 1.0, 0.0], [3.0, 0.0, 2.5, 0.0], [9.0, 0.0, 0.0, 0.0]]])
    mask = torch.ones(1, 3, dtype=torch.bool)
    _, plain = head.compress(torch.zeros(1, 3, 8), mask, vocab, logits=logits)
    _, lenient = head.compress(torch.zeros(1, 3, 8), mask, vocab, logits=logits, blank_penalty=1.0)
    assert plain.sum().item() == 1 and lenient.sum().item() == 2
    assert SealConfig().ctc_blank_penalty == 0.0  # a new checkpoint decodes as it was trained until one is chosen
    assert SealModel.from_pretrained(None).config.ctc_blank_penalty > 0  # the shipped one has its own


def test_ctc_compress_checkpoint_keeps_its_vocabulary(clips, tmp_path):
    from models.seal import SealConfig, SealModel

    model = SealModel(SealConfig(ctc_compress=True))
    model.ctc_head.vocab_ids = torch.tensor([1000, 2000, 3000, 2023])
    model.save_pretrained(tmp_path / "ckpt")
    loaded = SealModel.from_pretrained(tmp_path / "ckpt")
    assert loaded.ctc_head.vocab_ids.dtype == torch.long
    assert loaded.ctc_head.vocab_ids.tolist() == [1000, 2000, 3000, 2023]
    np.testing.assert_allclose(loaded.embed_audio(clips), model.embed_audio(clips), atol=1e-5)
    assert np.allclose(np.linalg.norm(loaded.embed_audio(clips), axis=1), 1.0, atol=1e-4)


def test_adapter_layers_and_ctc_prior_are_saved_with_the_checkpoint_and_reload(tmp_path) -> None:
    import torch

    from models.seal import SealConfig, SealModel

    model = SealModel(SealConfig(conv_stride=8, conv_kernel=9, adapter_layers=1, ctc_compress=True, ctc_bias=True))
    assert model.ctc_head.bias.numel() == 1 + model.word_embeddings().shape[0]  # blank + every word piece
    assert any(name.startswith("adapter_transformer.") for name in model.trained_state_dict())
    with torch.no_grad():
        model.ctc_head.bias.uniform_()
        model.adapter_transformer.blocks[0].out.weight.uniform_()
    model.save_pretrained(tmp_path)
    loaded = SealModel.from_pretrained(tmp_path)
    assert loaded.config.adapter_layers == 1 and loaded.config.ctc_bias
    for name, tensor in model.trained_state_dict().items():
        torch.testing.assert_close(loaded.trained_state_dict()[name], tensor, msg=name)
