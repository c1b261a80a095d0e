# The two front-door commands: `make app` serves the dashboard, `make test` runs every test.
# Both create .venv when missing and install what they need into it; torch comes first, pinned,
# so pip takes the CPU build instead of resolving a multi-GB CUDA one.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
HOST ?= 127.0.0.1
PORT ?= 8866

.PHONY: app test deps test-deps chromium bench

app: deps
	$(VENV)/bin/voila app.ipynb --no-browser --Voila.ip=$(HOST) --port=$(PORT)

test: test-deps chromium
	$(PY) -m pytest

# Timings and memory, measured side by side in one run (a few minutes); writes bench/latest.json.
bench: test-deps chromium
	$(PY) bench/run.py

deps: $(VENV)/.deps
test-deps: $(VENV)/.test-deps

$(PY):
	python3 -m venv $(VENV)

$(VENV)/.deps: requirements.txt | $(PY)
	$(PIP) install --quiet "$$(grep -E '^torch==' requirements.txt)"
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements-test.txt $(VENV)/.deps
	$(PIP) install --quiet -r requirements-test.txt
	touch $@

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here);
# the CJK fonts let screenshots of the Chinese interface show characters, not boxes.
chromium:
	@{ command -v chromium >/dev/null && fc-list :lang=zh | grep -q .; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium fonts-noto-cjk; \
	  else echo "Install Debian's chromium (sudo apt-get install chromium) for the browser tests." >&2; exit 1; fi; }
