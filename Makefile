# kassakontroll — every target does its own set-up on a fresh machine.
#   make run    set up, then run the main job: the full compliance suite against the embedded
#               reference till (run.ndjson, evidence, summary and the compliance report in out/run),
#               after the till's demo day and ten random operation sequences (fuzz.json, in the report)
#   make test   set up, then lint, type-check and run the test suite
#   make bench  set up, then run the benchmarks in bench/

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
OUT    ?= out

.PHONY: setup system-deps run test lint typecheck unit bench clean

setup: system-deps $(STAMP)

# Debian packages the project uses, as "command:package" (the command tells whether it is there):
#   openssl        independent RSA check of the signature chain in the tests
#   xmllint        libxml2-utils: the verifier benchmark's baseline; it brings libxml2.so.2, whose
#                  streaming schema validator `kassakontroll verify` calls
#   pdftoppm       poppler-utils: the tests turn the PDF report into page images
#   chromium       the tests open the HTML report in a real browser, headless, and screenshot it
#   tesseract      tesseract-ocr: the tests read the screenshots and PDF pages back (is it readable?)
# and, checked by file, the libraries WeasyPrint renders the PDF report with (Pango) and the
# report's monospace font (DejaVu Sans Mono, for receipts as they look on paper).
DEB_COMMANDS := openssl:openssl xmllint:libxml2-utils pdftoppm:poppler-utils chromium:chromium tesseract:tesseract-ocr
DEB_FILES    := /usr/share/doc/libpango-1.0-0:libpango-1.0-0 /usr/share/doc/libpangoft2-1.0-0:libpangoft2-1.0-0 \
                /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf:fonts-dejavu-core

system-deps:
	@missing=""; \
	for pair in $(DEB_COMMANDS); do command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	for pair in $(DEB_FILES); do [ -e $${pair%%:*} ] || missing="$$missing $${pair#*:}"; done; \
	$(PYTHON) -c "import venv, ensurepip" 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing) >/dev/null || \
	  { echo "could not install$$missing; install them with: apt-get install$$missing" >&2; exit 1; }; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

run: setup
	$(BIN)/kassakontroll till demo --out $(OUT)/demo
	$(BIN)/kassakontroll verify $(OUT)/demo/*.xml --public-key reference_till/data/demo_signing_key.pub.pem
	@rm -rf $(OUT)/run
	$(BIN)/kassakontroll fuzz --target reference:// --examples 10 --seed 20261206 --out $(OUT)/run
	$(BIN)/kassakontroll run --target reference:// --out $(OUT)/run

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check harness devices reference_till features reports

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
	$(BIN)/python bench/report_render.py

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
