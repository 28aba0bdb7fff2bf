"""CTranslate2 Whisper -> Hugging Face ``transformers`` Whisper, by inverting ctranslate2's own converter.

ctranslate2's ``WhisperLoader`` (``ctranslate2/converters/transformers.py``) renames every HF tensor
to a spec path and fuses attention projections (self-attention q|k|v into one ``linear_0``,
cross-attention k|v into ``linear_1``; missing biases become zeros). ``model.bin`` is the
serialization of ``ctranslate2/specs/model_spec.py`` ``ModelSpec._serialize``:

    u32 binary version, string spec name, u32 spec revision, u32 variable count,
    per variable: string name, u8 rank, u32 dims..., u8 dtype id, u32 byte count, raw bytes,
    u32 alias count, per alias: string alias, string target

where a string is u16 length (with the trailing NUL) + UTF-8 bytes + NUL. This module reads that,
undoes the renaming and fusing, and builds ``WhisperForConditionalGeneration`` with a matching
config, tokenizer (from ``tokenizer.json`` + the timestamp tokens of ``vocabulary.txt``), feature
extractor and a generation config for greedy English decoding.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
from pathlib import Path

import numpy as np
import torch

# Order of ctranslate2's DataType enum (include/ctranslate2/types.h, specs/model_spec.py _dtype_to_type_id)
_CT2_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
SUPPORTED_BINARY_VERSIONS = {5, 6}
CONVERTED_MARKER = "seal-converted.json"


class ConversionError(RuntimeError):
    """The CTranslate2 model cannot be converted (unknown format or architecture)."""


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.offset = data, 0

    def unpack(self, fmt: str):
        (value,) = struct.unpack_from("<" + fmt, self.data, self.offset)
        self.offset += struct.calcsize("<" + fmt)
        return value

    def string(self) -> str:
        length = self.unpack("H")
        text = self.data[self.offset : self.offset + length - 1].decode("utf-8")
        self.offset += length
        return text

    def raw(self, count: int) -> bytes:
        chunk = self.data[self.offset : self.offset + count]
        self.offset += count
        return chunk


def read_ct2_model(path: str | Path) -> tuple[str, dict[str, np.ndarray]]:
    """Spec name and variables of a CTranslate2 ``model.bin`` (aliases resolved to their targets)."""
    reader = _Reader(Path(path).read_bytes())
    version = reader.unpack("I")
    if version not in SUPPORTED_BINARY_VERSIONS:
        raise ConversionError(f"{path}: CTranslate2 binary version {version} is not supported (known: 5, 6)")
    spec_name = reader.string()
    reader.unpack("I")  # spec revision: the variable layout we invert is the same for WhisperSpec 3
    variables: dict[str, np.ndarray] = {}
    for _ in range(reader.unpack("I")):
        name = reader.string()
        shape = tuple(reader.unpack("I") for _ in range(reader.unpack("B")))
        dtype = _CT2_DTYPES[reader.unpack("B")]
        raw = reader.raw(reader.unpack("I"))
        if dtype == "bfloat16":
            array = torch.frombuffer(bytearray(raw), dtype=torch.bfloat16).float().numpy()
        else:
            array = np.frombuffer(raw, dtype=dtype).copy()
        variables[name] = array.reshape(shape)
    for _ in range(reader.unpack("I")):
        alias, target = reader.string(), reader.string()
        variables[alias] = variables[target]
    return spec_name, variables


def _dequantized(variables: dict[str, np.ndarray], name: str) -> np.ndarray:
    """A weight as float32; int8/int16 weights carry a per-row ``weight_scale`` (value = q / scale)."""
    weight = variables[name]
    scale_name = name[: -len("weight")] + "weight_scale"
    if weight.dtype in (np.int8, np.int16) and scale_name in variables:
        scale = variables[scale_name].astype(np.float32)
        return weight.astype(np.float32) / (scale.reshape(-1, *([1] * (weight.ndim - 1))) if scale.ndim else scale)
    return weight.astype(np.float32)


def _count_layers(variables: dict[str, np.ndarray], stack: str) -> int:
    return len({name.split("/")[1] for name in variables if re.match(rf"{stack}/layer_\d+/", name)})


def _layer_norm(out: dict, variables: dict, src: str, dst: str) -> None:
    out[f"{dst}.weight"] = variables[f"{src}/gamma"].astype(np.float32)
    out[f"{dst}.bias"] = variables[f"{src}/beta"].astype(np.float32)


def _linear(out: dict, variables: dict, src: str, dst: str, bias: bool = True) -> None:
    out[f"{dst}.weight"] = _dequantized(variables, f"{src}/weight")
    if bias:
        out[f"{dst}.bias"] = variables[f"{src}/bias"].astype(np.float32)


def _split_fused(out: dict, variables: dict, src: str, dst: str, names: list[str]) -> None:
    """Undo ``utils.fuse_linear``: rows are the projections stacked in order; k_proj has no bias in HF."""
    weights = np.split(_dequantized(variables, f"{src}/weight"), len(names), axis=0)
    biases = np.split(variables[f"{src}/bias"].astype(np.float32), len(names), axis=0)
    for name, weight, bias in zip(names, weights, biases):
        out[f"{dst}.{name}.weight"] = weight
        if name != "k_proj":
            out[f"{dst}.{name}.bias"] = bias


def _attention_layer(out: dict, variables: dict, src: str, dst: str, decoder: bool) -> None:
    _split_fused(out, variables, f"{src}/self_attention/linear_0", f"{dst}.self_attn", ["q_proj", "k_proj", "v_proj"])
    _linear(out, variables, f"{src}/self_attention/linear_1", f"{dst}.self_attn.out_proj")
    _layer_norm(out, variables, f"{src}/self_attention/layer_norm", f"{dst}.self_attn_layer_norm")
    if decoder:
        _linear(out, variables, f"{src}/attention/linear_0", f"{dst}.encoder_attn.q_proj")
        _split_fused(out, variables, f"{src}/attention/linear_1", f"{dst}.encoder_attn", ["k_proj", "v_proj"])
        _linear(out, variables, f"{src}/attention/linear_2", f"{dst}.encoder_attn.out_proj")
        _layer_norm(out, variables, f"{src}/attention/layer_norm", f"{dst}.encoder_attn_layer_norm")
    _linear(out, variables, f"{src}/ffn/linear_0", f"{dst}.fc1")
    _linear(out, variables, f"{src}/ffn/linear_1", f"{dst}.fc2")
    _layer_norm(out, variables, f"{src}/ffn/layer_norm", f"{dst}.final_layer_norm")


def ct2_to_hf_state_dict(variables: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    """HF ``WhisperForConditionalGeneration`` state dict (float32) from WhisperSpec variables."""
    out: dict[str, np.ndarray] = {}
    for conv in ("conv1", "conv2"):
        out[f"model.encoder.{conv}.weight"] = variables[f"encoder/{conv}/weight"].astype(np.float32)
        out[f"model.encoder.{conv}.bias"] = variables[f"encoder/{conv}/bias"].astype(np.float32)
    out["model.encoder.embed_positions.weight"] = variables["encoder/position_encodings/encodings"].astype(np.float32)
    _layer_norm(out, variables, "encoder/layer_norm", "model.encoder.layer_norm")
    for i in range(_count_layers(variables, "encoder")):
        _attention_layer(out, variables, f"encoder/layer_{i}", f"model.encoder.layers.{i}", decoder=False)

    out["model.decoder.embed_tokens.weight"] = _dequantized(variables, "decoder/embeddings/weight")
    out["model.decoder.embed_positions.weight"] = variables["decoder/position_encodings/encodings"].astype(np.float32)
    _layer_norm(out, variables, "decoder/layer_norm", "model.decoder.layer_norm")
    for i in range(_count_layers(variables, "decoder")):
        _attention_layer(out, variables, f"decoder/layer_{i}", f"model.decoder.layers.{i}", decoder=True)
    # proj_out is tied to embed_tokens in HF Whisper (ctranslate2 stores it as an alias)
    out["proj_out.weight"] = _dequantized(variables, "decoder/projection/weight")
    return {name: torch.from_numpy(np.ascontiguousarray(value)) for name, value in out.items()}


def _scalar(variables: dict, name: str, default: int) -> int:
    return int(variables[name]) if name in variables else default


def build_config(variables: dict[str, np.ndarray], ct2_config: dict, vocab_size: int, token_ids: dict[str, int]):
    """A ``WhisperConfig`` whose shapes come from the tensors and whose token ids from the tokenizer."""
    from transformers import WhisperConfig

    d_model = variables["encoder/conv1/weight"].shape[0]
    return WhisperConfig(
        vocab_size=vocab_size,
        num_mel_bins=variables["encoder/conv1/weight"].shape[1],
        d_model=d_model,
        encoder_layers=_count_layers(variables, "encoder"),
        decoder_layers=_count_layers(variables, "decoder"),
        encoder_attention_heads=_scalar(variables, "encoder/num_heads", d_model // 64),
        decoder_attention_heads=_scalar(variables, "decoder/num_heads", d_model // 64),
        encoder_ffn_dim=variables["encoder/layer_0/ffn/linear_0/weight"].shape[0],
        decoder_ffn_dim=variables["decoder/layer_0/ffn/linear_0/weight"].shape[0],
        max_source_positions=variables["encoder/position_encodings/encodings"].shape[0],
        max_target_positions=variables["decoder/position_encodings/encodings"].shape[0],
        pad_token_id=token_ids["<|endoftext|>"],
        bos_token_id=token_ids["<|endoftext|>"],
        eos_token_id=token_ids["<|endoftext|>"],
        decoder_start_token_id=token_ids["<|startoftranscript|>"],
        # Suppression lists live in the generation config only: transformers warns when both hold them
        suppress_tokens=None,
        begin_suppress_tokens=None,
        scale_embedding=False,
        tie_word_embeddings=True,
        architectures=["WhisperForConditionalGeneration"],
    )


def build_generation_config(config, ct2_config: dict, token_ids: dict[str, int], multilingual: bool):
    """Greedy decoding without timestamps, with the same suppressed tokens as ctranslate2's config."""
    from transformers import GenerationConfig

    gen = GenerationConfig(
        decoder_start_token_id=config.decoder_start_token_id,
        bos_token_id=config.bos_token_id,
        eos_token_id=config.eos_token_id,
        pad_token_id=config.pad_token_id,
        max_length=config.max_target_positions,
        suppress_tokens=list(ct2_config.get("suppress_ids", [])),
        begin_suppress_tokens=list(ct2_config.get("suppress_ids_begin", [])),
        alignment_heads=[list(pair) for pair in ct2_config.get("alignment_heads", [])],
        no_timestamps_token_id=token_ids["<|notimestamps|>"],
        prev_sot_token_id=token_ids.get("<|startofprev|>"),
        is_multilingual=multilingual,
        return_timestamps=False,
        num_beams=1,
        do_sample=False,
        max_initial_timestamp_index=50,
    )
    if multilingual:
        languages = ct2_config.get("lang_ids", [])
        gen.lang_to_id = {token: idx for token, idx in token_ids.items() if idx in set(languages)}
        gen.task_to_id = {"transcribe": token_ids["<|transcribe|>"], "translate": token_ids["<|translate|>"]}
    # English-only: generate() builds the prompt <|startoftranscript|><|notimestamps|> itself
    return gen


