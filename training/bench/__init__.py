"""Benchmarks: per-step latency of both retrieval pipelines, search cost by collection size, and load
on a running server (``seal bench latency`` / ``seal bench load``). See docs/benchmarks.md."""
