#!/usr/bin/env bash
# Install snips-nlu 0.20.2 into an existing virtualenv, on Python 3.11 (Linux x86_64).
#
# Usage: scripts/install_snips.sh VENV_PYTHON
#
# snips-nlu's Rust helpers (snips-nlu-parsers 0.4.3, snips-nlu-utils 0.9.1) only ship
# cp37 wheels, and their sdists need Rust crates from GitHub. Their native library is
# loaded with ctypes and does not link libpython, so the cp37 manylinux1 wheels are
# downloaded, checked against pinned sha256 digests, retagged py3-none and installed.
# snips-nlu itself is installed with --no-deps because it pins scikit-learn < 0.23 and
# numpy < 2; the dependencies below were checked to work together instead, with the
# patches in nlu/backends/snips/compat.py. `pip check` will keep reporting those pins.
#
# Wheels are cached in .cache/snips-wheels/ (or $SNIPS_WHEEL_CACHE) so a reinstall
# needs no download. A second run with everything in place only checks imports.
set -euo pipefail

readonly SNIPS_NLU_VERSION=0.20.2
readonly PARSERS_VERSION=0.4.3
readonly UTILS_VERSION=0.9.1
# Digests of the files PyPI serves (measured; the two cp37 wheels are also in
# /work/shared/notes/snips-nlu-on-python-3.11.md).
readonly SNIPS_NLU_WHEEL=snips_nlu-${SNIPS_NLU_VERSION}-py2.py3-none-any.whl
readonly SNIPS_NLU_SHA256=6160e8c35f4ae731f0864e0a0b9494a53dfb27d50d08c92767125b4379f647ab
readonly PARSERS_WHEEL=snips_nlu_parsers-${PARSERS_VERSION}-cp37-cp37m-manylinux1_x86_64.whl
readonly PARSERS_SHA256=926613e2e1f290b8666dcad42f92766ae213c54003bf88df2e4fbc79396b111a
readonly UTILS_WHEEL=snips_nlu_utils-${UTILS_VERSION}-cp37-cp37m-manylinux1_x86_64.whl
readonly UTILS_SHA256=7740cd02d2a7a3427456813e6bf1dab0145d906dfdbb698e62dee0db7aef0baf

# Runtime dependencies of snips-nlu, plus what nlu/backends/snips/resources.py uses.
readonly COMMON_DEPS=(
  "sklearn-crfsuite==0.3.6"  # snips requires < 0.4
  "python-crfsuite==0.9.12"  # has cp311 wheels
  "future==0.17.1"           # snips requires < 0.18; sdist, builds without a compiler
  "num2words==0.5.14"
  "pyaml==19.12.0"
  "PyYAML==6.0.3"
  "deprecation==2.1.0"
  "requests>=2,<3"           # only used by snips' CLI download commands
  "wordfreq==3.1.1"
  "stop-words==2025.11.4"
  "nltk>=3.8"                # FrenchStemmer; kept if already installed
)
# scipy / scikit-learn sets that gave identical parses, chosen by the installed numpy.
readonly NUMPY2_DEPS=("scipy==1.17.1" "scikit-learn==1.9.1")
readonly NUMPY1_DEPS=("scipy==1.13.1" "scikit-learn==1.5.2")

die() { echo "install_snips.sh: error: $*" >&2; exit 1; }
log() { echo "install_snips.sh: $*"; }

check_platform() {
  local os arch
  os=$(uname -s); arch=$(uname -m)
  [[ $os == Linux && $arch == x86_64 ]] ||
    die "snips-nlu's prebuilt Rust helpers exist for Linux x86_64 only (this is $os $arch)."
}

check_python() {
  [[ -x $PY ]] || die "$PY is not an executable python"
  "$PY" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)' ||
    die "$PY does not belong to a virtualenv; refusing to install into a system python."
  local version
  version=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  [[ $version == 3.11 ]] || log "warning: tested on Python 3.11 only (this is $version)."
}

