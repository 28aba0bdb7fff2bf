"""Signal in, log-mel out: reading audio files and Whisper's log-mel features.

Everything downstream works on float32 mono 16 kHz arrays in [-1, 1]. Files at another rate are
resampled and stereo is downmixed, because that is what a user who hands us a WAV expects; a file
that cannot be read, is empty or is longer than the limit is refused with an ``AudioError`` that
names the file and the problem.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf
import soxr

if TYPE_CHECKING:
    import torch

SAMPLE_RATE = 16_000
N_FFT = 400
HOP_LENGTH = 160  # 10 ms per mel frame


class AudioError(ValueError):
    """Audio that cannot be used, with a message that says what is wrong and what to do."""


def load_audio(source: str | Path | bytes, max_seconds: float | None = 30.0, name: str | None = None) -> np.ndarray:
    """Read a file (path or bytes) into float32 mono at 16 kHz."""
    label = name or (str(source) if not isinstance(source, bytes) else "uploaded audio")
    if not isinstance(source, bytes) and not Path(source).is_file():
        raise AudioError(f"{label}: no such file")
    try:
        data, rate = sf.read(io.BytesIO(source) if isinstance(source, bytes) else str(source), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise AudioError(f"{label}: not a readable audio file ({exc}); use WAV, FLAC or OGG") from None
    return prepare_audio(data, rate, max_seconds=max_seconds, name=label)


def prepare_audio(data: np.ndarray, rate: int, max_seconds: float | None = 30.0, name: str = "audio") -> np.ndarray:
    """Downmix, resample to 16 kHz and check length; ``data`` is (samples,) or (samples, channels)."""
    data = np.asarray(data, dtype=np.float32)
    if data.ndim == 2:
        data = data.mean(axis=1)
    if data.size == 0:
        raise AudioError(f"{name}: the audio is empty")
    if rate != SAMPLE_RATE:
        data = soxr.resample(data, rate, SAMPLE_RATE).astype(np.float32)
    seconds = data.size / SAMPLE_RATE
    if max_seconds is not None and seconds > max_seconds:
        raise AudioError(
            f"{name}: {seconds:.1f} s is longer than the {max_seconds:.0f} s limit; cut it into shorter utterances"
        )
    if not np.isfinite(data).all():
        raise AudioError(f"{name}: the audio holds NaN or infinite samples")
    return data


def pcm16_to_float(frame: bytes) -> np.ndarray:
    """Little-endian signed 16-bit PCM bytes to float32 in [-1, 1]."""
    if len(frame) % 2:
        raise AudioError(f"PCM16 frame of {len(frame)} bytes: the byte count must be even")
    return np.frombuffer(frame, dtype="<i2").astype(np.float32) / 32768.0


def float_to_pcm16(audio: np.ndarray) -> bytes:
    return (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def write_wav(path: str | Path, audio: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    sf.write(str(path), audio, rate, subtype="PCM_16")


def wav_bytes(audio: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, audio, rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


@lru_cache(maxsize=4)
def mel_filters(n_mels: int) -> torch.Tensor:
    """Whisper's Slaney-style mel filterbank, (n_mels, N_FFT // 2 + 1)."""
    import torch
    from transformers.audio_utils import mel_filter_bank

    bank = mel_filter_bank(
        num_frequency_bins=N_FFT // 2 + 1,
        num_mel_filters=n_mels,
        min_frequency=0.0,
        max_frequency=SAMPLE_RATE / 2,
        sampling_rate=SAMPLE_RATE,
        norm="slaney",
        mel_scale="slaney",
    )
    return torch.from_numpy(bank.T.astype(np.float32))


def log_mel_spectrogram(audio: np.ndarray | torch.Tensor, n_mels: int = 80) -> torch.Tensor:
    """Whisper's log-mel of one utterance, (n_mels, frames), with no padding to 30 s.

    Frames = len(audio) // HOP_LENGTH; the normalisation (max - 8 dB floor, then (x + 4) / 4) is
    Whisper's, so the encoder sees the same value range it was trained on.
    """
    import torch  # here, not at the top: reading audio and the VAD (and `seal config`) need no torch

    signal = torch.as_tensor(audio, dtype=torch.float32)
    window = torch.hann_window(N_FFT, device=signal.device)
    stft = torch.stft(signal, N_FFT, HOP_LENGTH, window=window, return_complex=True)
    power = stft[..., :-1].abs() ** 2
    mel = mel_filters(n_mels).to(signal.device) @ power
    log_spec = torch.clamp(mel, min=1e-10).log10()
    log_spec = torch.maximum(log_spec, log_spec.max() - 8.0)
    return (log_spec + 4.0) / 4.0
