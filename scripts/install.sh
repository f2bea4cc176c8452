#!/usr/bin/env bash
# Install Causette into a virtualenv: the one install path of `make run`, `make test` and the
# Dockerfile, so that they cannot drift apart.
#
# Usage: scripts/install.sh VENV [--dev] [--editable]
#   VENV        the virtualenv folder; created with python3 (or $PYTHON) when missing
#   --dev       also the test and lint tools (pytest, Playwright's client, ruff, mypy)
#   --editable  install the project in place (a clone you work in), not a copy (an image)
#
# Steps, each skipped when already done:
#   1. torch 2.13.0, CPU build: PyTorch's CPU wheel index first, PyPI when that index cannot be
#      reached (bounded time-out, no retries: it never hangs). A plain requirement would pull
#      several GB of CUDA packages; the project's own range is then already satisfied.
#   2. seqeval, whose sdist asks setuptools_scm at build time: built without isolation against a
#      setuptools_scm that works offline (the newest one's isolated build fails).
#   3. causette-sdk (sdk/, its own distribution: the action protocol and message models, which
#      the project imports), then the project itself, with its extras.
#   4. snips-nlu and its Rust helpers (scripts/install_snips.sh): builtin entities for both
#      backends; they cannot be expressed as ordinary requirements.
set -euo pipefail

readonly TORCH_VERSION=2.13.0
readonly TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu
readonly SEQEVAL_VERSION=1.2.2
readonly ROOT=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "install.sh: error: $*" >&2; exit 1; }
log() { echo "install.sh: $*"; }

installed_version() {
  "$PY" -c "import importlib.metadata as m; print(m.version('$1'))" 2>/dev/null || true
}

install_torch() {
  if [[ $(installed_version torch) == "$TORCH_VERSION"* ]]; then return 0; fi
  log "torch $TORCH_VERSION (CPU build)"
  if ! "$PY" -m pip install --quiet --timeout 15 --retries 0 --index-url "$TORCH_CPU_INDEX" \
      "torch==$TORCH_VERSION"; then
    log "PyTorch's CPU index cannot be reached: torch $TORCH_VERSION from the default index instead"
    "$PY" -m pip install --quiet "torch==$TORCH_VERSION"
  fi
}

install_seqeval() {
  if [[ -n $(installed_version seqeval) ]]; then return 0; fi
  log "seqeval $SEQEVAL_VERSION"
  "$PY" -m pip install --quiet setuptools wheel "setuptools-scm>=8,<9"
  "$PY" -m pip install --quiet --no-build-isolation "seqeval==$SEQEVAL_VERSION"
}

install_project() {
  local target=$ROOT what="causette"
  if [[ $DEV == 1 ]]; then target="$ROOT[test,lint]" what="causette with its test and lint tools"; fi
  log "causette-sdk, then $what"
  if [[ $EDITABLE == 1 ]]; then
    "$PY" -m pip install --quiet -e "$ROOT/sdk[server]"
    "$PY" -m pip install --quiet -e "$target"
  else
    "$PY" -m pip install --quiet "$ROOT/sdk[server]"
    "$PY" -m pip install --quiet "$target"
  fi
}

main() {
  [[ $# -ge 1 ]] || die "usage: $0 VENV [--dev] [--editable]"
  local venv=$1
  shift
  DEV=0 EDITABLE=0
  for option in "$@"; do
    case $option in
      --dev) DEV=1 ;;
      --editable) EDITABLE=1 ;;
      *) die "unknown option $option (usage: $0 VENV [--dev] [--editable])" ;;
    esac
  done
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  [[ -x $venv/bin/python ]] || "${PYTHON:-python3}" -m venv "$venv"
  PY=$venv/bin/python
  install_torch
  install_seqeval
  install_project
  bash "$ROOT/scripts/install_snips.sh" "$PY"
  log "done: $venv"
}

main "$@"
