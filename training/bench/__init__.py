"""Benchmarks: per-step latency of both retrieval pipelines, search cost by collection size, load on a
running server (``seal bench latency`` / ``load`` / ``store``), the Whisper encoder and Qdrant Edge alone
(``python -m training.bench.encoder`` / ``edge``). See docs/benchmarks.md."""