already_installed() {
  "$PY" - <<EOF >/dev/null 2>&1
import importlib.metadata as m
assert m.version("snips-nlu") == "$SNIPS_NLU_VERSION"
assert m.version("snips-nlu-parsers") == "$PARSERS_VERSION"
assert m.version("snips-nlu-utils") == "$UTILS_VERSION"
import snips_nlu, snips_nlu_parsers, snips_nlu_utils  # loads both Rust libraries
import scipy, sklearn, sklearn_crfsuite, num2words, yaml, deprecation, future
import wordfreq, stop_words, nltk.stem.snowball
EOF
}

verify_sha256() {
  local file=$1 expected=$2 actual
  actual=$(sha256sum "$file" | cut -d' ' -f1)
  [[ $actual == "$expected" ]] ||
    die "sha256 mismatch for $file: expected $expected, got $actual. Not installing it."
}

download_wheels() {
  mkdir -p "$CACHE"
  if [[ ! -f $CACHE/$SNIPS_NLU_WHEEL ]]; then
    "$PY" -m pip download --no-deps --only-binary :all: -d "$CACHE" \
      "snips-nlu==$SNIPS_NLU_VERSION"
  fi
  if [[ ! -f $CACHE/$PARSERS_WHEEL || ! -f $CACHE/$UTILS_WHEEL ]]; then
    "$PY" -m pip download --no-deps --only-binary :all: -d "$CACHE" \
      --python-version 3.7 --implementation cp --abi cp37m --platform manylinux1_x86_64 \
      "snips-nlu-parsers==$PARSERS_VERSION" "snips-nlu-utils==$UTILS_VERSION"
  fi
  verify_sha256 "$CACHE/$SNIPS_NLU_WHEEL" "$SNIPS_NLU_SHA256"
  verify_sha256 "$CACHE/$PARSERS_WHEEL" "$PARSERS_SHA256"
  verify_sha256 "$CACHE/$UTILS_WHEEL" "$UTILS_SHA256"
}

# Copy the cp37 wheels to $WORK and retag them py3-none-manylinux1_x86_64 there.
retag_wheels() {
  "$PY" -m wheel version >/dev/null 2>&1 || "$PY" -m pip install "wheel>=0.40"
  local wheel
  for wheel in "$PARSERS_WHEEL" "$UTILS_WHEEL"; do
    cp "$CACHE/$wheel" "$WORK/"
    "$PY" -m wheel tags --remove --python-tag py3 --abi-tag none \
      --platform-tag manylinux1_x86_64 "$WORK/$wheel" >/dev/null
  done
}

install_dependencies() {
  local numpy_version constraints=() scientific=("${NUMPY2_DEPS[@]}")
  numpy_version=$("$PY" -c 'import importlib.metadata as m; print(m.version("numpy"))' \
    2>/dev/null || true)
  if [[ -n $numpy_version ]]; then
    # Never let these installs move the numpy other packages (torch) were installed with.
    echo "numpy==$numpy_version" >"$WORK/constraints.txt"
    constraints=(-c "$WORK/constraints.txt")
    if [[ $numpy_version == 1.* ]]; then scientific=("${NUMPY1_DEPS[@]}"); fi
  fi
  log "numpy ${numpy_version:-not installed}: installing ${scientific[*]}"
  "$PY" -m pip install "${constraints[@]}" "${scientific[@]}" "${COMMON_DEPS[@]}"
}

install_snips() {
  # --no-deps: snips-nlu's own pins (scikit-learn < 0.23, numpy < 2) cannot be met.
  "$PY" -m pip install --no-deps "$CACHE/$SNIPS_NLU_WHEEL" "$WORK"/snips_nlu_*py3-none-*.whl
}

main() {
  [[ $# -eq 1 ]] || die "usage: $0 VENV_PYTHON"
  PY=$1
  check_platform
  check_python
  if already_installed; then
    log "snips-nlu $SNIPS_NLU_VERSION and its dependencies are already installed in $PY."
    return 0
  fi
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  CACHE=${SNIPS_WHEEL_CACHE:-$(cd "$(dirname "$0")/.." && pwd)/.cache/snips-wheels}
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  download_wheels
  retag_wheels
  install_dependencies
  install_snips
  already_installed || die "installation finished but the import check fails in $PY."
  log "installed snips-nlu $SNIPS_NLU_VERSION in $PY."
}

main "$@"
