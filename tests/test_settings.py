from pathlib import Path

from app.settings import Settings


def test_env_prefix_overrides_defaults(monkeypatch):
    monkeypatch.setenv("SEAL_QDRANT_URL", "http://localhost:6333")
    monkeypatch.setenv("SEAL_TOP_K", "7")
    s = Settings()
    assert s.qdrant_url == "http://localhost:6333"
    assert s.top_k == 7


def test_toml_config_file_is_read(tmp_path: Path, monkeypatch):
    cfg = tmp_path / "seal.toml"
    cfg.write_text('collection = "docs"\nllm_model = "fixie-ai/ultravox"\n')
    monkeypatch.setenv("SEAL_CONFIG", str(cfg))
    s = Settings()
    assert s.collection == "docs" and s.llm_model == "fixie-ai/ultravox"


def test_yaml_config_file_is_read_and_env_wins(tmp_path: Path, monkeypatch):
    cfg = tmp_path / "seal.yaml"
    cfg.write_text("collection: docs\ntop_k: 3\n")
    monkeypatch.setenv("SEAL_CONFIG", str(cfg))
    monkeypatch.setenv("SEAL_TOP_K", "9")
    s = Settings()
    assert s.collection == "docs" and s.top_k == 9
