"""All settings in one place.

Values come, highest priority first, from: keyword arguments, environment variables with the prefix
``SEAL_`` (``SEAL_DATA_DIR``, ``SEAL_QDRANT_URL``...), a ``.env`` file, and a config file named by
``SEAL_CONFIG`` (TOML or YAML) or ``seal.toml`` / ``seal.yaml`` in the working directory.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
    YamlConfigSettingsSource,
)

from models.vad import VadConfig

Device = Literal["auto", "cpu", "cuda"]
DType = Literal["auto", "float32", "float16", "bfloat16"]


def _config_files() -> tuple[Path | None, Path | None]:
    """The TOML and YAML config files to read, if any."""
    named = os.environ.get("SEAL_CONFIG")
    if named:
        path = Path(named)
        if not path.is_file():
            raise FileNotFoundError(f"SEAL_CONFIG names {path}, which does not exist")
        if path.suffix in {".yaml", ".yml"}:
            return None, path
        return path, None
    toml, yaml = Path("seal.toml"), Path("seal.yaml")
    return (toml if toml.is_file() else None), (yaml if yaml.is_file() else None)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SEAL_", env_file=".env", extra="ignore")

    # Storage
    data_dir: Path = Field(Path.home() / ".seal", description="Embedded Qdrant, caches, converted weights")
    qdrant_url: str | None = Field(None, description="A Qdrant server instead of the embedded store")
    qdrant_api_key: SecretStr | None = None
    collection: str = Field("demo", description="Default knowledge-base collection")
    store_engine: Literal["local", "edge"] = Field(
        "edge", description="Embedded engine: Qdrant Edge (the Qdrant engine in-process: ~1 ms searches at 10k-100k "
        "passages), or qdrant-client's local mode (pure Python: fine to a few thousand passages; `seal migrate` moves "
        "its knowledge bases to Qdrant Edge)"
    )
    edge_search_threads: int = Field(
        1, ge=1, description="Qdrant Edge's search threads per collection: 1 avoids waking a thread pool per query "
        "(25-70 ms on a busy CPU against ~1 ms); more only helps collections far past 100k passages on idle cores"
    )
    exact_search_below: int = Field(
        20_000, ge=0, description="Collections with fewer points are searched exactly, every point scored (no HNSW "
        "graph): the right top hits for well under a millisecond more at 10k points; 0 = always HNSW"
    )
    qdrant_shard_number: int = Field(1, ge=1, description="Shards of a new collection on a Qdrant server or cluster")
    qdrant_replication_factor: int = Field(
        1, ge=1, description="Copies of each shard on a Qdrant cluster (2+: a node can fail without losing passages)"
    )

    # Models: a short name, a Hugging Face id or a local path wherever a model is named
    whisper_model: str = Field("tiny.en", description="Speech encoder / ASR model")
    text_model: str = Field("all-MiniLM-L6-v2", description="Text tower")
    checkpoint: str | None = Field(None, description="SEAL weights folder; default: the shipped checkpoint")
    device: Device = "auto"
    dtype: DType = "auto"
    asr_compute_type: str = Field("int8", description="faster-whisper compute type on CPU")
    quantize: Literal["none", "reader", "int8"] = Field(
        "none", description="With SEAL_ENGINE=torch on a CPU: how much of SEAL's speech path runs in dynamic int8. "
        "none = fp32 (the shipped checkpoint's dev accuracy: everyday Top-1 0.491); reader = the text "
        "transformer reading speech (0.463, ~8 ms faster); int8 = also the Whisper encoder and adapter "
        "(0.471); the text side stays fp32; the onnx engine always runs fp32"
    )

    engine: Literal["auto", "torch", "onnx"] = Field(
        "auto", description="Inference engine for one question at a time: onnx = onnxruntime in fp32 (SEAL's "
        "speech path and the text transformer; exported once to the cache), torch = PyTorch eager with "
        "SEAL_QUANTIZE; auto = onnx for fp32 on a CPU, torch on a GPU"
    )
    passage_precision: Literal["fp32", "int8"] = Field(
        "fp32", description="Passages embedded at ingestion (onnx engine): int8 = dynamic int8 text transformer, "
        "2x the chunks per CPU second for one text-pipeline dev question in 136 (everyday) and 332 (FAQ); "
        "queries stay fp32; stored passages keep their vectors until re-ingested"
    )
    ctc_blank_penalty: float | None = Field(
        None, description="Overrides the checkpoint's CTC blank penalty (its config.json's ctc_blank_penalty; the "
        "shipped one: 2.0): subtracted from the blank's score when SEAL turns frames into the pieces heard. Higher "
        "keeps more pieces; sweep it with seal eval on a dev set (docs/models.md)"
    )

    # Audio limits
    sample_rate: int = 16_000
    max_audio_seconds: float = Field(30.0, description="Longer files or utterances are refused (Whisper's window)")

    # LLM (vLLM's OpenAI-compatible server); unset base URL means the local extractive fallback
    llm_base_url: str | None = None
    llm_model: str = "Qwen/Qwen2-Audio-7B-Instruct"
    llm_api_key: SecretStr | None = None
    llm_temperature: float = 0.2
    llm_max_tokens: int = 400
    llm_timeout_s: float = 60.0

    # Server
    host: str = "127.0.0.1"
    port: int = 8000
    top_k: int = 5
    api_token: SecretStr | None = Field(
        None, description="Shared secret for /ws and /api/* (Bearer header; the page sends it as a websocket "
        "subprotocol); unset: open, and then `seal serve` listens on loopback only unless --insecure"
    )
    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["localhost", "127.0.0.1", "::1"],
        description="Host names /ws and /api/* answer to (DNS rebinding guard), e.g. [\"seal.example.org\"]; "
        "'*.example.org' for subdomains, '*' any",
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Web origins other than the page's own allowed to use /ws and POST /api/* "
        "(e.g. https://seal.example.org); '*' any",
    )
    max_sessions: int = Field(8, description="Concurrent websocket conversations; more are refused with a reason")
    ws_start_timeout_s: float = Field(10.0, description="A websocket that sends no start message in this time is closed")
    ws_idle_timeout_s: float = Field(300.0, description="A conversation that sends nothing for this long is closed")
    ws_max_session_s: float = Field(3600.0, description="The longest one conversation lasts; the client reconnects after")
    ws_control_per_s: float = Field(5.0, description="Control messages (start, config, reset, stop) per second, sustained")
    ws_control_burst: int = Field(20, description="Control messages a client may send at once; beyond the rate: closed")
    max_pending_ingests: int = Field(2, description="POST /api/ingest running or waiting (one runs at a time); more: 503 busy")
    max_pending_searches: int = Field(16, description="POST /api/search in progress at once; more: 503 busy")
    pdf_max_pages: int = Field(500, description="Longer PDFs are skipped with a reason")
    load_timeout_s: float = Field(60.0, description="Reading one file may take this long (checked between PDF pages)")
    max_upload_mb: float = Field(20.0, description="Largest file POST /api/search or /api/ingest accepts")
    ws_burst_s: float = Field(30.0, description="Audio a client may send ahead of real time before it is cut off")
    # The VAD's defaults are VadConfig's (models/vad.py), so the server and the segmenter never disagree.
    vad_aggressiveness: int = Field(VadConfig.aggressiveness, ge=0, le=3, description="webrtcvad strictness, 0..3")
    vad_end_silence_ms: int = Field(VadConfig.end_silence_ms, description="Silence that ends an utterance in hands-free mode")
    live_hits: bool = Field(
        True, description="Live hits: SEAL searches the speech so far at short pauses while the person is still "
        "talking (retrieval.partial events); the final hits reuse the last one when nothing was said after it"
    )
    live_pause_ms: int = Field(200, ge=30, description="Silence inside an utterance that starts a live search (below vad_end_silence_ms)")
    live_interval_ms: int = Field(300, ge=0, description="At most one live search started per session in this long")
    live_max_running: int = Field(
        2, ge=1, description="Live searches running at once over all sessions; more are skipped (never queued), so they "
        "cannot delay final hits"
    )
    demo_kb: Path | None = Field(
        Path("data/demo"), description="Ingested into the default collection at start-up when it is empty; unset: never"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml, yaml = _config_files()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings, dotenv_settings]
        if toml:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        if yaml:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=yaml))
        sources.append(file_secret_settings)
        return tuple(sources)

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def qdrant_path(self) -> Path:
        return self.data_dir / "qdrant"

    def resolved_device(self) -> str:
        if self.device != "auto":
            return self.device
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"

    def resolved_dtype(self) -> str:
        if self.dtype != "auto":
            return self.dtype
        return "float16" if self.resolved_device() == "cuda" else "float32"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests call ``get_settings.cache_clear()`` after changing the env)."""
    return Settings()
