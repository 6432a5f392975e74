# Two commands do all the setup on a fresh machine: `make run` and `make test`.
# The venv is rebuilt only when pyproject.toml changes; the index only when corpus/ does.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
CORPUS ?= corpus/sample

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: run test install chromium clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# `legalqa ingest` is incremental: unchanged files are skipped without loading
# the model. Exit code 3 means some files were skipped and is reported, not fatal.
run: $(STAMP)
	$(BIN)/legalqa ingest $(CORPUS) || [ $$? -eq 3 ]
	$(BIN)/legalqa serve

# Debian's Chromium for the browser tests (never `playwright install`: it downloads).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# Two workers, a test file each at a time: most tests wait on a server, a browser or a
# subprocess, so the suite takes about two thirds of the time it takes on one.
test: $(STAMP) chromium
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

clean:
	rm -rf $(VENV) .legalqa