def read_vocabulary(ct2_dir: Path) -> list[str]:
    """ctranslate2's vocabulary: ``vocabulary.txt`` (one token a line) or ``vocabulary.json`` (a list)."""
    if (ct2_dir / "vocabulary.txt").is_file():
        return (ct2_dir / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
    if (ct2_dir / "vocabulary.json").is_file():
        return json.loads((ct2_dir / "vocabulary.json").read_text(encoding="utf-8"))
    return []


def build_tokenizer(ct2_dir: Path):
    """Whisper tokenizer from ``tokenizer.json``, extended with the timestamp tokens that only
    the vocabulary file lists (ids above the special tokens, exactly where ctranslate2 put them)."""
    from transformers import WhisperTokenizer

    tokenizer = WhisperTokenizer(tokenizer_file=str(ct2_dir / "tokenizer.json"))
    vocabulary = read_vocabulary(ct2_dir)
    if vocabulary:
        extra = vocabulary[len(tokenizer) :]
        if extra:
            tokenizer.add_tokens(extra)
        for index in (0, len(vocabulary) // 2, len(vocabulary) - 1):  # spot-check that ids line up
            if tokenizer.convert_ids_to_tokens(index) != vocabulary[index]:
                raise ConversionError(f"{ct2_dir}: tokenizer.json and vocabulary.txt disagree at id {index}")
    return tokenizer


def convert_ct2_whisper(ct2_dir: str | Path, out_dir: str | Path) -> Path:
    """Convert a CTranslate2 Whisper folder to a ``transformers`` folder (safetensors) and return it."""
    from transformers import WhisperFeatureExtractor, WhisperForConditionalGeneration, WhisperProcessor

    ct2_dir, out_dir = Path(ct2_dir), Path(out_dir)
    if not (ct2_dir / "model.bin").is_file():
        raise ConversionError(f"{ct2_dir}: no model.bin; is this a CTranslate2 Whisper folder?")
    spec_name, variables = read_ct2_model(ct2_dir / "model.bin")
    if spec_name != "WhisperSpec":
        raise ConversionError(f"{ct2_dir}: spec {spec_name!r} is not a Whisper model")
    ct2_config = json.loads((ct2_dir / "config.json").read_text()) if (ct2_dir / "config.json").is_file() else {}

    tokenizer = build_tokenizer(ct2_dir)
    vocab_size = variables["decoder/embeddings/weight"].shape[0]
    token_ids = {token: idx for token, idx in tokenizer.get_vocab().items() if token.startswith("<|")}
    config = build_config(variables, ct2_config, vocab_size, token_ids)
    multilingual = vocab_size >= 51865  # English-only checkpoints have 51864 tokens
    generation_config = build_generation_config(config, ct2_config, token_ids, multilingual)

    with torch.device("meta"):
        model = WhisperForConditionalGeneration(config)
    state = ct2_to_hf_state_dict(variables)
    missing, unexpected = model.load_state_dict(state, strict=False, assign=True)
    missing = [name for name in missing if name != "proj_out.weight"]
    if missing or unexpected:
        raise ConversionError(f"{ct2_dir}: tensors do not match WhisperForConditionalGeneration: missing {missing[:5]}, unexpected {unexpected[:5]}")
    model.tie_weights()
    model.generation_config = generation_config
    model.eval()

    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.save_pretrained(tmp, safe_serialization=True)
    feature_extractor = WhisperFeatureExtractor(feature_size=config.num_mel_bins)
    WhisperProcessor(feature_extractor=feature_extractor, tokenizer=tokenizer).save_pretrained(tmp)
    (tmp / CONVERTED_MARKER).write_text(json.dumps({"source": str(ct2_dir), "spec": spec_name}, indent=2))
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)  # atomic: a half-written cache is never mistaken for a finished one
    return out_dir


def is_converted(out_dir: str | Path) -> bool:
    return (Path(out_dir) / CONVERTED_MARKER).is_file() and any(Path(out_dir).glob("*.safetensors"))
