# The SEAL app (web UI, websocket session, SEAL + ASR retrieval, answer client) for docker-compose.yml.
# Retrieval models run on the CPU inside this image; the answer model runs in the vllm service (GPU).
FROM python:3.11-slim-bookworm

# PyTorch's CPU wheels: pyproject pins torch==2.13.0, and PyPI's build of it is the multi-GB CUDA one.
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    SEAL_DATA_DIR=/data \
    SEAL_HOST=0.0.0.0 \
    SEAL_PORT=8000

# libsndfile reads uploads, PortAudio backs `seal mic` (imported by the CLI), espeak-ng lets
# `seal eval` synthesize spoken queries inside the container.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsndfile1 libportaudio2 espeak-ng \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /srv/seal
COPY pyproject.toml README.md ./
COPY app ./app
COPY models ./models
COPY retrieval ./retrieval
COPY llm ./llm
COPY web ./web
COPY training ./training
# The demo knowledge base, ingested at start-up into an empty default collection (settings.demo_kb).
COPY data/demo ./data/demo
RUN pip install --extra-index-url "${TORCH_INDEX}" .

RUN useradd --create-home --uid 1000 seal && mkdir -p /data && chown seal:seal /data
USER seal
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"

# Closed by default: without SEAL_API_TOKEN (docker run -e SEAL_API_TOKEN=...) the server refuses to
# start on 0.0.0.0 and says how to set one. Requests must name a host in SEAL_ALLOWED_HOSTS.
CMD ["seal", "serve", "--host", "0.0.0.0", "--port", "8000"]
