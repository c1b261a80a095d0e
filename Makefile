# The two front-door commands: `make app` serves the dashboard, `make test` runs every test.
# Both create .venv when missing and install what they need into it; torch comes first, pinned,
# so pip takes the CPU build instead of resolving a multi-GB CUDA one.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: app test deps test-deps hub-deps chromium bench bench-class

# make app: the class server (below) set for a teacher or a few learners: one preheated kernel ready,
# no memory cap, every core for torch, a teacher's own tabs not limited. It brings what plain
# `voila app.ipynb` lacks: the page says when its kernel has died; a preheated kernel is ready.
app: deps
	$(PY) class/serve.py --size=30 --pool=1 --idle-minutes=60 --memory=off --threads=$$(nproc) \
	  --seats-per-client=30 --kernel-dir=class/kernels/app $(if $(HOST),--host=$(HOST)) $(if $(PORT),--port=$(PORT)) \
	  $(if $(CLASS_DATA),--data=$(CLASS_DATA))

# make class: serve a class on one machine (docs/serving.md, docs/warm.md): a warm pool (one preheated kernel per
# seat unless POOL_SIZE says otherwise, WARM_STARTS started at a time; it logs "class: N seats ready in S s"), tab-less
# kernels culled after IDLE_MINUTES (never-connected ones after UNCONNECTED_SECONDS), a memory cap per
# learner, a "class is full" page past CLASS_SIZE or past SEATS_PER_CLIENT tabs from one address.
# Each setting left unset takes class/serve.py's default (its DEFAULTS; `class/serve.py --help` shows them).
# The class record and the teacher's page (/teacher, its URL with a fresh token printed at start) keep their
# files in CLASS_DATA (default class/data/, ignored by git); `make app` keeps them there too (docs/teacher.md).
# FORK=off starts each kernel afresh instead of forking it from one warmed parent (docs/fork.md).
# e.g. make class HOST=0.0.0.0 CLASS_SIZE=30 KERNEL_MEMORY=4G CLASS_DATA=~/class-2026-12
CLASS_OPTIONS := $(foreach pair,size:CLASS_SIZE pool:POOL_SIZE warm-starts:WARM_STARTS idle-minutes:IDLE_MINUTES \
  memory:KERNEL_MEMORY threads:KERNEL_THREADS fork:FORK unconnected-seconds:UNCONNECTED_SECONDS seats-per-client:SEATS_PER_CLIENT \
  host:HOST port:PORT data:CLASS_DATA,$(if $($(word 2,$(subst :, ,$(pair)))),--$(word 1,$(subst :, ,$(pair)))=$($(word 2,$(subst :, ,$(pair))))))
.PHONY: class
class: deps
	$(PY) class/serve.py $(CLASS_OPTIONS)

test: test-deps chromium
	$(PY) -m pytest

# Timings and memory, measured side by side in one run (a few minutes); writes bench/latest.json.
bench: test-deps chromium
	$(PY) bench/run.py

# A class's capacity: N simulated learners speaking Voila's page protocol (bench/class_load.py, no browser)
# load the page and run the learning-rate panel at once on `make class`'s server; adds to bench/latest.json.
N ?= 30
bench-class: test-deps
	$(PY) bench/class_load.py --learners $(N)

deps: $(VENV)/.deps
test-deps: $(VENV)/.test-deps hub-deps reference-wheels

$(PY):
	python3 -m venv $(VENV)

$(VENV)/.deps: requirements.txt | $(PY)
	$(PIP) install --quiet "$$(grep -E '^torch==' requirements.txt)"
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements-test.txt $(VENV)/.deps
	$(PIP) install --quiet -r requirements-test.txt
	touch $@

# The LR finder's rules are tested against their authors' released code, read from the wheels at test time
# (tests/references.py); fetched without their dependencies and never installed.
REFERENCE_WHEELS := fastai==2.8.12 torch-lr-finder==0.2.2
.PHONY: reference-wheels
reference-wheels: $(VENV)/wheels/.fastai-2.8.12-torch-lr-finder-0.2.2

$(VENV)/wheels/.fastai-2.8.12-torch-lr-finder-0.2.2: | $(PY)
	$(PIP) download --quiet --no-deps $(REFERENCE_WHEELS) -d $(VENV)/wheels
	touch $@

# tests/test_hub.py runs a real JupyterHub, whose proxy (configurable-http-proxy) comes from npm;
# it is installed into .hub/ inside the repo, never globally, and again only when the pin changes.
CHP_VERSION := 5.2.0
hub-deps: .hub/.chp-$(CHP_VERSION)

.hub/.chp-$(CHP_VERSION):
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y nodejs npm; \
	  else echo "Install Node.js and npm (sudo apt-get install nodejs npm) for the JupyterHub test." >&2; exit 1; fi; }
	npm install --prefix .hub --no-audit --no-fund --save-exact configurable-http-proxy@$(CHP_VERSION)
	touch $@

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here);
# the CJK fonts let screenshots of the Chinese interface show characters, not boxes.
chromium:
	@{ command -v chromium >/dev/null && fc-list :lang=zh | grep -q .; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium fonts-noto-cjk; \
	  else echo "Install Debian's chromium (sudo apt-get install chromium) for the browser tests." >&2; exit 1; fi; }
