# 问一次 — the two front-door commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
export RASA_TELEMETRY_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

PY310 = $(shell scripts/find-python.sh)
UV_VERSION := 0.13.9
TOOLS := .venv/tools
UV := $(TOOLS)/bin/uv
APP := .venv/app/bin/python
BOT := .venv/bot/bin/python

.PHONY: help setup run run-cluster soak test unit lint e2e lock catalog vocab train eval eval-fangchenggang eval-leave-out explain guides-report bench bench-search bench-adversarial nlu-cv nlu-compare clean

help:
	@echo "make run    - set up (first time) and start the whole service on http://127.0.0.1:8000"
	@echo "make test   - set up (first time) and run every test"
	@echo "make unit   - the unit tests only (no model, no network)"
	@echo "make lint   - the layer contracts, ruff and mypy (run first by make test and make unit)"
	@echo "make e2e    - the end-to-end and browser tests only (trains or reuses the models)"
	@echo "make run-cluster - production shape: PostgreSQL, Redis, 2 Rasa replicas, 2 app workers, nginx on :8000"
	@echo "make setup  - create the two pinned Python 3.10 environments (.venv/app, .venv/bot)"
	@echo "make lock   - re-resolve requirements/*.in into requirements/*.lock"
	@echo "make eval   - score the dialogue set (tests/dialogues), then measure the long-tail halves, against a running service (URL=..., EVAL_ARGS=...)"
	@echo "make eval-fangchenggang - score tests/dialogues_fangchenggang against a service run with WYC_REGION=450600 (URL=...)"
	@echo "make eval-leave-out - the tuned sets read without their items' lexicon rows: the estimate for items not tuned on (RASA_URL=...)"
	@echo "make explain TEXT=... - why a message gets its reply: NLU, rule, the resolver's ranking (RASA_URL=..., CASES=file for a set)"
	@echo "make guides-report - rewrite docs/GUIDES_IMPORT.md, the import report of 防城港市's official guides"
	@echo "make bench  - load benchmark against a running service (URL=..., RASA_URL=...)"
	@echo "make bench-search - catalog search latency and catalog size"
	@echo "make bench-adversarial - worst-case 500-character messages vs normal turns (URL=...)"
	@echo "make nlu-cv - NLU cross-validation (intent accuracy, entity F1)"
	@echo "make nlu-compare - our NLU vs stock Rasa zh vs a rapidfuzz baseline on one held-out split"
	@echo "make soak   - 10 minutes at 20 concurrent senders against make run-cluster (MINUTES=...)"
	@echo "make catalog / make vocab / make train - load the default catalog / regenerate the NLU vocabulary / train or reuse the model"
	@echo "make clean  - delete var/*.db, the trained models/ and .pytest_cache"

$(UV):
	@py=$$(scripts/find-python.sh) && $$py -m venv $(TOOLS) && $(TOOLS)/bin/pip install -q "uv==$(UV_VERSION)"

# One stamp per environment: re-synced only when its lock file changes.
.venv/app/.synced: requirements/app.lock | $(UV)
	@test -x $(APP) || $(UV) venv -q --python "$$(scripts/find-python.sh)" .venv/app
	$(UV) pip sync -q --python $(APP) requirements/app.lock
	@touch $@

.venv/bot/.synced: requirements/bot.lock | $(UV)
	@test -x $(BOT) || $(UV) venv -q --python "$$(scripts/find-python.sh)" .venv/bot
	$(UV) pip sync -q --python $(BOT) requirements/bot.lock
	@touch $@

setup: .venv/app/.synced .venv/bot/.synced

lock: | $(UV)
	$(UV) pip compile -q --python-version 3.10 requirements/app.in -o requirements/app.lock
	$(UV) pip compile -q --python-version 3.10 requirements/bot.in -o requirements/bot.lock

catalog: .venv/app/.synced
	$(APP) -m catalog.cli load-default

vocab: .venv/app/.synced
	$(APP) -m catalog.export_vocab

bench-search: .venv/app/.synced
	$(APP) -m catalog.bench

# Worst-case 500-character messages against normal turns, end to end (service running).
bench-adversarial: .venv/app/.synced
	$(APP) scripts/bench_adversarial.py --url $(URL)

train: setup
	scripts/train.sh

URL ?= http://127.0.0.1:8000
RASA_URL ?= http://127.0.0.1:5005

