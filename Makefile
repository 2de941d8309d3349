# kassakontroll — every target does its own set-up on a fresh machine.
#   make run    set up, then run the main job: the full compliance suite against the embedded
#               reference till (run.ndjson, evidence, summary in out/run), after the till's demo day
#   make test   set up, then lint, type-check and run the test suite
#   make bench  set up, then run the benchmarks in bench/

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
OUT    ?= out

.PHONY: setup system-deps run test lint typecheck unit bench clean

setup: system-deps $(STAMP)

# Debian packages the project uses: openssl (independent RSA check of the signature chain in
# the tests), libxml2-utils (xmllint: the verifier benchmark's baseline; it brings libxml2.so.2,
# whose streaming schema validator `kassakontroll verify` calls).
system-deps:
	@command -v openssl >/dev/null 2>&1 || { \
	  echo "installing Debian package openssl"; \
	  (apt-get update -qq && apt-get install -y -qq openssl) >/dev/null || \
	  { echo "could not install openssl; install it with: apt-get install openssl" >&2; exit 1; }; }
	@command -v xmllint >/dev/null 2>&1 || { \
	  echo "installing Debian package libxml2-utils"; \
	  (apt-get update -qq && apt-get install -y -qq libxml2-utils) >/dev/null || \
	  { echo "could not install libxml2-utils; install it with: apt-get install libxml2-utils" >&2; exit 1; }; }
	@$(PYTHON) -c "import venv, ensurepip" 2>/dev/null || { \
	  echo "installing Debian package python3-venv"; \
	  (apt-get update -qq && apt-get install -y -qq python3-venv) >/dev/null; }

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

run: setup
	$(BIN)/kassakontroll till demo --out $(OUT)/demo
	$(BIN)/kassakontroll verify $(OUT)/demo/*.xml --public-key reference_till/data/demo_signing_key.pub.pem
	$(BIN)/kassakontroll run --target reference:// --out $(OUT)/run

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check harness devices reference_till features

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/python -m pytest

test: lint typecheck unit

bench: setup
	$(BIN)/python bench/till_throughput.py
	$(BIN)/python bench/escpos_decode.py
	$(BIN)/python bench/verify_throughput.py
	$(BIN)/python bench/suite_runtime.py

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
