"""Speech recognition, the baseline pipeline's first step: Whisper greedy decoding, two backends.

- ``faster-whisper`` runs the CTranslate2 weights as shipped (int8 on CPU by default: its fastest
  honest setting), greedy (beam 1), English, no VAD filter (the server's VAD already cut the utterance).
- ``transformers`` runs the converted PyTorch weights with greedy ``generate``. Its log-mel is
  computed the way faster-whisper computes it (features of the utterance, then zero-padded to 30 s in
  feature space), so both backends see the same input and give the same transcript.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from models.audio import HOP_LENGTH, log_mel_spectrogram

BACKENDS = ("faster-whisper", "transformers")
CHUNK_FRAMES = 3000  # Whisper's 30 s window
# faster-whisper's defaults for dropping a window as silence: no-speech probability above this AND
# average log-probability of the decoded tokens at or below that
NO_SPEECH_THRESHOLD, LOG_PROB_THRESHOLD = 0.6, -1.0


def whisper_input_features(audio: np.ndarray, n_mels: int = 80) -> torch.Tensor:
    """(1, n_mels, 3000) log-mel as faster-whisper builds it: 160 samples of tail padding, the
    utterance's own frames, then zeros up to 30 s (longer audio is cut at 30 s)."""
    padded = np.pad(audio, (0, max(HOP_LENGTH, 400 - len(audio))))  # at least one STFT window
    mel = log_mel_spectrogram(padded, n_mels)[:, :-1][:, :CHUNK_FRAMES]
    return torch.nn.functional.pad(mel, (0, CHUNK_FRAMES - mel.shape[1])).unsqueeze(0)


class Transcriber:
    """``Transcriber(model, backend, device, compute_type).transcribe(audio) -> str``."""

    def __init__(self, model: str = "tiny.en", backend: str = "faster-whisper", device: str = "cpu", compute_type: str = "int8", cpu_threads: int = 0,
                 cache_dir: Path | None = None) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown ASR backend {backend!r}; use one of {', '.join(BACKENDS)}")
        self.model_name, self.backend, self.device, self.compute_type = model, backend, device, compute_type
        if backend == "faster-whisper":
            from faster_whisper import WhisperModel

            from models.weights import resolve_whisper_ct2

            self._fw = WhisperModel(str(resolve_whisper_ct2(model, cache_dir)), device=device, compute_type=compute_type, cpu_threads=cpu_threads)
        else:
            from transformers import WhisperForConditionalGeneration, WhisperTokenizer

            from models.weights import resolve_whisper_hf

            path = resolve_whisper_hf(model, cache_dir)
            dtype = torch.float32 if compute_type in ("float32", "int8", "default") else getattr(torch, compute_type)
            self._hf = WhisperForConditionalGeneration.from_pretrained(str(path), dtype=dtype).to(device).eval()
            self._tokenizer = WhisperTokenizer.from_pretrained(str(path))
            self.english_only = not self._hf.generation_config.is_multilingual
            vocab = self._tokenizer.get_vocab()
            self._no_speech_id = vocab.get("<|nospeech|>", vocab.get("<|nocaptions|>"))

    def transcribe(self, audio: np.ndarray) -> str:
        """Greedy transcript of one 16 kHz mono utterance (up to 30 s), stripped."""
        if self.backend == "faster-whisper":
            segments, _ = self._fw.transcribe(
                audio.astype(np.float32),
                language="en",
                beam_size=1,
                temperature=0.0,
                without_timestamps=True,
                condition_on_previous_text=False,
                vad_filter=False,
            )
            return "".join(segment.text for segment in segments).strip()
        return self._transcribe_hf(audio)

    @torch.inference_mode()
    def _transcribe_hf(self, audio: np.ndarray) -> str:
        features = whisper_input_features(audio, self._hf.config.num_mel_bins).to(self.device, self._hf.dtype)
        kwargs = {} if self.english_only else {"language": "en", "task": "transcribe"}
        from transformers.utils import logging as hf_logging

        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()  # Whisper's generate() trips transformers' own deprecation notices
        try:
            out = self._hf.generate(
                features, num_beams=1, do_sample=False, return_dict_in_generate=True, output_scores=True, **kwargs
            )
        finally:
            hf_logging.set_verbosity(verbosity)
        ids = out.sequences[0]
        if self._is_silence(features, out):
            return ""
        return self._tokenizer.decode(ids, skip_special_tokens=True).strip()

    def _is_silence(self, features: torch.Tensor, out) -> bool:
        """faster-whisper's rule: probability of the no-speech token right after <|startoftranscript|>
        above 0.6, and the decoded tokens' average log-probability at most -1."""
        if self._no_speech_id is None:
            return False
        start = torch.tensor([[self._hf.generation_config.decoder_start_token_id]], device=features.device)
        first = self._hf(input_features=features, decoder_input_ids=start).logits[0, -1].float()
        no_speech = torch.softmax(first, dim=-1)[self._no_speech_id].item()
        if no_speech <= NO_SPEECH_THRESHOLD:
            return False
        steps = out.scores  # processed logits of each generated token, end-of-text included
        tokens = out.sequences[0, -len(steps) :]
        logprob = sum(torch.log_softmax(s[0].float(), -1)[t].item() for s, t in zip(steps, tokens))
        text_tokens = len(steps) - int(tokens[-1].item() == self._hf.generation_config.eos_token_id)
        return logprob / (text_tokens + 1) <= LOG_PROB_THRESHOLD