# The dialogue set passes or fails the run; the long-tail sets are only measured (tests/longtail/README.md).
eval: .venv/app/.synced
	$(APP) scripts/eval.py --url $(URL) --cases tests/dialogues \
		--metrics tests/longtail/tune.yaml tests/longtail/fresh.yaml tests/longtail/fresh2.yaml tests/longtail/fresh3.yaml \
		tests/longtail/fresh4.yaml tests/longtail/fresh5.yaml tests/longtail/fresh6.yaml tests/longtail/fresh7.yaml tests/longtail/fresh8.yaml tests/longtail/fresh9.yaml tests/longtail/fresh10.yaml tests/longtail/fresh11.yaml tests/longtail/fresh12.yaml tests/longtail/fresh13.yaml tests/longtail/fresh14.yaml tests/longtail/fresh15.yaml tests/longtail/fresh16.yaml tests/longtail/rephrased.yaml tests/longtail/rephrased2.yaml tests/longtail/rephrased3.yaml tests/longtail/rephrased4.yaml tests/longtail/rephrased5.yaml tests/longtail/rephrased6.yaml tests/longtail/rephrased7.yaml tests/longtail/rephrased8.yaml tests/longtail/rephrased9.yaml tests/longtail/rephrased10.yaml tests/longtail/rephrased11.yaml tests/longtail/rephrased12.yaml tests/longtail/rephrased13.yaml tests/longtail/rephrased14.yaml tests/longtail/rephrased15.yaml tests/longtail/rephrased16.yaml \
		tests/longtail/held_out.yaml $(EVAL_ARGS)

# Opt-in: 防城港市's cases, against a service started with WYC_REGION=450600 (not part of `make eval`).
eval-fangchenggang: .venv/app/.synced
	$(APP) scripts/eval.py --url $(URL) --cases tests/dialogues_fangchenggang $(EVAL_ARGS)

# The tuned sets read as if nobody had written lexicon rows for their items (5 folds by item): the
# estimate for items not tuned on, beside what they score now; against the Rasa of a running service.
eval-leave-out: .venv/app/.synced
	$(APP) -W ignore scripts/leave_out.py --rasa-url $(RASA_URL) $(EVAL_ARGS)

# Against the Rasa of a running service (its catalog: WYC_DATABASE_URL, default var/catalog.db).
explain: .venv/app/.synced
	$(APP) -W ignore -m actions.explain --rasa-url $(RASA_URL) $(if $(CASES),--cases $(CASES)) $(if $(TEXT),"$(TEXT)")

# docs/GUIDES_IMPORT.md from a fresh import of the shipped official guides (tests check it is current).
guides-report: .venv/app/.synced
	$(APP) -m catalog.guides_report

bench: .venv/app/.synced
	$(APP) scripts/bench.py --url $(URL) --rasa-url $(RASA_URL) --concurrency 1 10 20 50

nlu-cv: setup
	scripts/nlu_cross_validate.sh 3

nlu-compare: setup
	PYTHONPATH=. $(BOT) scripts/nlu_compare.py --seed 42

test: setup lint
	scripts/test.sh

# The layers kept apart (import-linter's contracts in pyproject.toml: catalog imports none of api,
# actions, assistant; api not assistant; assistant not actions), ruff's rule set over the code, and
# mypy on catalog/ and actions/. A few seconds: run first by `make test` and `make unit`.
lint: .venv/app/.synced
	.venv/app/bin/lint-imports
	.venv/app/bin/ruff check catalog actions api assistant runtime scripts tests deploy
	.venv/app/bin/mypy

# The unit tests alone (no model, no network): the first two steps of `make test`.
unit: setup lint
	RASA_TELEMETRY_ENABLED=false $(APP) -m pytest -q -m "not e2e and not browser" --ignore=tests/assistant --ignore=tests/e2e tests
	PYTHONPATH=. $(BOT) -m pytest -q -p no:cacheprovider tests/assistant

# The end-to-end and browser tests alone, against the seeded models `make test` trains (or reuses).
e2e: setup
	scripts/install-chromium.sh
	WYC_REGION=450600 $(APP) -m catalog.cli load-default
	WYC_E2E_MODEL="$$(scripts/train.sh)" WYC_E2E_MODEL_450600="$$(scripts/region-model.sh 450600)" \
		$(APP) -m pytest -q -m "e2e or browser" tests

run: setup
	scripts/run.sh

# The production shape on this machine: PostgreSQL, Redis, 2 Rasa replicas, 2 app workers, nginx on :8000.
run-cluster: setup
	scripts/run-cluster.sh

# 10 minutes at 20 concurrent senders against a running cluster (make run-cluster in another shell).
soak: .venv/app/.synced
	$(APP) scripts/soak.py --url http://127.0.0.1:8000 --minutes $${MINUTES:-10}

clean:
	rm -rf var/*.db models/ .pytest_cache
