# Two commands on a fresh machine: `make run` (demo bot on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-deps run test bench clean

# torch is installed first and pinned: the project's own range (torch>=2.2,<3) is then satisfied
# by the CPU wheel, instead of pulling several GB of CUDA packages.
# snips-nlu and its Rust helpers (builtin dates and numbers, for both backends) come last, from
# scripts/install_snips.sh: they cannot be expressed as ordinary requirements.
$(VENV)/.installed: pyproject.toml scripts/install_snips.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[test]"
	bash scripts/install_snips.sh $(PY)
	touch $@

install: $(VENV)/.installed

# Programs the tests use for real (redis-server, chromium, chromedriver), installed if missing.
system-deps:
	scripts/system_deps.sh

run: install
	$(VENV)/bin/causette serve intents --host $(HOST) --port $(PORT)

test: install system-deps
	$(PY) -m pytest

# Figures, not tests: turns per second and latency with sessions in memory and in Redis.
bench: install system-deps
	$(PY) -m bench.session_store_load

clean:
	rm -rf $(VENV) intents/.causette .pytest_cache
