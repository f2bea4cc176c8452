# Two commands on a fresh machine: `make run` (demo bot on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
ACTIONS_PORT ?= 8001
INSTALL_INPUTS := pyproject.toml sdk/pyproject.toml scripts/install.sh scripts/install_snips.sh

.PHONY: install install-dev system-deps run lint test bench clean

# scripts/install.sh is the one install path, shared with docker/Dockerfile: CPU torch first,
# then the project, then snips-nlu's helpers. `run` needs no test tools; `test` and `lint` do.
$(VENV)/.installed: $(INSTALL_INPUTS)
	PYTHON=$(PYTHON) bash scripts/install.sh $(VENV) --editable
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	PYTHON=$(PYTHON) bash scripts/install.sh $(VENV) --editable --dev
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Programs the tests use for real (redis-server, chromium, chromedriver), installed if missing.
system-deps:
	scripts/system_deps.sh

run: install
	@echo "Causette : entraînement du bot de démo (intents/)…"
	@$(VENV)/bin/causette train intents
	@echo "Causette : le bot de démo et son serveur d'actions démarrent. Ouvrez http://$(HOST):$(PORT)/ dans un navigateur (Ctrl+C pour les arrêter)."
	@scripts/run_demo.sh $(VENV) $(HOST) $(PORT) $(ACTIONS_PORT)

# Formatting, lint and types over the whole tree (configuration in pyproject.toml).
lint: install-dev
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .

test: install-dev system-deps lint
	$(PY) -m pytest

# Figures, not tests: turns per second and latency with sessions in memory and in Redis.
bench: install-dev system-deps
	$(PY) -m bench.session_store_load

clean:
	rm -rf $(VENV) intents/.causette .pytest_cache .mypy_cache .ruff_cache
